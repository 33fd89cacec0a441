"""The disclosure gate: does a consent cover sending these categories to this recipient for this
purpose on this day? Pure functions over consents, so every rule is testable without a database.

The gate answers the question without knowing who asks; services record what it allowed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from casebridge.consents.models import (
    TPO_PURPOSES,
    Consent,
    ConsentStatus,
    ExpiryKind,
    InformationCategory,
    Purpose,
    RecipientKind,
    SignatureMethod,
)


@dataclass(frozen=True)
class Recipient:
    """Who would receive the information."""

    name: str
    collateral_id: int | None = None
    # A health care provider or health plan: the single TPO consent can cover these.
    is_health_care: bool = False


@dataclass(frozen=True)
class DisclosureRequest:
    recipient: Recipient
    categories: frozenset[str]
    purpose: str
    on: date


@dataclass
class Decision:
    allowed: bool
    consent: Consent | None = None
    reasons: list[str] = field(default_factory=list)
    needed: str = ""


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split()) and bool(a.strip())


def missing_elements(consent: Consent) -> dict[str, str]:
    """Each element 42 CFR 2.31 requires that the consent lacks, keyed by form field."""
    missing: dict[str, str] = {}
    if not consent.patient_name.strip():
        missing["patient_name"] = "Give the client's name."
    if not consent.disclosing_party.strip():
        missing["disclosing_party"] = "Say who may share the information."
    if not consent.categories:
        missing["categories"] = "Tick the information the client agrees to share."
    if consent.recipient_kind == RecipientKind.COLLATERAL and not consent.recipient_collateral_id:
        missing["recipient_collateral"] = "Choose which contact may receive it."
    elif consent.recipient_kind == RecipientKind.NAMED and not consent.recipient_name.strip():
        missing["recipient_name"] = "Name the person or organisation who may receive it."
    elif not consent.recipient_kind:
        missing["recipient_kind"] = "Say who may receive the information."
    tpo_consent = consent.recipient_kind == RecipientKind.TPO
    if tpo_consent and consent.purpose and consent.purpose not in TPO_PURPOSES:
        missing["purpose"] = (
            "A treatment, payment and operations consent is for those purposes only."
        )
    if not consent.purpose:
        missing["purpose"] = "Say why the information is shared."
    if not consent.right_to_revoke_explained:
        missing["right_to_revoke_explained"] = (
            "Tell the client they can revoke this consent and how, then tick this."
        )
    if consent.expiry_kind == ExpiryKind.DATE and not consent.expires_on:
        missing["expires_on"] = "Give the date the consent ends."
    elif consent.expiry_kind == ExpiryKind.EVENT and not consent.expiry_event.strip():
        missing["expiry_event"] = "Say what event ends the consent."
    elif consent.expiry_kind == ExpiryKind.NONE and consent.recipient_kind != RecipientKind.TPO:
        missing["expiry_kind"] = "Only a treatment, payment and operations consent may have no end."
    elif not consent.expiry_kind:
        missing["expiry_kind"] = "Say when the consent ends."
    if consent.signature_method == SignatureMethod.DRAWN and not consent.signature_image:
        missing["signature_image"] = "Have the client sign in the box."
    elif consent.signature_method == SignatureMethod.UPLOADED and not consent.signature_scan:
        missing["signature_scan"] = "Upload the signed paper form."
    elif consent.signature_method == SignatureMethod.VERBAL and not consent.witness_name.strip():
        missing["witness_name"] = "Name the witness to the verbal consent."
    elif not consent.signature_method:
        missing["signature_method"] = "Say how the client signed."
    if not consent.signed_by.strip():
        missing["signed_by"] = "Say who signed: the client or their legal representative."
    if not consent.signed_on:
        missing["signed_on"] = "Give the date it was signed."
    if consent.criminal_justice:
        missing |= _criminal_justice_missing(consent)
    return missing


CRIMINAL_JUSTICE_PURPOSES = frozenset({Purpose.COURT, Purpose.PROBATION})


def _criminal_justice_missing(consent: Consent) -> dict[str, str]:
    """What a consent given as a condition of a criminal justice referral (42 CFR 2.35) must
    carry besides: a court or probation purpose, a recipient who is not treatment, payment and
    operations, the condition until which it cannot be revoked, and the court team it names."""
    missing: dict[str, str] = {}
    if consent.purpose and consent.purpose not in CRIMINAL_JUSTICE_PURPOSES:
        missing["purpose"] = (
            "A consent given as a condition of a court or probation referral is for the court "
            "or for probation or parole."
        )
    if consent.recipient_kind == RecipientKind.TPO:
        missing["recipient_kind"] = (
            "Name the court or the probation department: a treatment, payment and operations "
            "consent cannot be a condition of a court referral."
        )
    if not consent.irrevocable_until.strip():
        missing["irrevocable_until"] = (
            "Say until when the client cannot take it back, for example the final disposition "
            "of the case."
        )
    if not consent.court_team:
        missing["court_team"] = (
            "Tick the members of the court team who may receive it (judge, attorneys, "
            "probation or parole officer), from the client's contacts."
        )
    return missing


def revocation_refusal(consent: Consent, on: date) -> str | None:
    """Why the consent cannot be revoked on `on`, or None when it can. A consent given as a
    condition of a court referral (42 CFR 2.35) cannot be until its condition has been met."""
    if not consent.criminal_justice:
        return None
    if consent.condition_met_on is None or on < consent.condition_met_on:
        condition = consent.irrevocable_until.strip() or "the condition it names"
        return (
            "This consent was given as a condition of a court, probation or parole referral "
            f"(42 CFR 2.35): it cannot be revoked until {condition}. When that has happened, "
            "record it on this page; then the client may revoke it."
        )
    return None


def state_on(consent: Consent, on: date) -> str:
    """draft, active, revoked, expired or not yet signed, as of the day `on`."""
    if consent.status == ConsentStatus.DRAFT:
        return "draft"
    if consent.status == ConsentStatus.REVOKED and consent.revoked_on and consent.revoked_on <= on:
        return "revoked"
    if consent.signed_on and consent.signed_on > on:
        return "not yet signed"
    if consent.expiry_kind == ExpiryKind.DATE and consent.expires_on and on > consent.expires_on:
        return "expired"
    happened = consent.expiry_event_happened_on
    # Staff record the ending event once it has happened; the date says since when. A recorded
    # date still to come is a typing mistake (the service refuses one now) and must not keep
    # sharing open under a consent the page shows as ended: it counts as over already.
    if (
        consent.expiry_kind == ExpiryKind.EVENT
        and happened
        and (on >= happened or happened > timezone.localdate())
    ):
        return "expired"
    return "active"


def _covers_recipient(consent: Consent, request: DisclosureRequest) -> bool:
    recipient = request.recipient
    if consent.recipient_kind == RecipientKind.TPO:
        return recipient.is_health_care and request.purpose in TPO_PURPOSES
    if (
        consent.criminal_justice
        and recipient.collateral_id is not None
        and recipient.collateral_id in (consent.court_team or [])
    ):
        return True  # a member of the court team the consent names
    if consent.recipient_kind == RecipientKind.COLLATERAL:
        return (
            recipient.collateral_id is not None
            and recipient.collateral_id == consent.recipient_collateral_id
        )
    return _same_name(consent.recipient_name, recipient.name)


def _covers_categories(consent: Consent, requested: frozenset[str]) -> bool:
    granted = set(consent.categories)
    if InformationCategory.ALL_SUD in granted:
        return True
    return requested <= granted


def _covers_purpose(consent: Consent, purpose: str) -> bool:
    if consent.recipient_kind == RecipientKind.TPO:
        return purpose in TPO_PURPOSES
    return consent.purpose == purpose


def why_not(consent: Consent, request: DisclosureRequest) -> str | None:
    """None when the consent covers the request, else the first reason it does not."""
    state = state_on(consent, request.on)
    if state != "active":
        return f"Consent {consent.pk} is {state}."
    if not _covers_recipient(consent, request):
        return f"Consent {consent.pk} does not name this recipient."
    if not _covers_categories(consent, request.categories):
        return f"Consent {consent.pk} does not include all of this information."
    if not _covers_purpose(consent, request.purpose):
        return f"Consent {consent.pk} is for a different purpose."
    return None


def _describe_need(request: DisclosureRequest) -> str:
    labels = dict(InformationCategory.choices)
    what = ", ".join(sorted(str(labels.get(c, c)) for c in request.categories)).lower()
    purpose = str(dict(Purpose.choices).get(request.purpose, request.purpose)).lower()
    return (
        f"A signed, unexpired consent naming {request.recipient.name} as recipient, "
        f"covering {what}, for {purpose}."
    )


def decide(consents: Iterable[Consent], request: DisclosureRequest) -> Decision:
    """Allow when any consent covers the whole request; otherwise say what would be needed."""
    if not request.categories:
        return Decision(allowed=False, reasons=["Say what information would be shared."])
    reasons = []
    for consent in consents:
        reason = why_not(consent, request)
        if reason is None:
            return Decision(allowed=True, consent=consent)
        reasons.append(reason)
    if not reasons:
        reasons.append("The client has no consents on record.")
    return Decision(allowed=False, reasons=reasons, needed=_describe_need(request))
