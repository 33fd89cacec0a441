"""Applications and advocacy: what the case manager helps a client apply for or contest (a
benefit, housing assistance, an insurance authorization for a level of care, an appeal of a
denial), with its status history, its deadlines and the documents sent for it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from casebridge.advocacy.statuses import ApplicationStatus, Reason
from casebridge.assessments.biopsychosocial import ASAM_LEVELS


class ApplicationKind(models.TextChoices):
    MEDICAID = "medicaid", "Medicaid"
    SNAP = "snap", "SNAP (food assistance)"
    SSI = "ssi", "SSI (Supplemental Security Income)"
    SSDI = "ssdi", "SSDI (Social Security Disability Insurance)"
    TANF = "tanf", "TANF (cash assistance for families)"
    TEMPORARY_DISABILITY = "temporary-disability", "Temporary disability"
    HOUSING = "housing", "Housing assistance"
    CHILDCARE = "childcare", "Childcare subsidy"
    INSURANCE_AUTHORIZATION = "insurance-authorization", "Insurance authorization"
    OTHER = "other", "Something else (say what)"


class UnitKind(models.TextChoices):
    DAYS = "days", "Days"
    SESSIONS = "sessions", "Sessions"
    HOURS = "hours", "Hours"


AUTHORIZATION = ApplicationKind.INSURANCE_AUTHORIZATION
# An authorization's own fields, empty on every other kind (a check constraint keeps it so).
AUTHORIZATION_FIELDS = (
    "level_of_care",
    "authorization_number",
    "approved_from",
    "approved_to",
    "units_approved",
    "unit_kind",
    "next_review_on",
)


class Application(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField(max_length=30, choices=ApplicationKind.choices)
    kind_detail = models.CharField("what it is", max_length=200, blank=True)
    agency_name = models.CharField("agency or payer", max_length=200)
    agency_contact = models.CharField("how to reach them", max_length=300, blank=True)
    reference_number = models.CharField("case or reference number", max_length=100, blank=True)
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.PREPARING
    )
    status_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    status_detail = models.CharField(max_length=300, blank=True)
    submitted_on = models.DateField("submitted", null=True, blank=True)
    decision_on = models.DateField("decided", null=True, blank=True)
    decision_expected_on = models.DateField("decision expected by", null=True, blank=True)
    # The next thing the agency needs and by when ("send pay stubs"): the caseload shows it.
    next_deadline_on = models.DateField("next deadline", null=True, blank=True)
    next_deadline_for = models.CharField("what it is for", max_length=200, blank=True)
    # An appeal is an application of its own that points at the denial it contests.
    appeal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    # On a denial: the last day to appeal it (from the decision letter); on an appeal: the same.
    appeal_by = models.DateField("appeal must be filed by", null=True, blank=True)
    # An insurance authorization for a level of care (ASAM level numbers only).
    level_of_care = models.CharField(max_length=4, choices=ASAM_LEVELS, blank=True)
    authorization_number = models.CharField(max_length=100, blank=True)
    approved_from = models.DateField(null=True, blank=True)
    approved_to = models.DateField(null=True, blank=True)
    units_approved = models.PositiveIntegerField(null=True, blank=True)
    unit_kind = models.CharField(max_length=10, choices=UnitKind.choices, blank=True)
    next_review_on = models.DateField("next review", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            # The caseload's due items and the tab: a client's applications by status.
            models.Index(fields=["client", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(agency_name=""), name="application_names_an_agency"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_known"
            ),
            models.CheckConstraint(
                condition=Q(next_deadline_on__isnull=True, next_deadline_for="")
                | (Q(next_deadline_on__isnull=False) & ~Q(next_deadline_for="")),
                name="application_deadline_says_what_for",
            ),
            models.CheckConstraint(
                condition=Q(kind=AUTHORIZATION)
                | Q(
                    level_of_care="",
                    authorization_number="",
                    approved_from__isnull=True,
                    approved_to__isnull=True,
                    units_approved__isnull=True,
                    unit_kind="",
                    next_review_on__isnull=True,
                ),
                name="application_authorization_fields_on_authorizations",
            ),
            models.CheckConstraint(
                condition=Q(approved_from__isnull=True)
                | Q(approved_to__isnull=True)
                | Q(approved_to__gte=models.F("approved_from")),
                name="application_approved_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(units_approved__isnull=True, unit_kind="")
                | (Q(units_approved__gte=1) & ~Q(unit_kind="")),
                name="application_units_positive_with_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk}"

    @property
    def title(self) -> str:
        """How people name it: "Medicaid", "Insurance authorization (level 3.5)", an appeal."""
        name = self.kind_detail if self.kind == ApplicationKind.OTHER else self.get_kind_display()
        if self.kind == AUTHORIZATION and self.level_of_care:
            name = f"{name} (level {self.level_of_care})"
        return f"Appeal: {name}" if self.appeal_of_id else name

    @property
    def is_authorization(self) -> bool:
        return self.kind == AUTHORIZATION


class ApplicationEvent(models.Model):
    """One status move: who, when, from what to what, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=12, choices=ApplicationStatus.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    happened_on = models.DateField("the day it happened")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class ApplicationDocument(models.Model):
    """Documents sent to the agency or payer for the application: each one a disclosure that
    passed the consent gate (the disclosure keeps what, to whom, how and under which consent)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    disclosure = models.ForeignKey(
        "consents.Disclosure", on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Documents for application {self.application_id}"
