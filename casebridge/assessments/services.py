"""Recording a completed instrument: validate, score, keep, audit, and raise a safety flag at once
when an answer calls for a same-day safety response."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.assessments.biopsychosocial import (
    ASAM_DIMENSIONS,
    LEVEL_NAMES,
    NEED_DOMAINS,
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
from casebridge.assessments.scoring import Result, score
from casebridge.audit.services import audit_record
from casebridge.clients.models import Client, ClientFlag, FlagKind
from casebridge.clients.models import TimelineKind as ClientTimelineKind
from casebridge.clients.services import timeline_add


def instrument_record(
    *,
    client: Client,
    by: Any,
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


def _raise_safety_flag(*, client: Client, by: Any, note: str) -> None:
    """A safety flag stays open until staff record a safety follow-up (clearing it with a note)."""
    if ClientFlag.objects.filter(
        client=client, kind=FlagKind.SAFETY, cleared_at__isnull=True
    ).exists():
        return
    flag = ClientFlag.objects.create(
        client=client, kind=FlagKind.SAFETY, note=note[:300], raised_by=by
    )
    audit_record(
        actor=by,
        action="create",
        client_id=client.pk,
        object_type="flag",
        object_id=flag.pk,
        changes={"kind": [None, FlagKind.SAFETY]},
    )
    timeline_add(
        client=client,
        kind=ClientTimelineKind.FLAG,
        summary="Flag raised: Safety concern",
        detail=note,
        actor=by,
    )


class AssessmentLocked(Exception):
    """A signed assessment is never edited; corrections are addenda."""


class StaleAssessment(Exception):
    """Someone else saved this draft since it was opened."""


def assessment_start(*, client: Client, by: Any) -> Assessment:
    with transaction.atomic():
        assessment = Assessment.objects.create(
            client=client,
            created_by=by,
            sections={"goals": {"own_words": client.goals_in_own_words}}
            if client.goals_in_own_words
            else {},
        )
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="assessment",
            object_id=assessment.pk,
        )
        timeline_add(
            client=client, kind=TimelineKind.ASSESSMENT, summary="Assessment started", actor=by
        )
    return assessment


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
    by: Any,
    version: int,
    sections: dict[str, dict[str, Any]],
    substances: list[dict[str, Any]],
    needs: dict[str, dict[str, Any]],
    asam: dict[str, dict[str, Any]],
    chosen_level: str,
    level_override_reason: str,
    sign: bool = False,
) -> Assessment:
    """Save a draft (and sign it when asked and complete). One transaction; audited."""
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if current.status != AssessmentStatus.DRAFT:
            raise AssessmentLocked("This assessment is signed and locked. Add an addendum instead.")
        if current.version != version:
            raise StaleAssessment(
                "Someone else saved this assessment while you were working on it."
            )
        before = {
            "needs": current.needs,
            "asam": current.asam,
            "chosen_level": current.chosen_level,
        }
        current.sections = sections
        current.substances = substances
        current.needs = needs
        current.asam = asam
        ratings = {int(d): v["rating"] for d, v in asam.items() if v.get("rating") is not None}
        current.suggested_level = (
            suggest_level(ratings)[0] if len(ratings) == len(ASAM_DIMENSIONS) else ""
        )
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
        after = {"needs": current.needs, "asam": current.asam, "chosen_level": current.chosen_level}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if sign:
            changes["status"] = ["draft", "signed"]
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type="assessment",
            object_id=current.pk,
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


def addendum_add(*, assessment: Assessment, by: Any, text: str) -> Addendum:
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
