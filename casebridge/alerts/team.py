"""The supervisor's view of the team's day: each case manager's caseload against the program's
cap for each model, their overdue work, the team's high-risk clients, what waits for the
supervisor's co-signature, and moving clients from one case manager to another.

Each figure is one grouped query over the supervisor's clients (the access policy's), so the
page costs the same whatever the team's size; only the high-risk list is capped.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import CaseManagementModel, ProgramModelRule, Role, User
from casebridge.alerts.models import Alert, Priority
from casebridge.alerts.queries import showing
from casebridge.clients.models import AssignmentRole, Client, ClientFlag, FlagKind
from casebridge.clients.services import client_assign
from casebridge.monitoring.models import ContactNote
from casebridge.monitoring.statuses import NoteStatus
from casebridge.plans.models import PlanTask, TaskStatus

HIGH_RISK_LIMIT = 50
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


def caseloads(user: User) -> list[CaseManagerDay]:
    """One line per case manager with open clients in the supervisor's programs."""
    clients = team_clients(user)
    now = timezone.now()
    today = timezone.localdate()
    days: dict[int, CaseManagerDay] = {}
    groups = (
        clients.filter(primary_case_manager__isnull=False)
        .values("primary_case_manager", "program", "program__name", "case_management_model")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(next_contact_due_at__lt=now)))
        .order_by()
    )
    caps = {
        (rule.program_id, rule.model): rule.caseload_cap
        for rule in ProgramModelRule.objects.filter(
            program__in=user.programs.filter(organisation_id=_organisation(user))
        )
    }
    models = dict(CaseManagementModel.choices)
    rows = list(groups)
    people = {
        person.pk: person
        for person in User.objects.filter(pk__in={r["primary_case_manager"] for r in rows})
    }
    for row in rows:
        person = people[row["primary_case_manager"]]
        day = days.setdefault(person.pk, CaseManagerDay(person))
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
    alert_rows = (
        Alert.objects.filter(showing(today), client__in=clients)
        .values("client__primary_case_manager")
        .annotate(n=Count("pk"), urgent=Count("pk", filter=Q(priority=Priority.URGENT)))
        .order_by()
    )
    for alert_row in alert_rows:
        day_of = days.get(alert_row["client__primary_case_manager"])
        if day_of is not None:
            day_of.alerts, day_of.urgent_alerts = alert_row["n"], alert_row["urgent"]
    task_rows = (
        PlanTask.objects.filter(
            client__in=clients, status=TaskStatus.OPEN, due_on__lt=today, owner__in=list(days)
        )
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for task_row in task_rows:
        days[task_row["owner"]].tasks_overdue = task_row["n"]
    note_rows = (
        ContactNote.objects.filter(
            client__in=clients, status=NoteStatus.DRAFT, written_by__in=list(days)
        )
        .values("written_by")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for note_row in note_rows:
        days[note_row["written_by"]].notes_to_sign = note_row["n"]
    return sorted(days.values(), key=lambda d: (d.user.last_name, d.user.first_name))


@dataclass
class HighRisk:
    client: Client
    reasons: list[str]


def high_risk(user: User) -> tuple[list[HighRisk], int]:
    """The team's clients with an open urgent or high alert or an open safety concern, the most
    urgent first, and how many there are in all."""
    clients = team_clients(user)
    today = timezone.localdate()
    alerts = (
        Alert.objects.filter(showing(today), client__in=clients, priority__lte=Priority.HIGH)
        .order_by("priority", "-opened_at")
        .values_list("client_id", "title")
    )
    reasons: dict[int, list[str]] = defaultdict(list)
    for client_id, title in alerts[: HIGH_RISK_LIMIT * 5]:
        reasons[client_id].append(title)
    flagged = ClientFlag.objects.filter(
        client__in=clients, kind=FlagKind.SAFETY, cleared_at__isnull=True
    ).values_list("client_id", flat=True)
    for client_id in flagged[:HIGH_RISK_LIMIT]:
        reasons[client_id].insert(0, "Safety concern open")
    total = clients.filter(
        Q(
            pk__in=Alert.objects.filter(showing(today), priority__lte=Priority.HIGH).values(
                "client_id"
            )
        )
        | Q(has_open_safety_flag=True)
    ).count()
    order = list(reasons)[:HIGH_RISK_LIMIT]
    found = {
        c.pk: c for c in Client.objects.filter(pk__in=order).select_related("primary_case_manager")
    }
    return [HighRisk(found[pk], reasons[pk][:3]) for pk in order if pk in found], total


def notes_awaiting_cosignature(user: User) -> list[ContactNote]:
    if user.role != Role.SUPERVISOR:
        return []
    return list(
        ContactNote.objects.filter(
            client__in=team_clients(user, Action.RECORD_CONTACT),
            status=NoteStatus.AWAITING_COSIGN,
        )
        .select_related("client", "written_by")
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


def move_targets(user: User, manager: User) -> QuerySet[User]:
    """Case managers and supervisors in the supervisor's programs, other than `manager`."""
    programs = user.programs.filter(organisation_id=_organisation(user))
    return (
        User.objects.filter(
            organisation_id=_organisation(user),
            role__in=[Role.CASE_MANAGER, Role.SUPERVISOR],
            is_active=True,
            programs__in=programs,
        )
        .exclude(pk=manager.pk)
        .distinct()
        .order_by("last_name", "first_name")
    )


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


def team_day(user: User) -> dict[str, Any]:
    risky, risky_total = high_risk(user)
    return {
        "caseloads": caseloads(user),
        "high_risk": risky,
        "high_risk_total": risky_total,
        "notes": notes_awaiting_cosignature(user),
    }
