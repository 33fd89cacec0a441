"""Appointments and obligations on the client's calendar, the recurring series that make them,
and each staff member's secret calendar feed.

Who sees what (the policy's actions; kept in the queries, never in a template):
- That an appointment exists, when, and its status is for everyone who works with the client
  ("view"). Court hearings, probation or parole meetings, drug tests, mutual-help meetings and the
  practical appointments (employment, housing, benefits) are legal and practical facts the whole
  team, coaches included, needs to help the client get there: their details need "view" too.
- Medical, psychiatry, therapy and medication dosing (MOUD) appointments are health care: their
  kind, place, provider and note need "read_clinical". Without it a person sees only
  "Appointment (health)" at that time, and their timeline entries and due items are not shown.
- What a care plan asked for (the action's words) is plan content: "read_clinical" as well.
"""

from django.conf import settings
from django.db import models

from casebridge.accounts.models import Role
from casebridge.monitoring.appointment_statuses import AppointmentStatus

TIMELINE_KIND = "appointment"  # registered in apps.py; a health appointment's entries need more
HEALTH_LABEL = "Appointment (health)"  # what is shown instead of a clinical kind's details
MAX_APPOINTMENT_MINUTES = 720  # twelve hours: a day in court


class AppointmentKind(models.TextChoices):
    MEDICAL = "medical", "Medical"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    THERAPY = "therapy", "Therapy or counselling"
    MOUD = "moud", "Medication dosing (MOUD)"
    GROUP = "group", "Group"
    COURT = "court", "Court hearing"
    PROBATION = "probation", "Probation or parole meeting"
    DRUG_TEST = "drug_test", "Drug test"
    MUTUAL_HELP = "mutual_help", "Mutual-help meeting"
    EMPLOYMENT = "employment", "Employment"
    HOUSING = "housing", "Housing"
    BENEFITS = "benefits", "Benefits office"
    OTHER = "other", "Other"


# Health care: details need "read_clinical" (see the module's docstring).
CLINICAL_KINDS = frozenset(
    {
        AppointmentKind.MEDICAL,
        AppointmentKind.PSYCHIATRY,
        AppointmentKind.THERAPY,
        AppointmentKind.MOUD,
    }
)


class Recurrence(models.TextChoices):
    NONE = "none", "Does not repeat"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"


class AppointmentSeries(models.Model):
    """One request for appointments: a single one, or one that repeats until a date.

    The occurrences are made as Appointment rows when the series is made (up to its last day,
    or 26 weeks ahead when that is sooner or no last day is given), so each has its own status
    and a clash with another appointment is refused before anything is saved.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointment_series"
    )
    recurrence = models.CharField(max_length=12, choices=Recurrence.choices)
    until = models.DateField("repeats until", null=True, blank=True)
    made_until = models.DateField(help_text="The day of the last occurrence made so far.")
    # An obligation a care plan in effect asked for: the action's key stays the same across
    # plan versions, so a new version never makes the same obligation twice.
    intervention_key = models.UUIDField(null=True, blank=True)
    plan_action = models.CharField(max_length=300, blank=True)  # the plan's words: clinical
    ended_at = models.DateTimeField(null=True, blank=True)  # the rest was cancelled
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "appointment series"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "intervention_key"],
                condition=models.Q(intervention_key__isnull=False, ended_at__isnull=True),
                name="one_live_obligation_per_plan_action",
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True)
                | models.Q(until__gte=models.F("made_until")),
                name="series_made_within_its_days",
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment series {self.pk}"

    @property
    def from_plan(self) -> bool:
        return self.intervention_key is not None


class Appointment(models.Model):
    """One appointment or obligation of the client's, with its own status."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointments"
    )
    series = models.ForeignKey(
        AppointmentSeries, on_delete=models.PROTECT, related_name="appointments"
    )
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # False when only the day is known (an obligation from a care plan): it holds no time slot,
    # and it starts, for recording whether the client went, when the day starts.
    timed = models.BooleanField(default=True)
    place = models.CharField(max_length=200, blank=True)
    provider = models.CharField("with (provider or agency)", max_length=200, blank=True)
    accompanied_by = models.CharField("who goes with the client", max_length=200, blank=True)
    transport_arranged = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    status_note = models.CharField(max_length=300, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The appointment this one replaced when it was rescheduled.
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_to"
    )
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # A client's calendar, and the clash check: the client's appointments in a window.
            models.Index(fields=["client", "starts_at"]),
            # Due items: upcoming scheduled ones and missed ones not followed up, per client.
            models.Index(fields=["client", "status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AppointmentStatus.values),
                name="appointment_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="scheduled") | models.Q(status_changed_at__isnull=False),
                name="status_change_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(followed_up_at__isnull=True)
                | models.Q(followed_up_by__isnull=False, status__in=["missed", "attended"]),
                name="follow_up_only_after_a_missed_one",
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk}"

    @property
    def is_clinical(self) -> bool:
        return self.kind in CLINICAL_KINDS


class CalendarFeed(models.Model):
    """A staff member's secret calendar address (iCalendar), for their phone's calendar app.

    Only a digest of the secret is kept (as for API tokens). It stops working when revoked, or
    when its owner's role or organisation changes, so it never reaches what they no longer may.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    prefix = models.CharField(max_length=16, unique=True)  # to find the row; not a secret
    digest = models.CharField(max_length=64)  # sha256 of the whole secret
    role = models.CharField(max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}…"
