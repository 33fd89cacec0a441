"""Alerts: what the record says needs someone's attention, why, and what became of it.

An alert is found by a rule (alerts/rules.py) from facts other capabilities record, or raised
by hand as a concern. One row per finding: a rule's finding is named by its kind and a key
(the check-in, screen or appointment behind it, or the day something fell due), and the
database allows one alert per client, kind and key, so evaluating twice, or a worker killed
halfway and run again, never makes a second one.
"""

from django.conf import settings
from django.db import models


class AlertKind(models.TextChoices):
    MISSED_APPOINTMENT = "missed_appointment", "Missed appointment"
    MISSED_COURT = "missed_court", "Missed court date"
    MISSED_CHECK_IN = "missed_check_in", "Missed check-in"
    CRAVING = "craving", "Craving rising or high"
    REPORTED_USE = "reported_use", "Reported use"
    SCREEN = "screen", "Drug screen positive, refused or missed"
    MOOD_WORSE = "mood_worse", "Depression or anxiety score worse"
    BAM_RISK = "bam_risk", "Recovery check-up risk high"
    SAFETY_FOLLOW_UP = "safety_follow_up", "Safety concern without follow-up"
    CONTACT_OVERDUE = "contact_overdue", "Contact overdue"
    PLAN_REVIEW = "plan_review", "Care plan review overdue"
    REFERRAL = "referral", "Referral follow-up overdue or not answered"
    CONSENT_ENDING = "consent_ending", "Consent ending soon"
    COURT_SOON = "court_soon", "Court date coming up"
    COURT_MISSED = "court_missed", "Missed court call-in or drug test"
    MOUD_GAP = "moud_gap", "Medication (MOUD) gap"
    GAP_IN_CARE = "gap_in_care", "Gap in care after a transfer"
    CONCERN = "concern", "Concern raised by staff"


class Priority(models.IntegerChoices):
    # Lower sorts first: My Day lists the most urgent at the top.
    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"
    LOW = 4, "Low"


class AlertState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Seen, being worked on"
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


# What the link to where to act says, by where it goes.
ACT_LABELS = {
    "client_calendar": "Open the calendar",
    "check_in_list": "Open check-ins",
    "recovery": "Open screens and medication",
    "measures": "Open measures",
    "client_overview": "Open the record",
    "contact_log": "Record a contact",
    "plan_home": "Open the care plan",
    "referral_list": "Open referrals",
    "care_levels": "Open levels of care",
    "consent_list": "Open consents",
}

# States in which an alert still asks for someone's attention (a snooze ends by itself).
LIVE_STATES = frozenset({AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.SNOOZED})


class AlertRule(models.Model):
    """A program's setting for one rule: on or off, and its numbers where they differ from the
    defaults in alerts/rules.py. A program without a row uses the defaults."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.CASCADE, related_name="alert_rules"
    )
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    enabled = models.BooleanField(default=True)
    # {threshold name: whole number}, checked against the rule's definition when saved.
    thresholds = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["program", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="one_alert_rule_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({'on' if self.enabled else 'off'})"


class Alert(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    # Which finding of the kind: the record behind it or the day it fell due (never PHI).
    key = models.CharField(max_length=60)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    # What it is and why, in plain words with the facts and dates behind it.
    title = models.CharField(max_length=200)
    facts = models.JSONField(default=list, blank=True)
    # The day the facts are about (a check-in's day, a due day): rules look back a window of
    # days, and an alert older than its rule's window is left as it is.
    fact_on = models.DateField()
    # Where to act: a URL name that takes the client's id.
    act_url_name = models.CharField(max_length=60)
    # The policy action a person needs to see this alert (minimum necessary): lists are
    # filtered by it in the query.
    needs_action = models.CharField(max_length=30, default="view")
    state = models.CharField(max_length=15, choices=AlertState.choices, default=AlertState.OPEN)
    opened_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=500, blank=True)
    # True when it resolved itself because its facts stopped being true.
    resolved_automatically = models.BooleanField(default=False)
    # A concern raised by hand: who raised it (the text is in `facts`).
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # An escalation: the supervisors of the client's program are told too.
    for_supervisor = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["priority", "-opened_at", "-id"]
        indexes = [
            # My Day and the team's view: the live alerts of a set of clients, most urgent first.
            models.Index(fields=["client", "state", "priority"], name="alert_client_state"),
            models.Index(fields=["state", "priority", "opened_at"], name="alert_live_order"),
            # Snoozed alerts whose snooze has ended (the team's view, the sweep that wakes them):
            # read by the end date, not by looking at every snoozed alert.
            models.Index(
                fields=["snoozed_until", "priority"],
                condition=models.Q(state="snoozed"),
                name="alert_snooze_ends",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "key"], name="one_alert_per_finding"),
            models.CheckConstraint(
                condition=models.Q(state__in=AlertState.values), name="alert_state_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="snoozed") | models.Q(snoozed_until__isnull=False),
                name="snoozed_alert_has_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="resolved") | models.Q(resolved_at__isnull=False),
                name="resolved_alert_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk}"

    @property
    def act_label(self) -> str:
        return ACT_LABELS.get(self.act_url_name, "Open")

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


class NotificationPreference(models.Model):
    """How a person hears of new alerts beyond My Day, and when not to be disturbed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    email_from = models.PositiveSmallIntegerField(
        "email me about alerts that are at least",
        choices=Priority.choices,
        null=True,
        blank=True,
        default=Priority.HIGH,
        help_text="Leave empty for no email.",
    )
    sms_from = models.PositiveSmallIntegerField(
        "text me about alerts that are at least",
        choices=Priority.choices,
        null=True,
        blank=True,
        default=None,
        help_text="Leave empty for no text messages.",
    )
    sms_number = models.CharField("mobile number for texts", max_length=30, blank=True)
    quiet_from = models.TimeField("quiet hours from", null=True, blank=True)
    quiet_until = models.TimeField("quiet hours until", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sms_from__isnull=True) | ~models.Q(sms_number=""),
                name="texts_need_a_number",
                violation_error_message="Give the number to text, or choose no text messages.",
            ),
            models.CheckConstraint(
                condition=models.Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | models.Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="quiet_hours_have_both_ends",
                violation_error_message="Give both ends of the quiet hours, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert notifications of user {self.user_id}"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Notification(models.Model):
    """One person to be told of one alert on one channel: an outbox row written with the alert,
    sent by a background task (together with the person's others due then, as one message)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_notifications"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    created_at = models.DateTimeField()
    # Not before this moment: the end of the person's quiet hours, unless they are on call.
    send_after = models.DateTimeField()
    # The message it went out in (several alerts due at once make one message).
    delivery_key = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "send_after"], name="notification_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "user", "channel"], name="one_notification_per_alert_and_channel"
            )
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}"
