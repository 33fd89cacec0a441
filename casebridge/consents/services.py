"""Writes for consents and disclosures. Every disclosure passes the gate or is a recorded
medical emergency; every change is audited and shows on the client's timeline."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version
from casebridge.clients.models import Client, Collateral
from casebridge.clients.services import timeline_add
from casebridge.consents.gate import (
    Decision,
    DisclosureRequest,
    Recipient,
    decide,
    missing_elements,
    revocation_refusal,
)
from casebridge.consents.models import (
    REVOCATION_METHODS,
    Consent,
    ConsentStatus,
    Disclosure,
    TimelineKind,
)
from casebridge.inputs import check_date

CONSENT_FIELDS = [
    "patient_name",
    "disclosing_party",
    "categories",
    "information_detail",
    "recipient_kind",
    "recipient_collateral",
    "recipient_name",
    "purpose",
    "purpose_detail",
    "right_to_revoke_explained",
    "expiry_kind",
    "expires_on",
    "expiry_event",
    "signature_method",
    "signature_image",
    "signature_scan",
    "signed_by",
    "witness_name",
    "signed_on",
    "language",
    "criminal_justice",
    "irrevocable_until",
    "court_team",
]


class DisclosureRefused(Exception):
    """No consent covers what someone tried to send out of the program."""

    def __init__(self, decision: Decision) -> None:
        super().__init__("No consent covers this disclosure. " + decision.needed)
        self.decision = decision


class ConsentLocked(Exception):
    """A signed, active consent is never edited; it is revoked and replaced."""


def _timeline(
    client: Client, summary: str, by: User, detail: str = "", kind: str = TimelineKind.CONSENT
) -> None:
    timeline_add(client=client, kind=kind, summary=summary, actor=by, detail=detail)


def _audit_fields(consent: Consent) -> dict[str, Any]:
    values = {name: getattr(consent, name) for name in CONSENT_FIELDS}
    values["recipient_collateral"] = consent.recipient_collateral_id
    values["signature_image"] = bool(consent.signature_image)
    values["signature_scan"] = consent.signature_scan.name if consent.signature_scan else ""
    return values


def _check_collateral(client: Client, collateral: Collateral | None) -> None:
    if collateral is not None and collateral.client_id != client.pk:
        raise ValidationError({"recipient_collateral": "Choose one of this client's contacts."})


def _check_court_team(client: Client, team: Any) -> None:
    if team is None:
        return
    ids = [int(member) for member in team] if isinstance(team, list | tuple) else None
    if ids is None or set(ids) - set(client.collaterals.values_list("pk", flat=True)):
        raise ValidationError({"court_team": "Choose the court team from the client's contacts."})


def consent_save(
    *,
    client: Client,
    by: User,
    activate: bool,
    consent: Consent | None = None,
    version: int | None = None,
    **fields: Any,
) -> Consent:
    """Create or update a draft consent; with `activate`, it must carry every required element."""
    _check_collateral(client, fields.get("recipient_collateral"))
    _check_court_team(client, fields.get("court_team"))
    if "court_team" in fields:
        fields["court_team"] = sorted({int(member) for member in fields["court_team"] or []})
    with transaction.atomic():
        if consent is None:
            consent = Consent(client=client, created_by=by)
            before: dict[str, Any] = {}
        else:
            consent = Consent.objects.select_for_update().get(pk=consent.pk, client=client)
            if consent.status != ConsentStatus.DRAFT:
                raise ConsentLocked(
                    "This consent is signed and in effect; revoke it and record a new one."
                )
            check_version(
                current=consent.version,
                version=-1 if version is None else version,
                client_id=client.pk,
                object_type="consent",
                object_id=consent.pk,
            )
            before = _audit_fields(consent) | {"version": consent.version}
            consent.version += 1
        for name, value in fields.items():
            if name not in CONSENT_FIELDS:
                raise ValueError(f"{name} is not a consent field")
            setattr(consent, name, value)
        if not consent.patient_name:
            consent.patient_name = client.legal_name
        if not consent.disclosing_party:
            consent.disclosing_party = client.organisation.name
        if activate:
            missing = missing_elements(consent)
            if missing:
                raise ValidationError(missing)
            if consent.signed_on and consent.signed_on > timezone.localdate():
                raise ValidationError({"signed_on": "The signing date cannot be in the future."})
            consent.status = ConsentStatus.ACTIVE
        consent.full_clean(exclude=["signature_scan"])
        consent.save()
        after = _audit_fields(consent) | {"status": consent.status}
        if before:
            after["version"] = consent.version
        audit_record(
            actor=by,
            action="update" if before else "create",
            client_id=client.pk,
            object_type="consent",
            object_id=consent.pk,
            changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
        )
        if activate:
            _timeline(
                client,
                f"Consent signed: share with {recipient_label(consent)}",
                by,
                consent.get_purpose_display(),
            )
        elif not before:
            _timeline(client, "Consent started (draft)", by)
    return consent


def recipient_label(consent: Consent) -> str:
    if consent.recipient_kind == "tpo":
        return "treatment, payment and operations"
    if consent.recipient_collateral_id and consent.recipient_collateral is not None:
        return consent.recipient_collateral.name
    return consent.recipient_name or "—"


def consent_revoke(
    *, consent: Consent, by: User, revoked_on: date, method: str, note: str = ""
) -> Consent:
    """Revocation stops every further disclosure under this consent from `revoked_on`."""
    if revoked_on > timezone.localdate():
        raise ValidationError({"revoked_on": "The revocation date cannot be in the future."})
    if method not in dict(REVOCATION_METHODS):
        raise ValidationError({"method": "Choose how the client said so."})
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if current.status != ConsentStatus.ACTIVE:
            raise ValidationError("Only a consent in effect can be revoked.")
        if current.signed_on and revoked_on < current.signed_on:
            raise ValidationError(
                {"revoked_on": "A consent cannot be revoked before it was signed."}
            )
        refusal = revocation_refusal(current, revoked_on)
        if refusal:
            raise ValidationError(refusal)
        current.status = ConsentStatus.REVOKED
        current.revoked_on = revoked_on
        current.revocation_method = method
        current.revocation_note = note.strip()
        current.revoked_by = by
        current.version += 1
        current.save()
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type="consent",
            object_id=current.pk,
            changes={
                "status": ["active", "revoked"],
                "revoked_on": [None, revoked_on.isoformat()],
                "method": [None, method],
            },
        )
        _timeline(current.client, f"Consent revoked: {recipient_label(current)}", by, note.strip())
    return current


@dataclass(frozen=True)
class _Happening:
    """Something that happened to a consent on a day, recorded once: its ending event, or the
    condition a criminal justice consent names."""

    field: str  # the consent's date field, and the form's
    form_field: str
    not_yet: str  # said of a day still to come
    applies: Callable[[Consent], bool]
    not_applying: str
    already: str  # the consent is not in effect, or the day is already recorded
    timeline: Callable[[Consent], str]


_EVENT = _Happening(
    field="expiry_event_happened_on",
    form_field="happened_on",
    not_yet="The event has to have happened already: give today or an earlier day.",
    applies=lambda c: c.expiry_kind == "event",
    not_applying="This consent does not end with an event.",
    already="Only a consent in effect can be ended by its event.",
    timeline=lambda c: f"Consent ended: {c.expiry_event}",
)
_CONDITION = _Happening(
    field="condition_met_on",
    form_field="met_on",
    not_yet="The condition has to have been met already: give today or an earlier day.",
    applies=lambda c: c.criminal_justice,
    not_applying="This consent was not given as a condition of a court referral.",
    already="Only a consent in effect, whose condition is still open, can.",
    timeline=lambda c: f"Consent may now be revoked: {c.irrevocable_until} (met)",
)


def _happened(consent: Consent, by: User, on: date, what: _Happening) -> Consent:
    """Record the day `what` happened: between the signing and today, once."""
    check_date(on)
    if on > timezone.localdate():
        raise ValidationError({what.form_field: what.not_yet})
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if not what.applies(current):
            raise ValidationError(what.not_applying)
        if current.status != ConsentStatus.ACTIVE or getattr(current, what.field) is not None:
            raise ValidationError(what.already)
        if current.signed_on and on < current.signed_on:
            raise ValidationError(
                {what.form_field: "The consent was signed after that day; check the date."}
            )
        setattr(current, what.field, on)
        current.version += 1
        current.save()
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type="consent",
            object_id=current.pk,
            changes={what.field: [None, on.isoformat()]},
        )
        _timeline(current.client, what.timeline(current), by)
    return current


def consent_event_happened(*, consent: Consent, by: User, happened_on: date) -> Consent:
    """Record that the event ending the consent (e.g. end of treatment) has happened: on a day
    between its signing and today, since the gate stops sharing from that day on."""
    return _happened(consent, by, happened_on, _EVENT)


def disclosure_gate(
    *,
    client: Client,
    recipient: Recipient,
    categories: set[str] | frozenset[str],
    purpose: str,
    on: date | None = None,
    lock: bool = False,
) -> Decision:
    """Ask the gate about this client's consents (one query)."""
    request = DisclosureRequest(
        recipient=recipient,
        categories=frozenset(categories),
        purpose=purpose,
        on=on or timezone.localdate(),
    )
    consents = client.consents.exclude(status=ConsentStatus.DRAFT).order_by("-signed_on", "-id")
    if lock:
        consents = consents.select_for_update()
    return decide(consents, request)


def disclosure_record(
    *,
    client: Client,
    by: User,
    recipient: Recipient,
    categories: set[str] | frozenset[str],
    purpose: str,
    description: str,
    method: str,
    body: str = "",
) -> Disclosure:
    """Send something out of the program: only if a consent covers it, and always recorded."""
    with transaction.atomic():
        # The consents stay locked while the gate decides and the disclosure is written, so a
        # revocation saved at the same moment either comes first (and refuses) or waits.
        decision = disclosure_gate(
            client=client, recipient=recipient, categories=categories, purpose=purpose, lock=True
        )
        if decision.allowed:
            disclosure = Disclosure(
                client=client,
                consent=decision.consent,
                recipient=recipient.name,
                recipient_collateral_id=recipient.collateral_id,
                recipient_is_health_care=recipient.is_health_care,
                categories=sorted(categories),
                purpose=purpose,
                description=description.strip(),
                body=body,
                method=method,
                disclosed_by=by,
            )
            disclosure.full_clean()
            disclosure.save()
            audit_record(
                actor=by,
                action="export",
                client_id=client.pk,
                object_type="disclosure",
                object_id=disclosure.pk,
                changes={
                    "consent": [None, disclosure.consent_id],
                    "recipient_is_health_care": [None, recipient.is_health_care],
                    "categories": [None, disclosure.categories],
                    "purpose": [None, purpose],
                },
            )
            _timeline(
                client,
                f"Information shared with {recipient.name}",
                by,
                description.strip(),
                kind=TimelineKind.DISCLOSURE,
            )
            return disclosure
    # The refused attempt is itself kept on the audit trail.
    audit_record(
        actor=by,
        action="export",
        client_id=client.pk,
        object_type="disclosure_refused",
        changes={"recipient": recipient.name, "categories": sorted(categories), "purpose": purpose},
    )
    raise DisclosureRefused(decision)


def disclosure_record_emergency(
    *,
    client: Client,
    by: User,
    personnel: str,
    facility: str,
    nature: str,
    description: str,
    method: str,
) -> Disclosure:
    """A bona fide medical emergency (42 CFR 2.51): no consent, but the facts the rule asks for."""
    problems = {}
    if not personnel.strip():
        problems["personnel"] = "Name the medical personnel who received the information."
    if not facility.strip():
        problems["facility"] = "Name the facility or service they work for."
    if len(nature.strip()) < 10:
        problems["nature"] = "Describe the medical emergency."
    recipient = f"{personnel.strip()}, {facility.strip()}"
    # The accounting of disclosures lists them together, in the one recipient column.
    limit = Disclosure._meta.get_field("recipient").max_length or 200
    if len(recipient) > limit:
        problems["facility"] = (
            f"The names of the personnel and the facility together must fit in {limit - 2} "
            "characters; shorten one of them."
        )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        disclosure = Disclosure(
            client=client,
            recipient=recipient,
            categories=["all_sud"],
            purpose="treatment",
            description=description.strip(),
            method=method,
            disclosed_by=by,
            is_emergency=True,
            emergency_personnel=personnel.strip(),
            emergency_facility=facility.strip(),
            emergency_nature=nature.strip(),
        )
        disclosure.full_clean()
        disclosure.save()
        audit_record(
            actor=by,
            action="export",
            client_id=client.pk,
            object_type="emergency_disclosure",
            object_id=disclosure.pk,
            changes={
                "personnel": [None, disclosure.emergency_personnel],
                "facility": [None, disclosure.emergency_facility],
            },
        )
        _timeline(
            client,
            f"Emergency disclosure to {disclosure.recipient}",
            by,
            nature.strip(),
            kind=TimelineKind.DISCLOSURE,
        )
    return disclosure


def consent_condition_met(*, consent: Consent, by: User, met_on: date) -> Consent:
    """Record that the condition a criminal justice consent names has been met (42 CFR 2.35):
    from that day on the client may revoke it. Sharing goes on until they do or it ends."""
    return _happened(consent, by, met_on, _CONDITION)
