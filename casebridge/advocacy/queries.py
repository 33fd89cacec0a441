"""Reads of applications for the pages and the caseload: a client's applications, one of them
with its history and documents, and the due items (deadlines, decisions expected and not come,
authorization reviews, appeal deadlines) in one query for any number of clients."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from casebridge.advocacy.models import AUTHORIZATION, Application, ApplicationKind
from casebridge.advocacy.statuses import AWAITING_DECISION, FINAL, ApplicationStatus
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client

S = ApplicationStatus


def applications_for(client: Client) -> list[Application]:
    return list(
        client.applications.select_related("created_by", "appeal_of").order_by("-created_at")[:200]
    )


def application_of(client: Client, application_id: int) -> Application | None:
    return (
        client.applications.select_related("created_by", "appeal_of")
        .prefetch_related("events__by", "documents__disclosure", "documents__by", "appeals")
        .filter(pk=application_id)
        .first()
    )


@dataclass(frozen=True)
class _Due:
    kind: str  # which list it belongs to, so the caseload shows the soonest of each
    label: str
    due_on: date


def _name(row: Mapping[str, Any]) -> str:
    if row["kind"] == ApplicationKind.OTHER and row["kind_detail"]:
        return row["kind_detail"]
    name = ApplicationKind(row["kind"]).label
    return f"Appeal: {name}" if row["appeal_of_id"] else name


def _short(text: str) -> str:
    """A deadline's words as a caseload line holds them."""
    return Truncator(text).chars(80)


def applications_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Per client, the soonest of each: the next deadline (and what it is for), a decision
    expected by a day that has passed, an authorization's next review, and the last day to appeal
    a denial (one query for any number of clients)."""
    today = timezone.localdate()
    deadline = Q(next_deadline_on__isnull=False) & ~Q(status__in=FINAL)
    decision = Q(status__in=AWAITING_DECISION, decision_expected_on__lt=today)
    review = Q(kind=AUTHORIZATION, next_review_on__isnull=False) & ~Q(status=S.WITHDRAWN)
    appeal = Q(status=S.DENIED, appeal_by__isnull=False) | Q(
        status=S.PREPARING, appeal_of__isnull=False, appeal_by__isnull=False
    )
    rows = (
        Application.objects.filter(deadline | decision | review | appeal, client_id__in=client_ids)
        .values(
            "client_id",
            "kind",
            "kind_detail",
            "status",
            "appeal_of_id",
            "next_deadline_on",
            "next_deadline_for",
            "decision_expected_on",
            "next_review_on",
            "appeal_by",
            "level_of_care",
        )
        .order_by()
    )
    found: dict[int, list[_Due]] = {}
    for row in rows:
        items = found.setdefault(row["client_id"], [])
        name = _name(row)
        if row["next_deadline_on"] and row["status"] not in FINAL:
            items.append(
                _Due(
                    "deadline",
                    f"{name}: {_short(row['next_deadline_for'])}",
                    row["next_deadline_on"],
                )
            )
        expected = row["decision_expected_on"]
        if row["status"] in AWAITING_DECISION and expected and expected < today:
            items.append(_Due("decision", f"{name}: decision expected", expected))
        if row["kind"] == AUTHORIZATION and row["next_review_on"] and row["status"] != S.WITHDRAWN:
            level = f" (level {row['level_of_care']})" if row["level_of_care"] else ""
            items.append(_Due("review", f"Authorization review{level}", row["next_review_on"]))
        if row["appeal_by"] and (
            row["status"] == S.DENIED or (row["status"] == S.PREPARING and row["appeal_of_id"])
        ):
            items.append(_Due("appeal", f"Last day to appeal: {name}", row["appeal_by"]))
    due: dict[int, list[DueItem]] = {}
    for client_id, items in found.items():
        for kind in ("deadline", "decision", "review", "appeal"):
            of_kind = sorted((item for item in items if item.kind == kind), key=lambda i: i.due_on)
            if not of_kind:
                continue
            first = of_kind[0]
            more = f" (and {len(of_kind) - 1} more)" if len(of_kind) > 1 else ""
            due.setdefault(client_id, []).append(
                DueItem(label=first.label + more, due_on=first.due_on, url_name="application_list")
            )
    return due
