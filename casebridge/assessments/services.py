"""Recording a completed instrument: validate, score, keep, audit, and raise a safety flag at once
when an answer calls for a same-day safety response."""

from typing import Any

from django.db import transaction

from casebridge.assessments.definitions import instrument as get_instrument
from casebridge.assessments.models import InstrumentResponse
from casebridge.assessments.scoring import score
from casebridge.audit.services import audit_record
from casebridge.clients.models import Client, ClientFlag, FlagKind, TimelineEntry, TimelineKind


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
        summary = f"{definition.name}: {result.primary}" + (
            f" ({response.band})" if response.band else ""
        )
        TimelineEntry.objects.create(
            client=client, kind=TimelineKind.MEASURE, summary=summary, actor=by
        )
        if result.safety_messages:
            _raise_safety_flag(
                client=client, by=by, note=f"{definition.name}: " + " ".join(result.safety_messages)
            )
    return response


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
    TimelineEntry.objects.create(
        client=client,
        kind=TimelineKind.FLAG,
        summary="Flag raised: Safety concern",
        detail=note,
        actor=by,
    )
