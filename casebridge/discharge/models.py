"""Discharge summaries (a draft the case manager finalises, which then keeps the facts it was
finalised on), the aftercare plan that goes with a discharge, and what left the program with a
summary (the disclosure the consent gate recorded).

The aftercare plan's continuing care is kept as text per kind, one item a line, as the safety
plan keeps its sections: the client says lines, and the printout lists them as they were said.
"""

from django.conf import settings
from django.db import models

from casebridge.discharge.statuses import SummaryStatus

TEXT_LIMIT = 2000  # a paragraph the PDF prints beside its heading (inputs.LONG_TEXT)
LINE_LIMIT = 200  # one item of a list (inputs.SHORT_TEXT)
MAX_LINES = 10  # items of one kind of continuing care, or relapse-prevention steps


class TimelineKind(models.TextChoices):
    """What this app puts on a client's timeline (apps.py says who sees each)."""

    DISCHARGE = "discharge", "Discharge summary"
    AFTERCARE = "aftercare", "Aftercare plan"


# The kinds of continuing care, in the order the plan lists them, with the help staff see.
CARE_KINDS: list[tuple[str, str, str]] = [
    (
        "outpatient",
        "Outpatient care",
        "Counselling or treatment after discharge: where, with whom, when the first visit is.",
    ),
    (
        "mutual_help",
        "Mutual-help meetings",
        "AA, NA, SMART Recovery or others: which meetings, where and when.",
    ),
    (
        "recovery_housing",
        "Recovery housing",
        "A sober living or recovery residence: its name and how to reach it.",
    ),
    ("coach", "Recovery coach", "The peer or sober coach and how often they meet."),
    (
        "medication",
        "Medication",
        "Medication to keep taking, who prescribes it, where to pick it up.",
    ),
    ("other", "Other support", "Anything else that helps: work, school, family, faith, benefits."),
]
CARE_KIND_NAMES = [name for name, _, _ in CARE_KINDS]

# The tapering check-in schedule: weekly, then every two weeks, then monthly (the usual step-down
# of continuing care contact; each number can be changed per client).
DEFAULT_WEEKLY_WEEKS = 4
DEFAULT_FORTNIGHTLY_WEEKS = 8
DEFAULT_MONTHLY_MONTHS = 9  # with the first twelve weeks, a year of check-ins
MAX_WEEKLY_WEEKS = 12
MAX_FORTNIGHTLY_WEEKS = 26
MAX_MONTHLY_MONTHS = 24


class AftercarePlan(models.Model):
    """A client's aftercare plan: what care continues, when the check-ins are, and the
    relapse-prevention steps in the client's own words. One per client, edited in place under a
    version (a finalised discharge summary keeps its own copy of it)."""

    client = models.OneToOneField(
        "clients.Client", on_delete=models.PROTECT, related_name="aftercare_plan"
    )
    starts_on = models.DateField("discharge day")
    weekly_weeks = models.PositiveSmallIntegerField(default=DEFAULT_WEEKLY_WEEKS)
    fortnightly_weeks = models.PositiveSmallIntegerField(default=DEFAULT_FORTNIGHTLY_WEEKS)
    monthly_months = models.PositiveSmallIntegerField(default=DEFAULT_MONTHLY_MONTHS)
    outpatient = models.TextField(blank=True, max_length=TEXT_LIMIT)
    mutual_help = models.TextField(blank=True, max_length=TEXT_LIMIT)
    recovery_housing = models.TextField(blank=True, max_length=TEXT_LIMIT)
    coach = models.TextField(blank=True, max_length=TEXT_LIMIT)
    medication = models.TextField(blank=True, max_length=TEXT_LIMIT)
    other = models.TextField(blank=True, max_length=TEXT_LIMIT)
    relapse_prevention = models.TextField(blank=True, max_length=TEXT_LIMIT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_weeks__lte=MAX_WEEKLY_WEEKS)
                & models.Q(fortnightly_weeks__lte=MAX_FORTNIGHTLY_WEEKS)
                & models.Q(monthly_months__lte=MAX_MONTHLY_MONTHS),
                name="aftercare_schedule_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"Aftercare plan {self.pk}"

    def lines(self, field: str) -> list[str]:
        """A list field's items, one per line, blank lines left out."""
        text: str = getattr(self, field)
        return [line.strip() for line in text.splitlines() if line.strip()]


class DischargeSummary(models.Model):
    """A discharge summary: a draft while the case manager writes the recommendations; once
    finalised (signed), locked, with the facts it was finalised on kept in `facts` so it reads
    the same whatever is recorded later."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="discharge_summaries"
    )
    status = models.CharField(
        max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    discharged_on = models.DateField("discharge day")
    recommendations = models.TextField(blank=True, max_length=TEXT_LIMIT)
    # The facts as they stood when it was finalised (queries.summary_facts); empty on a draft,
    # which shows the record as it is now.
    facts = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_name = models.CharField(max_length=LINE_LIMIT, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="draft"),
                name="one_discharge_summary_draft_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SummaryStatus.values),
                name="discharge_summary_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="final")
                | models.Q(finalised_at__isnull=False, finalised_by__isnull=False),
                name="final_discharge_summary_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"Discharge summary {self.pk}"

    @property
    def is_final(self) -> bool:
        return self.status == SummaryStatus.FINAL


class SummaryDisclosure(models.Model):
    """A finalised summary sent out of the program: the disclosure the consent gate allowed."""

    summary = models.ForeignKey(
        DischargeSummary, on_delete=models.PROTECT, related_name="disclosures"
    )
    disclosure = models.OneToOneField(
        "consents.Disclosure", on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Discharge summary disclosure {self.pk}"
