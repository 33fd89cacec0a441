"""The supervisor's view of the team's day: each case manager's caseload against the program's
cap for each model, their overdue work, the team's high-risk clients, what waits for the
supervisor's co-signature, and moving clients from one case manager to another.

The case managers are listed a page at a time, and each figure is one grouped query over the
supervisor's clients (the access policy's) narrowed to the page's case managers, so the page
costs the same whatever the team's size; the high-risk list and its count are capped.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import CaseManagementModel, ProgramModelRule, Role, User
from casebridge.alerts.models import Alert, AlertState, Priority
from casebridge.alerts.queries import showing
from casebridge.clients.models import AssignmentRole, Client, ClientFlag, FlagKind
from casebridge.clients.queries import reaches, team_page
from casebridge.clients.services import client_assign
from casebridge.monitoring.models import ContactNote
from casebridge.monitoring.statuses import NoteStatus
from casebridge.plans.models import PlanTask, TaskStatus

HIGH_RISK_LIMIT = 50
HIGH_RISK_COUNTED = 100
MOVE_LIMIT = 200


@dataclass
class Load:
    program: str
    model: str
    clients: int
    cap: int | None

    @property
    def over(self) -> bool:
        return self.cap is not None and self.clients > self.cap


@dataclass
class CaseManagerDay:
    user: User
    open_cases: int = 0
    loads: list[Load] = field(default_factory=list)
    contacts_overdue: int = 0
    urgent_alerts: int = 0
    alerts: int = 0
    tasks_overdue: int = 0
    notes_to_sign: int = 0

    @property
    def share_of_full(self) -> int | None:
        """The caseload as a share of a full one, in percent: each model's clients over its cap
        (so 10 intensive clients at a cap of 15 and 20 brokerage at 40 are 117%)."""
        counted = [load for load in self.loads if load.cap]
        if not counted:
            return None
        return round(100 * sum(load.clients / load.cap for load in counted if load.cap))

    @property
    def over_cap(self) -> bool:
        return any(load.over for load in self.loads)


def _organisation(user: User) -> int:
    return int(user.organisation_id or 0)


def team_clients(user: User, action: str = Action.VIEW) -> QuerySet[Client]:
    return Client.objects.restrict(user, action, include_emergency=False).exclude(
        stage="conclusion"
    )


def of_team(user: User, action: str = Action.VIEW) -> Any:
    """The row's client is one of the team's open clients, tested client by client through the
    policy's one-row form (clients.queries.reaches). Rows already narrowed some other way (a
    page's case managers, an index read in order up to a limit) then cost what they hold: an
    IN over the team's clients would gather every one of them first (100,000 ids, on SQLite)."""
    return reaches(user, action, open_only=True)


def loads(user: User, managers: Sequence[User]) -> dict[int, CaseManagerDay]:
    """The open cases of each case manager given, per program and model against the program's
    cap, and their overdue contacts: two queries, the grouped one narrowed to these managers'
    ids and read through the index on the primary case manager."""
    days = {person.pk: CaseManagerDay(person) for person in managers}
    now = timezone.now()
    groups = (
        team_clients(user)
        .filter(primary_case_manager__in=list(days))
        .values("primary_case_manager", "program", "program__name", "case_management_model")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(next_contact_due_at__lt=now)))
        .order_by("primary_case_manager", "program__name", "case_management_model")
    )
    caps = {
        (rule.program_id, rule.model): rule.caseload_cap
        for rule in ProgramModelRule.objects.filter(
            program__in=user.programs.filter(organisation_id=_organisation(user))
        )
    }
    models = dict(CaseManagementModel.choices)
    for row in groups:
        day = days[row["primary_case_manager"]]
        day.open_cases += row["n"]
        day.contacts_overdue += row["overdue"]
        day.loads.append(
            Load(
                program=row["program__name"],
                model=str(models.get(row["case_management_model"], row["case_management_model"])),
                clients=row["n"],
                cap=caps.get((row["program"], row["case_management_model"])),
            )
        )
    return days


def caseloads(user: User, managers: Sequence[User]) -> list[CaseManagerDay]:
    """One line per case manager given (a page of the team), in their order. Every figure is
    one grouped query narrowed to these managers' ids, read through the indexes on the primary
    case manager, a task's owner and a note's writer: it costs what the page holds, not what
    the team does."""
    days = loads(user, managers)
    ids = list(days)
    clients = team_clients(user)
    today = timezone.localdate()
    alert_rows = (
        Alert.objects.filter(
            showing(today),
            client__in=clients.filter(primary_case_manager__in=ids),
            # The same narrowing on the joined client, so the join is read from the index on
            # the case manager rather than the whole client table.
            client__primary_case_manager__in=ids,
        )
        .values("client__primary_case_manager")
        .annotate(n=Count("pk"), urgent=Count("pk", filter=Q(priority=Priority.URGENT)))
        .order_by()
    )
    for alert_row in alert_rows:
        day_of = days[alert_row["client__primary_case_manager"]]
        day_of.alerts, day_of.urgent_alerts = alert_row["n"], alert_row["urgent"]
    task_rows = (
        PlanTask.objects.filter(
            of_team(user), status=TaskStatus.OPEN, due_on__lt=today, owner__in=ids
        )
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for task_row in task_rows:
        days[task_row["owner"]].tasks_overdue = task_row["n"]
    note_rows = (
        ContactNote.objects.filter(of_team(user), status=NoteStatus.DRAFT, written_by__in=ids)
        .values("written_by")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for note_row in note_rows:
        days[note_row["written_by"]].notes_to_sign = note_row["n"]
    return list(days.values())


@dataclass
class HighRisk:
    client: Client
    reasons: list[str]


def _live_high_alerts(user: User, limit: int) -> list[tuple[Any, ...]]:
    """The urgent and high alerts showing today on the team's clients, the most urgent and then
    the newest first. One branch per priority and state (what `showing` allows), each read in
    order from the alert_live_order index and cut at the limit, so no database sorts every live
    alert of the team: PostgreSQL merges the branches in one query; SQLite, which cannot cut
    the branches of a UNION, reads each branch on its own (a few small queries, as many for a
    team of 2,000 as of 20) and they are merged here."""
    today = timezone.localdate()
    live: list[tuple[str, dict[str, Any]]] = [
        (AlertState.OPEN, {}),
        (AlertState.ACKNOWLEDGED, {}),
        (AlertState.SNOOZED, {"snoozed_until__lte": today}),
    ]
    branches = [
        Alert.objects.filter(of_team(user), state=state, priority=priority, **woken)
        .order_by("-opened_at")
        .values_list("client_id", "title", "priority", "opened_at")
        for priority in (Priority.URGENT, Priority.HIGH)
        for state, woken in live
    ]
    if not connection.features.supports_slicing_ordering_in_compound:
        rows = [row for branch in branches for row in branch[:limit]]
        rows.sort(key=lambda row: (row[2], -row[3].timestamp()))
        return rows[:limit]
    # Each branch cut at the limit in its own index order: left whole, the planner may gather
    # and sort every branch's alerts instead of merging them.
    branches = [branch[:limit] for branch in branches]
    return list(
        branches[0].union(*branches[1:], all=True).order_by("priority", "-opened_at")[:limit]
    )


def high_risk(user: User) -> tuple[list[HighRisk], str]:
    """The team's clients with an open urgent or high alert or an open safety concern, the most
    urgent first, and how many there are in words: counted from what was read, so past
    HIGH_RISK_COUNTED, or when a list was cut short, it says "more than" or "at least"."""
    read = HIGH_RISK_LIMIT * 5
    alerts = list(_live_high_alerts(user, read))
    reasons: dict[int, list[str]] = defaultdict(list)
    for client_id, title, _priority, _opened_at in alerts:
        reasons[client_id].append(title)
    flagged = list(
        ClientFlag.objects.filter(of_team(user), kind=FlagKind.SAFETY, cleared_at__isnull=True)
        .order_by()
        .values_list("client_id", flat=True)[: HIGH_RISK_COUNTED + 1]
    )
    for client_id in flagged[:HIGH_RISK_LIMIT]:
        reasons[client_id].insert(0, "Safety concern open")
    everyone = {client_id for client_id, *_ in alerts} | set(flagged)
    if len(everyone) > HIGH_RISK_COUNTED:
        count = f"more than {HIGH_RISK_COUNTED}"
    elif len(alerts) == read or len(flagged) > HIGH_RISK_COUNTED:
        count = f"at least {len(everyone)}"
    else:
        count = str(len(everyone))
    order = list(reasons)[:HIGH_RISK_LIMIT]
    found = {
        c.pk: c
        for c in Client.objects.filter(pk__in=order)
        .select_related("primary_case_manager")
        .only(
            *Client.NAME_FIELDS,
            "case_number",
            *(f"primary_case_manager__{f}" for f in User.NAME_FIELDS),
        )
    }
    return [HighRisk(found[pk], reasons[pk][:3]) for pk in order if pk in found], count


def notes_awaiting_cosignature(user: User) -> list[ContactNote]:
    if user.role != Role.SUPERVISOR:
        return []
    return list(
        ContactNote.objects.filter(
            of_team(user, Action.RECORD_CONTACT), status=NoteStatus.AWAITING_COSIGN
        )
        .select_related("client", "written_by")
        .only(
            "client_id",
            "contact_at",
            "signed_at",
            *(f"client__{f}" for f in Client.NAME_FIELDS),
            *(f"written_by__{f}" for f in User.NAME_FIELDS),
        )
        .order_by("signed_at")[:50]
    )


# Moving clients between case managers


def movable_clients(user: User, manager: User) -> list[Client]:
    return list(
        team_clients(user, Action.ASSIGN)
        .filter(primary_case_manager=manager)
        .order_by("legal_last_name", "legal_first_name", "pk")[:MOVE_LIMIT]
    )


def move_source(user: User, manager_id: int) -> User | None:
    """The person whose clients a supervisor moves: anyone in the supervisor's programs, their
    account switched off too (someone who left is whom clients are most often moved from)."""
    programs = user.programs.filter(organisation_id=_organisation(user))
    theirs = team_clients(user, Action.ASSIGN).filter(primary_case_manager=OuterRef("pk"))
    return (
        User.objects.filter(pk=manager_id, organisation_id=_organisation(user))
        # Still in the programs, or gone from them with clients left behind.
        .filter(Q(programs__in=programs) | Q(Exists(theirs)))
        .distinct()
        .first()
    )


def move_targets(user: User, manager: User, words: str = "") -> QuerySet[User]:
    """Case managers and supervisors in the supervisor's programs, other than `manager`; with
    `words`, those whose first or last name holds every word."""
    programs = user.programs.filter(organisation_id=_organisation(user))
    people = User.objects.filter(
        organisation_id=_organisation(user),
        role__in=[Role.CASE_MANAGER, Role.SUPERVISOR],
        is_active=True,
        pk__in=User.programs.through.objects.filter(program__in=programs).values("user_id"),
    ).exclude(pk=manager.pk)
    for word in words.split()[:5]:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return people.order_by("last_name", "first_name", "pk")


def clients_move(
    *, by: User, client_ids: list[int], from_user: User, to_user: User, reason: str
) -> int:
    """Make `to_user` the primary case manager of these clients of `from_user`, all or none
    (one transaction): each move is the client's own assignment change, audited and on the
    timeline."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, for the clients' records."})
    if not client_ids:
        raise ValidationError({"clients": "Choose at least one client to move."})
    with transaction.atomic():
        chosen = list(
            team_clients(by, Action.ASSIGN).filter(
                pk__in=client_ids, primary_case_manager=from_user
            )
        )
        if len(chosen) != len(set(client_ids)):
            raise ValidationError(
                {"clients": "Some of these clients were moved or closed meanwhile. Look again."}
            )
        for client in chosen:
            client_assign(
                client=client,
                by=by,
                role=AssignmentRole.PRIMARY,
                to_user=to_user,
                reason=reason,
                version=client.version,
            )
    return len(chosen)


def team_day(user: User, page_number: str | int | None = 1) -> dict[str, Any]:
    """The team today, one page of case managers at a time."""
    page = team_page(user, page_number)
    risky, risky_count = high_risk(user)
    return {
        "page": page,
        "caseloads": caseloads(user, list(page.object_list)),
        "high_risk": risky,
        "high_risk_count": risky_count,
        "notes": notes_awaiting_cosignature(user),
    }
