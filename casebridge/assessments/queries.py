"""Reads of instrument results (a client's history per instrument, and what is due) and of
assessments (the last signed one, which a reassessment starts from)."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from casebridge.assessments.definitions import all_instruments
from casebridge.assessments.models import (
    Assessment,
    AssessmentStatus,
    InstrumentResponse,
    InstrumentSchedule,
)
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client


def history(client: Client) -> dict[str, list[InstrumentResponse]]:
    """Each instrument the client has completed, oldest first (one query)."""
    found: dict[str, list[InstrumentResponse]] = defaultdict(list)
    for response in client.instrument_responses.select_related("administered_by").order_by(
        "administered_at", "id"
    ):
        found[response.instrument].append(response)
    return dict(found)


def last_signed_assessment(client: Client) -> Assessment | None:
    """The client's most recently signed assessment, if any."""
    return (
        Assessment.objects.filter(client=client, status=AssessmentStatus.SIGNED)
        .order_by("-signed_at", "-id")
        .first()
    )


def previous_response(response: InstrumentResponse) -> InstrumentResponse | None:
    return (
        InstrumentResponse.objects.filter(
            client_id=response.client_id,
            instrument=response.instrument,
            administered_at__lt=response.administered_at,
        )
        .order_by("-administered_at", "-id")
        .first()
    )


def instruments_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Instruments each open case is due to repeat under its program's schedule (three queries)."""
    clients = list(
        Client.objects.filter(pk__in=client_ids)
        .exclude(stage="conclusion")
        .values("pk", "program_id", "registered_at")
    )
    if not clients:
        return {}
    schedules: dict[int, list[InstrumentSchedule]] = defaultdict(list)
    for schedule in InstrumentSchedule.objects.filter(
        program_id__in={c["program_id"] for c in clients}
    ):
        schedules[schedule.program_id].append(schedule)
    latest = {
        (row["client_id"], row["instrument"]): row["last"]
        for row in InstrumentResponse.objects.filter(client_id__in=[c["pk"] for c in clients])
        .values("client_id", "instrument")
        .annotate(last=Max("administered_at"))
    }
    names = all_instruments()
    due: dict[int, list[DueItem]] = {}
    for client in clients:
        for schedule in schedules.get(client["program_id"], []):
            if schedule.instrument not in names:
                continue
            since = latest.get((client["pk"], schedule.instrument), client["registered_at"])
            due.setdefault(client["pk"], []).append(
                DueItem(
                    label=names[schedule.instrument].name,
                    due_on=timezone.localdate(since + timedelta(days=schedule.every_days)),
                    url_name="measures",
                )
            )
    return due
