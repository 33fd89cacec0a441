"""Completed instruments and the schedule on which each program re-administers them."""

from django.conf import settings
from django.db import models


class TimelineKind(models.TextChoices):
    """What assessments put on a client's timeline; both are clinical content."""

    MEASURE = "measure", "Measure"
    ASSESSMENT = "assessment", "Assessment"


class InstrumentResponse(models.Model):
    """One completed instrument: the answers as given and the scores they produced."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="instrument_responses"
    )
    instrument = models.CharField(max_length=20)
    version = models.CharField(max_length=10)
    answers = models.JSONField()
    context = models.JSONField(default=dict, blank=True)
    scores = models.JSONField()
    primary_score = models.IntegerField(null=True)
    band = models.CharField(max_length=80, blank=True)
    positive = models.BooleanField(null=True)
    safety_concern = models.BooleanField(default=False)
    completed_by_client = models.BooleanField(default=False)
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    administered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [models.Index(fields=["client", "instrument", "-administered_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.pk}"


class InstrumentSchedule(models.Model):
    """A program re-administers an instrument every so many days while a case is open."""

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.CASCADE, related_name="instrument_schedules"
    )
    instrument = models.CharField(max_length=20)
    every_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "instrument"], name="one_schedule_per_instrument"
            ),
            models.CheckConstraint(
                condition=models.Q(every_days__gte=1), name="schedule_every_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every_days} days"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Assessment(models.Model):
    """The biopsychosocial assessment: sections, substance history, needs and ASAM ratings.

    Saved as a draft while it is worked on; signed and locked when complete. Later corrections
    are addenda, never edits.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    sections = models.JSONField(default=dict, blank=True)
    substances = models.JSONField(default=list, blank=True)
    needs = models.JSONField(default=dict, blank=True)  # {domain: {"severity": 0-3, "reason": str}}
    asam = models.JSONField(
        default=dict, blank=True
    )  # {"1": {"rating": 0-4, "rationale": str}, ...}
    # What a reassessment took over from the last signed assessment (or, for the first one, from
    # registration) and the person has not yet confirmed: {"from": "assessment"|"registration",
    # "assessment_id": id, "signed_on": "YYYY-MM-DD", "unconfirmed": [part, ...]}. A signed
    # assessment keeps the parts signed unconfirmed, so the record says so.
    carried_over = models.JSONField(default=dict, blank=True)
    suggested_level = models.CharField(max_length=4, blank=True)
    chosen_level = models.CharField(max_length=4, blank=True)
    level_override_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "status"])]
        constraints = [
            models.CheckConstraint(
                name="signed_assessment_has_signer",
                condition=~models.Q(status="signed")
                | models.Q(signed_by__isnull=False, signed_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk}"


class Addendum(models.Model):
    """A later correction or addition to a signed assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Addendum {self.pk}"
