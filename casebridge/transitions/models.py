"""Episodes of care (each stay at a level of care), the transitions between them with their warm
hand-off checklists, and the timeline kinds they write."""

from datetime import date

from django.conf import settings
from django.db import models

from casebridge.transitions.levels import LevelOfCare


class DischargeType(models.TextChoices):
    COMPLETED = "completed", "Completed"
    TRANSFERRED = "transferred", "Transferred or stepped to another level"
    LEFT_AGAINST_ADVICE = "left_against_advice", "Left against advice"
    ADMINISTRATIVE = "administrative", "Administrative discharge"
    INCARCERATED = "incarcerated", "Went to jail or prison"
    HOSPITALISED = "hospitalised", "Went to hospital"
    DIED = "died", "Died"


class TimelineKind(models.TextChoices):
    EPISODE = "episode", "Level of care"
    TRANSITION = "transition", "Transition"


class Episode(models.Model):
    """One stay at one level of care: at one of our programs or at a service in the directory
    (or a place named by hand), from admission to discharge."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="episodes")
    level = models.CharField("level of care", max_length=12, choices=LevelOfCare.choices)
    # Where: one of our programs (the client's program follows it), or somewhere else.
    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The place's name as it was when the client was there (a directory row may change).
    place_name = models.CharField("where", max_length=200)
    admitted_on = models.DateField("admitted on")
    discharged_on = models.DateField("left on", null=True, blank=True)
    discharge_type = models.CharField(
        "how the stay ended", max_length=20, choices=DischargeType.choices, blank=True
    )
    discharge_reason = models.CharField("why", max_length=500, blank=True)
    # The signed assessment whose confirmed level justified the stay.
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A receiving partner who confirmed the admission through the referral's link.
    admitted_by_partner = models.CharField(max_length=200, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["admitted_on", "id"]
        indexes = [
            models.Index(fields=["client", "admitted_on"]),
            models.Index(fields=["level", "admitted_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(discharged_on__isnull=True),
                name="one_open_episode_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="episode_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True, discharge_type="")
                | models.Q(discharged_on__isnull=False) & ~models.Q(discharge_type=""),
                name="episode_discharge_has_type",
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=LevelOfCare.values), name="episode_level_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None

    def days(self, until: date) -> int:
        """Days at this level: to the discharge, or to `until` while it is open."""
        end = self.discharged_on or until
        return (end - self.admitted_on).days


class TransitionStatus(models.TextChoices):
    OPEN = "open", "Waiting for admission"
    ADMITTED = "admitted", "Admitted at the next level"
    CANCELLED = "cancelled", "Cancelled"


class Transition(models.Model):
    """A move from one level of care to the next, open from the day the client leaves until the
    next level confirms the admission (recorded by staff, or by the receiving partner through
    the referral's link)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="transitions"
    )
    from_episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="transitions_out"
    )
    to_level = models.CharField("next level of care", max_length=12, choices=LevelOfCare.choices)
    to_program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_service = models.ForeignKey(
        "directory.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_place_name = models.CharField("where next", max_length=200)
    # The referral to the next level: its partner link can confirm the admission.
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    left_on = models.DateField("left the current level on")
    reason = models.CharField("why", max_length=500)
    status = models.CharField(
        max_length=10, choices=TransitionStatus.choices, default=TransitionStatus.OPEN
    )
    to_episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="transition_in"
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-left_on", "-id"]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["status", "left_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="open"),
                name="one_open_transition_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TransitionStatus.values),
                name="transition_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="admitted") | models.Q(to_episode__isnull=False),
                name="admitted_transition_has_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"Transition {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == TransitionStatus.OPEN


class HandoffKind(models.TextChoices):
    RECORDS_SENT = "records_sent", "Records sent to the next level"
    APPOINTMENT = "appointment", "Appointment made at the next level"
    TRANSPORT = "transport", "Transport arranged"
    MEDICATION_BRIDGE = "medication_bridge", "Medication bridged"
    CLIENT_REACHED = "client_reached", "Client reached within 48 hours of leaving"
    COACH_INFORMED = "coach_informed", "Coach told of the move"


# Days after leaving by which each item is due (the client is reached within 48 hours).
HANDOFF_DUE_DAYS: dict[str, int] = {
    HandoffKind.RECORDS_SENT: 0,
    HandoffKind.APPOINTMENT: 0,
    HandoffKind.TRANSPORT: 0,
    HandoffKind.MEDICATION_BRIDGE: 0,
    HandoffKind.CLIENT_REACHED: 2,
    HandoffKind.COACH_INFORMED: 1,
}


class HandoffState(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


class HandoffItem(models.Model):
    """One step of a warm hand-off, with the person who sees it through and its due day."""

    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=HandoffKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    state = models.CharField(max_length=12, choices=HandoffState.choices, default=HandoffState.OPEN)
    # What was done: the appointment's place, who doses or prescribes until the next
    # prescriber takes over, how the client was reached. Clinical detail: read_clinical.
    details = models.CharField(max_length=300, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    # Records went out through the consent gate: the disclosure that recorded it.
    disclosure = models.ForeignKey(
        "consents.Disclosure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["owner", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["transition", "kind"], name="one_handoff_item_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(state="open") | models.Q(done_at__isnull=False),
                name="closed_handoff_item_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Hand-off item {self.pk}"
