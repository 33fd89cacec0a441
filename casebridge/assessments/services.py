"""Recording a completed instrument: validate, score, keep, audit, and raise a safety flag at once
when an answer calls for a same-day safety response. The biopsychosocial assessment: start one
(a reassessment from the last signed one), save drafts, sign and lock, add addenda."""

import copy
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.assessments.biopsychosocial import (
    ASAM_DIMENSIONS,
    CARRIED_PARTS,
    LEVEL_NAMES,
    NEED_DOMAINS,
    NEED_SEVERITY,
    PART_TITLES,
    SECTIONS,
    suggest_level,
)
from casebridge.assessments.definitions import instrument as get_instrument
from casebridge.assessments.models import (
    Addendum,
    Assessment,
    AssessmentStatus,
    InstrumentResponse,
    TimelineKind,
)
from casebridge.assessments.queries import last_signed_assessment
from casebridge.assessments.scoring import Result, score
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version
from casebridge.clients.models import Client, FlagKind, Substance
from casebridge.clients.services import flag_raise, timeline_add


def instrument_record(
    *,
    client: Client,
    by: User,
    code: str,
    answers: dict[str, Any],
    context: dict[str, str] | None = None,
    completed_by_client: bool = False,
) -> InstrumentResponse:
    """Score and keep one completed instrument; refuses incomplete or out-of-range answers."""
    definition = get_instrument(code)
    result = score(definition, answers, context or {})
    with transaction.atomic():
        response = InstrumentResponse.objects.create(
            client=client,
            instrument=definition.code,
            version=definition.version,
            answers=result.answers,
            context=context or {},
            scores=result.scores,
            primary_score=result.primary,
            band=result.band.label if result.band else "",
            positive=result.positive,
            safety_concern=bool(result.safety_messages),
            completed_by_client=completed_by_client,
            administered_by=by,
        )
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="instrument_response",
            object_id=response.pk,
            changes={"instrument": [None, definition.code], "scores": [None, result.scores]},
        )
        summary = _measure_summary(definition.name, result, response.band)
        timeline_add(client=client, kind=TimelineKind.MEASURE, summary=summary, actor=by)
        if result.safety_messages:
            _raise_safety_flag(
                client=client, by=by, note=f"{definition.name}: " + " ".join(result.safety_messages)
            )
    return response


def _measure_summary(name: str, result: Result, band: str) -> str:
    """The timeline line for a measure: the total and its band, or for an instrument with no
    total (the BAM, the C-SSRS screener) its risk level or else its sub-scores."""
    if result.primary is not None:
        return f"{name}: {result.primary}" + (f" ({band})" if band else "")
    if band:
        return f"{name}: {band}"
    return f"{name}: " + ", ".join(f"{score} {value}" for score, value in result.scores.items())


def _raise_safety_flag(*, client: Client, by: User, note: str) -> None:
    """A safety flag stays open until staff record a safety follow-up (clearing it with a note);
    another safety answer while it is open adds nothing, the open flag already asks for it."""
    open_flags = client.flags.filter(kind=FlagKind.SAFETY, cleared_at__isnull=True)
    if open_flags.exists():
        return
    try:
        flag_raise(client=client, by=by, kind=FlagKind.SAFETY, note=note[:300])
    except ValidationError:
        # Raised by someone else a moment ago: theirs asks for the same follow-up.
        if not open_flags.exists():
            raise


class AssessmentLocked(Exception):
    """A signed assessment is never edited; corrections are addenda."""


CONFLICT_MESSAGE = (
    "Someone else saved this assessment while you were working on it. Your changes were not "
    "saved; review theirs below and make yours again."
)


def assessment_start(*, client: Client, by: User) -> Assessment:
    """A new draft. A reassessment starts from the client's last signed assessment (substances,
    sections, needs and ASAM ratings; the level of care is chosen afresh); the first assessment
    starts from what registration recorded (the substances and the goals in the client's own
    words). Each part taken over stays marked "carried over" until the person confirms or
    changes it; the marker never blocks signing."""
    previous = last_signed_assessment(client)
    start = _start_from(previous) if previous else _start_from_registration(client)
    with transaction.atomic():
        assessment = Assessment.objects.create(client=client, created_by=by, **start)
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="assessment",
            object_id=assessment.pk,
            changes={"carried over from": [None, previous.pk]} if previous else None,
        )
        timeline_add(
            client=client,
            kind=TimelineKind.ASSESSMENT,
            summary="Assessment started",
            detail=(
                f"Starts from the assessment signed {_house_date(previous)}." if previous else ""
            ),
            actor=by,
        )
    return assessment


def _house_date(assessment: Assessment) -> str:
    signed = timezone.localtime(assessment.signed_at) if assessment.signed_at else None
    return f"{signed:%b} {signed.day}, {signed.year}" if signed else ""


def _has_content(value: Any) -> bool:
    """Anything recorded: a rating of 0 is an answer, an empty string or a missing one is not."""
    if isinstance(value, dict):
        return any(_has_content(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_content(v) for v in value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _normal(value: Any) -> Any:
    """A part as compared for "changed": empty answers left out, so a form that sends every
    question blank compares equal to a record that kept only the answered ones."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if _has_content(v)}
    if isinstance(value, list):
        return [_normal(v) for v in value if _has_content(v)]
    return value.strip() if isinstance(value, str) else value


def _part(key: str, parts: dict[str, Any]) -> Any:
    """One part of an assessment, from {"sections", "substances", "needs", "asam"}."""
    if key in ("substances", "needs", "asam"):
        return parts[key]
    return parts["sections"].get(key, {})


def _suggested(asam: dict[str, Any]) -> str:
    ratings = {int(d): v["rating"] for d, v in asam.items() if v.get("rating") is not None}
    return suggest_level(ratings)[0] if len(ratings) == len(ASAM_DIMENSIONS) else ""


def _start_from(previous: Assessment) -> dict[str, Any]:
    parts = {
        "sections": copy.deepcopy(previous.sections),
        "substances": copy.deepcopy(previous.substances),
        "needs": copy.deepcopy(previous.needs),
        "asam": copy.deepcopy(previous.asam),
    }
    signed_on = timezone.localtime(previous.signed_at).date() if previous.signed_at else None
    return parts | {
        "suggested_level": _suggested(parts["asam"]),
        "carried_over": {
            "from": "assessment",
            "assessment_id": previous.pk,
            "signed_on": signed_on.isoformat() if signed_on else "",
            "unconfirmed": [key for key, _ in CARRIED_PARTS if _has_content(_part(key, parts))],
        },
    }


def _start_from_registration(client: Client) -> dict[str, Any]:
    substances = [
        {
            "substance": code,
            "age_first_use": None,
            "pattern": "",
            "route": "",
            "last_use": "",
            "overdoses": None,
            "withdrawal": "",
            "prior_treatment": "",
        }
        for code in client.primary_substances or []
        if code in Substance.values
    ]
    goals = (client.goals_in_own_words or "").strip()
    sections = {"goals": {"own_words": goals}} if goals else {}
    unconfirmed = [
        key for key, present in (("substances", substances), ("goals", goals)) if present
    ]
    return {
        "sections": sections,
        "substances": substances,
        "carried_over": {"from": "registration", "unconfirmed": unconfirmed} if unconfirmed else {},
    }


def _incomplete_for_signing(assessment: Assessment) -> dict[str, str]:
    problems: dict[str, str] = {}
    for dimension, name in ASAM_DIMENSIONS:
        if assessment.asam.get(str(dimension), {}).get("rating") is None:
            problems[f"asam_{dimension}_rating"] = f"Rate dimension {dimension} ({name.lower()})."
    for domain, label in NEED_DOMAINS:
        if assessment.needs.get(domain, {}).get("severity") is None:
            problems[f"need_{domain}_severity"] = (
                f"Rate the need for {label.lower()} (choose 'No need' if none)."
            )
    if not assessment.chosen_level:
        problems["chosen_level"] = "Confirm a level of care."
    elif (
        assessment.chosen_level != assessment.suggested_level
        and not assessment.level_override_reason.strip()
    ):
        problems["level_override_reason"] = "Say why the level differs from the suggestion."
    return problems


def assessment_save(
    *,
    assessment: Assessment,
    by: User,
    version: int,
    sections: dict[str, dict[str, Any]],
    substances: list[dict[str, Any]],
    needs: dict[str, dict[str, Any]],
    asam: dict[str, dict[str, Any]],
    chosen_level: str,
    level_override_reason: str,
    sign: bool = False,
    confirmed: Collection[str] = (),
) -> Assessment:
    """Save a draft (and sign it when asked and complete). One transaction; audited.

    A carried-over part stops being marked once the person confirms it (`confirmed`) or changes
    it. Signing with parts still marked is allowed: the signed record keeps the list.
    """
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if current.status != AssessmentStatus.DRAFT:
            raise AssessmentLocked("This assessment is signed and locked. Add an addendum instead.")
        check_version(
            current=current.version,
            version=version,
            client_id=current.client_id,
            object_type="assessment",
            object_id=current.pk,
            message=CONFLICT_MESSAGE,
        )
        before = _audited(current)
        old = {
            "sections": current.sections,
            "substances": current.substances,
            "needs": current.needs,
            "asam": current.asam,
        }
        new = {"sections": sections, "substances": substances, "needs": needs, "asam": asam}
        if current.carried_over.get("unconfirmed"):
            current.carried_over = current.carried_over | {
                "unconfirmed": [
                    part
                    for part in current.carried_over["unconfirmed"]
                    if part not in confirmed
                    and _normal(_part(part, old)) == _normal(_part(part, new))
                ]
            }
        current.sections = sections
        current.substances = substances
        current.needs = needs
        current.asam = asam
        current.suggested_level = _suggested(asam)
        current.chosen_level = chosen_level
        current.level_override_reason = level_override_reason.strip()
        if sign:
            problems = _incomplete_for_signing(current)
            if problems:
                raise ValidationError(problems)
            current.status = AssessmentStatus.SIGNED
            current.signed_by = by
            current.signed_at = timezone.now()
        current.version += 1
        current.full_clean()
        current.save()
        after = _audited(current)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        changes |= {k: [v, None] for k, v in before.items() if k not in after}
        if sign:
            changes["status"] = ["draft", "signed"]
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type="assessment",
            object_id=current.pk,
            # The version move lets a conflict name who saved in between (audit.versions).
            changes=changes | {"version": [version, current.version]},
        )
        if sign:
            level = f"level {current.chosen_level} ({LEVEL_NAMES.get(current.chosen_level, '')})"
            timeline_add(
                client=current.client,
                kind=TimelineKind.ASSESSMENT,
                summary=f"Assessment signed: {level}",
                detail=current.level_override_reason,
                actor=by,
            )
    return current


def _audited(assessment: Assessment) -> dict[str, Any]:
    """The assessment as the audit trail records it, one readable entry per answer, so a
    conflict can say in words what the other person changed."""
    severity = dict(NEED_SEVERITY)
    found: dict[str, Any] = {}
    names = [
        dict(Substance.choices).get(row.get("substance", ""), row.get("substance", ""))
        for row in assessment.substances
    ]
    if names:
        found["substance use"] = ", ".join(names)
    for section in SECTIONS:
        answers = assessment.sections.get(section.key, {})
        for question in section.questions:
            if _has_content(answers.get(question.key)):
                found[f"{section.title}: {question.label}"] = answers[question.key]
    for domain, label in NEED_DOMAINS:
        need = assessment.needs.get(domain, {})
        if need.get("severity") is not None:
            found[f"{label} need"] = severity.get(need["severity"], need["severity"])
        if _has_content(need.get("reason")):
            found[f"{label} need, why"] = need["reason"]
    for dimension, _ in ASAM_DIMENSIONS:
        rated = assessment.asam.get(str(dimension), {})
        if rated.get("rating") is not None:
            found[f"ASAM dimension {dimension} rating"] = rated["rating"]
        if _has_content(rated.get("rationale")):
            found[f"ASAM dimension {dimension} reason"] = rated["rationale"]
    if assessment.chosen_level:
        found["level of care"] = assessment.chosen_level
    if assessment.level_override_reason:
        found["level chosen instead because"] = assessment.level_override_reason
    unconfirmed = assessment.carried_over.get("unconfirmed") or []
    if unconfirmed:
        found["carried over, not yet confirmed"] = ", ".join(
            PART_TITLES.get(part, part) for part in unconfirmed
        )
    return found


def addendum_add(*, assessment: Assessment, by: User, text: str) -> Addendum:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the correction or addition."})
    if assessment.status != AssessmentStatus.SIGNED:
        raise ValidationError("Addenda are for signed assessments; edit the draft instead.")
    with transaction.atomic():
        addendum = Addendum.objects.create(assessment=assessment, text=text, written_by=by)
        audit_record(
            actor=by,
            action="create",
            client_id=assessment.client_id,
            object_type="addendum",
            object_id=addendum.pk,
            changes={"assessment": [None, assessment.pk]},
        )
        timeline_add(
            client=assessment.client,
            kind=TimelineKind.ASSESSMENT,
            summary="Addendum to the assessment",
            detail=text,
            actor=by,
        )
    return addendum
