"""Reads of the followups app: the due lists (the staff page, a client's tab, the caseload's due
items), one follow-up and its attempts, and the outcomes the outcome reports read."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from casebridge.access.policy import Action, Someone
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.followups.models import (
    FollowUp,
    FollowUpAttempt,
    FollowUpOutcome,
    FollowUpStatus,
)

# A follow-up shows on the due lists this many days before its day (a call a few days early is
# still the 30-day follow-up), and stays there, overdue, until it is closed.
DUE_AHEAD_DAYS = 7
DUE_LIST_LIMIT = 200


def _due_by(today: date) -> date:
    return today + timedelta(days=DUE_AHEAD_DAYS)


def due_followups(user: Someone, *, today: date | None = None) -> list[FollowUp]:
    """The open follow-ups due within a week or overdue, of the clients the person works with
    and may log contacts for (emergency access aside: this is a work list), soonest first."""
    today = today or timezone.localdate()
    clients = Client.objects.restrict(user, Action.RECORD_CONTACT, include_emergency=False)
    return list(
        FollowUp.objects.filter(
            client__in=clients.values("pk"),
            status=FollowUpStatus.OPEN,
            due_on__lte=_due_by(today),
        )
        .select_related("client", "client__primary_case_manager")
        .order_by("due_on", "id")[:DUE_LIST_LIMIT]
    )


def followups_for(client: Client) -> list[FollowUp]:
    """All the client's follow-ups, newest discharge first, each with its attempts (and who
    made them) and its outcome, in three queries."""
    return list(
        FollowUp.objects.filter(client=client)
        .select_related("episode", "outcome")
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=FollowUpAttempt.objects.select_related("by").order_by(
                    "attempted_at", "id"
                ),
            )
        )
        .order_by("-discharged_on", "-episode_id", "due_on", "id")
    )


def followup_of(client: Client, follow_up_id: int) -> FollowUp | None:
    return FollowUp.objects.filter(client=client, pk=follow_up_id).select_related("episode").first()


def attempt_of(follow_up: FollowUp, attempt_id: int) -> FollowUpAttempt | None:
    return FollowUpAttempt.objects.filter(follow_up=follow_up, pk=attempt_id).first()


def outcome_of(follow_up: FollowUp) -> FollowUpOutcome | None:
    return FollowUpOutcome.objects.filter(follow_up=follow_up).first()


def followups_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """The caseload's due items: each open follow-up due within a week or overdue, in one query.
    Not registered yet (the lead registers it, with needs_action="record_contact")."""
    found: dict[int, list[DueItem]] = {client_id: [] for client_id in client_ids}
    if not client_ids:
        return found
    rows = (
        FollowUp.objects.filter(
            client_id__in=client_ids,
            status=FollowUpStatus.OPEN,
            due_on__lte=_due_by(timezone.localdate()),
        )
        .order_by("due_on", "id")
        .values_list("client_id", "day_mark", "due_on")
    )
    for client_id, mark, due_on in rows:
        found.setdefault(client_id, []).append(
            DueItem(
                label=f"Follow-up at {mark} days after leaving care",
                due_on=due_on,
                url_name="followup_client",
            )
        )
    return found


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome as the reports read it: whose, which discharge and mark, and the answers."""

    client_id: int
    episode_id: int
    day_mark: int
    discharged_on: date
    due_on: date
    recorded_at_day: date
    use_since_discharge: str
    housing: str
    work_or_school: str
    legal: str
    social_support: str
    in_treatment: str


def outcomes(clients: QuerySet[Client, Client]) -> list[OutcomeRow]:
    """The follow-up outcomes of these clients (a queryset the caller has narrowed through the
    access policy for read_clinical: the answers are clinical), per client and mark, in one
    query, ordered by client, discharge and mark."""
    rows = (
        FollowUpOutcome.objects.filter(client__in=clients.values("pk"))
        .order_by("client_id", "follow_up__discharged_on", "follow_up__day_mark")
        .values_list(
            "client_id",
            "follow_up__episode_id",
            "follow_up__day_mark",
            "follow_up__discharged_on",
            "follow_up__due_on",
            "recorded_at",
            "use_since_discharge",
            "housing",
            "work_or_school",
            "legal",
            "social_support",
            "in_treatment",
        )
    )
    return [
        OutcomeRow(
            client_id=row[0],
            episode_id=row[1],
            day_mark=row[2],
            discharged_on=row[3],
            due_on=row[4],
            recorded_at_day=timezone.localdate(row[5]),
            use_since_discharge=row[6],
            housing=row[7],
            work_or_school=row[8],
            legal=row[9],
            social_support=row[10],
            in_treatment=row[11],
        )
        for row in rows
    ]


def outcomes_for(user: Someone) -> list[OutcomeRow]:
    """The outcomes of the clients the person may read clinical content of (emergency access
    aside: a report is not an emergency)."""
    return outcomes(Client.objects.restrict(user, Action.READ_CLINICAL, include_emergency=False))
