"""Consents, revocations and disclosures (42 CFR Part 2, as amended in 2024).

The elements a written consent must carry come from 42 CFR 2.31(a): the patient's name, who may
disclose, a specific description of the information, the recipients, the purpose, the right to
revoke and how, an expiry (date or event; "none" only for treatment, payment and health care
operations), the patient's signature and the date.
"""

from django.conf import settings
from django.db import models


class TimelineKind(models.TextChoices):
    """What consents put on a client's timeline. That a consent was given or revoked is what
    anyone working with the client needs; what was shared, and why, is for those who share."""

    CONSENT = "consent", "Consent"
    DISCLOSURE = "disclosure", "Disclosure"


class InformationCategory(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment results"
    PLAN = "plan", "Care plan"
    ATTENDANCE = "attendance", "Attendance"
    DRUG_SCREENS = "drug_screens", "Drug screen results"
    DIAGNOSES = "diagnoses", "Diagnoses"
    PROGRESS = "progress", "Progress summaries"
    DISCHARGE = "discharge", "Discharge summary"
    ALL_SUD = "all_sud", "All substance use disorder records"


class RecipientKind(models.TextChoices):
    COLLATERAL = "collateral", "A contact on the client's record"
    NAMED = "named", "A named person or organisation"
    TPO = "tpo", "Treatment, payment and health care operations (single consent)"


class Purpose(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    PAYMENT = "payment", "Payment"
    OPERATIONS = "operations", "Health care operations"
    COURT = "court", "Court or legal compliance"
    PROBATION = "probation", "Probation or parole"
    FAMILY = "family", "Family involvement in recovery"
    EMPLOYMENT = "employment", "Employment"
    BENEFITS = "benefits", "Benefits or housing"
    OTHER = "other", "Other"


TPO_PURPOSES = frozenset({Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS})


class ExpiryKind(models.TextChoices):
    DATE = "date", "On a date"
    EVENT = "event", "When something happens"
    NONE = "none", "No expiry (treatment, payment and operations only)"


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", "Signed on screen"
    UPLOADED = "uploaded", "Signed on paper (scan uploaded)"
    VERBAL = "verbal", "Verbal, with a witness"


class ConsentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


# How a client said they revoke a consent. The field keeps no choices so that rows recorded with
# a method no longer offered stay as they were: "portal" was offered before a client portal
# existed; it is still shown by name on old consents but cannot be chosen.
REVOCATION_METHODS: tuple[tuple[str, str], ...] = (
    ("in person", "In person"),
    ("phone", "By phone"),
    ("writing", "In writing"),
)
REVOCATION_METHOD_LABELS: dict[str, str] = dict(REVOCATION_METHODS) | {
    "portal": "Through the client portal",
}


class Consent(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consents")
    status = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.DRAFT
    )
    patient_name = models.CharField(max_length=200, blank=True)
    disclosing_party = models.CharField(
        "who may disclose",
        max_length=200,
        blank=True,
        help_text="The program or people allowed to share, for example 'Riverbend Recovery Services'.",
    )
    categories = models.JSONField("information to share", default=list, blank=True)
    information_detail = models.CharField(
        "more about the information",
        max_length=300,
        blank=True,
        help_text="Optional: narrow it further, for example 'attendance since March'.",
    )
    recipient_kind = models.CharField(max_length=12, choices=RecipientKind.choices, blank=True)
    recipient_collateral = models.ForeignKey(
        "clients.Collateral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
    )
    recipient_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The person or organisation, as the client named them.",
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True)
    purpose_detail = models.CharField(max_length=300, blank=True)
    right_to_revoke_explained = models.BooleanField(
        "the client was told they can revoke this consent, and how", default=False
    )
    expiry_kind = models.CharField(max_length=8, choices=ExpiryKind.choices, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(
        max_length=200, blank=True, help_text="For example: end of treatment."
    )
    expiry_event_happened_on = models.DateField(null=True, blank=True)
    # 42 CFR 2.35: a consent given as a condition of a referral by the criminal justice system
    # (a court, probation or parole) may not be revoked until a condition it names has been
    # met (final disposition, the end of probation); it names the court team who may receive.
    criminal_justice = models.BooleanField(
        "given as a condition of a court, probation or parole referral",
        default=False,
        help_text="42 CFR 2.35: it cannot be revoked until the condition below is met.",
    )
    irrevocable_until = models.CharField(
        "cannot be revoked until",
        max_length=200,
        blank=True,
        help_text="For example: final disposition of case CR-2026-0412.",
    )
    condition_met_on = models.DateField(null=True, blank=True)
    # The court team the consent names: contacts on the client's record (collateral ids).
    court_team = models.JSONField(default=list, blank=True)
    signature_method = models.CharField(max_length=10, choices=SignatureMethod.choices, blank=True)
    signature_image = models.TextField(blank=True)  # a PNG data URL drawn on screen
    signature_scan = models.FileField(upload_to="consents/%Y/", blank=True)
    signed_by = models.CharField(
        "signed by",
        max_length=200,
        blank=True,
        help_text="The client, or their legal representative (say who).",
    )
    witness_name = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)

    revoked_on = models.DateField(null=True, blank=True)
    revocation_method = models.CharField(max_length=20, blank=True)
    revocation_note = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["status", "expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="consent_none_expiry_only_for_tpo",
                condition=~models.Q(expiry_kind="none") | models.Q(recipient_kind="tpo"),
            ),
            models.CheckConstraint(
                name="revoked_consent_has_a_date",
                condition=~models.Q(status="revoked") | models.Q(revoked_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"

    @property
    def revocation_method_label(self) -> str:
        """How the client revoked it, in words (a method no longer offered keeps its words)."""
        return REVOCATION_METHOD_LABELS.get(self.revocation_method, self.revocation_method)


class DisclosureMethod(models.TextChoices):
    PRINTED = "printed", "Printed or handed over"
    MAILED = "mailed", "Mailed"
    FAXED = "faxed", "Faxed"
    EMAILED = "emailed", "Emailed"
    PHONE = "phone", "Told by phone or in person"
    ELECTRONIC = "electronic", "Sent electronically (system to system)"
    ACCOUNT = "account", "Read through the recipient's own read-only account"


class Disclosure(models.Model):
    """Something that left the program about a client: kept for the accounting of disclosures."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="disclosures"
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    recipient = models.CharField(max_length=200)
    recipient_collateral = models.ForeignKey(
        "clients.Collateral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Staff said the recipient is a health care provider or plan (what lets a TPO consent cover it).
    recipient_is_health_care = models.BooleanField(default=False)
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    description = models.TextField(help_text="What was shared.")
    body = models.TextField(blank=True, help_text="The letter or summary as it was sent.")
    method = models.CharField(max_length=12, choices=DisclosureMethod.choices)
    disclosed_at = models.DateTimeField(auto_now_add=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A bona fide medical emergency (42 CFR 2.51): no consent, but these facts are recorded.
    is_emergency = models.BooleanField(default=False)
    emergency_personnel = models.CharField(max_length=200, blank=True)
    emergency_facility = models.CharField(max_length=200, blank=True)
    emergency_nature = models.TextField(blank=True)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [models.Index(fields=["client", "disclosed_at"])]
        constraints = [
            models.CheckConstraint(
                name="disclosure_has_consent_or_is_emergency",
                condition=models.Q(consent__isnull=False) | models.Q(is_emergency=True),
            )
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}"
