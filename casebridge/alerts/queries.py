"""Reads of alerts: the person's day, a client's alerts, and alerts as due items.

Every list is narrowed to the clients the access policy gives the person and to the alerts
whose action their role has (an alert about a drug screen never reaches a coach), in the query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from casebridge.access.policy import Action, role_actions
from casebridge.accounts.models import Role, User
from casebridge.alerts.models import LIVE_STATES, Alert, AlertState, NotificationPreference
from casebridge.clients.extensions import DueItem, due_items
from casebridge.clients.models import Client
from casebridge.clients.queries import client_for
from casebridge.monitoring.calendar import ShownAppointment, staff_calendar
from casebridge.plans.models import PlanTask
from casebridge.plans.queries import my_tasks
from casebridge.safety.queries import OnCallEvent, on_call_openings
from casebridge.transitions.models import HandoffItem
from casebridge.transitions.queries import my_handoff_steps

# How many alerts a list shows at most (the rest are counted).
ALERT_LIST_LIMIT = 100
# My day shows the soonest lines of each due list, with a link to the whole list: a long list
# is read from its top, and drawing hundreds of lines made the page slow for everyone.
DUE_LINES_SHOWN = 25
DUE_LISTS = ("overdue", "due_today", "coming_up")
# How far ahead My Day looks for what is coming due.
DAYS_AHEAD = 7
DAY_CLIENT_FIELDS = (
    "pk",
    "case_number",
    "preferred_name",
    "legal_first_name",
    "legal_last_name",
    "stage",
    "next_contact_due_at",
    "due_stamp",
)


def showing(today: date) -> Q:
    """Alerts that ask for attention today: open or being worked on, and snoozed ones whose day
    has come (the sweep wakes them; until it runs, they show anyway)."""
    return Q(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]) | Q(
        state=AlertState.SNOOZED, snoozed_until__lte=today
    )


def my_clients(user: User) -> QuerySet[Client]:
    """The clients whose day is this person's: those the caseload lists (the policy's clients
    for the role, without emergency access); a supervisor's own, the team's being on the
    supervisor's view."""
    clients = Client.objects.restrict(user, Action.VIEW, include_emergency=False)
    if user.role == Role.SUPERVISOR:
        clients = clients.filter(Q(primary_case_manager=user) | Q(secondary_case_manager=user))
    return clients


def alerts_for(user: User, client_ids: list[int], today: date) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(showing(today), client_id__in=client_ids)
        .filter(needs_action__in=sorted(role_actions(user)))
        .select_related("acknowledged_by")
        .order_by("priority", "-opened_at", "-id")
    )


def open_alerts(
    user: User, today: date | None = None, clients: list[Client] | None = None
) -> tuple[list[Alert], int]:
    """The person's open alerts, most urgent first, and how many there are in all. The
    person's clients are read first (or given, `clients`, with their names and case numbers):
    a plain list of ids filters the alerts through their index, where the policy's subquery
    made SQLite read every client, and each alert is given its client from that list."""
    today = today or timezone.localdate()
    if clients is None:
        clients = list(my_clients(user).only("pk", "case_number", *Client.NAME_FIELDS))
    named = {client.pk: client for client in clients}
    alerts = alerts_for(user, sorted(named), today)
    shown = list(alerts[: ALERT_LIST_LIMIT + 1])
    for alert in shown:
        alert.client = named[alert.client_id]
    if len(shown) <= ALERT_LIST_LIMIT:
        return shown, len(shown)
    return shown[:ALERT_LIST_LIMIT], alerts.count()


@dataclass
class DueLine:
    client: Client
    item: DueItem


@dataclass
class Day:
    today: date
    alerts: list[Alert]
    alert_count: int
    appointments: list[ShownAppointment]
    overdue: list[DueLine] = field(default_factory=list)
    due_today: list[DueLine] = field(default_factory=list)
    coming_up: list[DueLine] = field(default_factory=list)
    tasks: list[PlanTask] = field(default_factory=list)
    # What the on-call service did about the person's clients since yesterday morning.
    on_call: list[tuple[OnCallEvent, Client]] = field(default_factory=list)
    # For a supervisor: alerts escalated to the program's supervisors (a long gap in care).
    escalations: list[Alert] = field(default_factory=list)
    # Warm hand-off steps of moves under way: the person's own, and their clients'.
    handoff_steps: list[HandoffItem] = field(default_factory=list)
    # How many lines each due list has in all, when the page shows only the first of them.
    totals: dict[str, int] = field(default_factory=dict)

    def cut(self, whole: str = "") -> None:
        """Each due list cut to its first DUE_LINES_SHOWN lines, unless `whole` names it (one
        of DUE_LISTS); `totals` keeps how many there are."""
        for name in DUE_LISTS:
            lines = getattr(self, name)
            self.totals[name] = len(lines)
            if name != whole:
                setattr(self, name, lines[:DUE_LINES_SHOWN])

    @property
    def client_ids(self) -> list[int]:
        ids = {a.client_id for a in self.alerts}
        ids |= {a.client_id for a in self.appointments}
        for line in self.overdue + self.due_today + self.coming_up:
            ids.add(line.client.pk)
        ids |= {t.client_id for t in self.tasks}
        ids |= {client.pk for _, client in self.on_call}
        ids |= {step.transition.client_id for step in self.handoff_steps}
        return sorted(ids)


def my_day(user: User) -> Day:
    """Everything the person's day holds, each item one click from where to act on it."""
    today = timezone.localdate()
    # What the page shows of each client (names, case number), and what decides their due items.
    every = list(my_clients(user).only(*DAY_CLIENT_FIELDS))
    alerts, alert_count = open_alerts(user, today, every)
    clients = [client for client in every if client.stage != "conclusion"]
    mine = {client.pk for client in clients}
    calendar = staff_calendar(user, "day", today, client_ids=sorted(mine))
    appointments = [
        a for d in calendar.days if d.day == today for a in d.appointments if a.client_id in mine
    ]
    day = Day(today, alerts, alert_count, appointments)
    actions = role_actions(user)
    horizon = today + timedelta(days=DAYS_AHEAD)
    # A concluded case is due nothing but its follow-ups after discharge (care ended, then the
    # case was closed: the follow-ups are what is left to do).
    by_client = due_items([c.pk for c in every], actions, stamps={c.pk: c.due_stamp for c in every})
    for client in every:
        # Alerts and hand-off steps have their own lists on the page.
        items = [
            i
            for i in by_client.get(client.pk, [])
            if i.url_name not in {"client_alerts", "care_levels"}
            and (client.stage != "conclusion" or i.url_name == "followup_client")
        ]
        contact_due = client.next_contact_due_at if client.stage != "conclusion" else None
        # An overdue contact is an alert (its rule); the lists keep what is due today and ahead.
        if (
            contact_due is not None
            and Action.RECORD_CONTACT in actions
            and timezone.localdate(contact_due) >= today
        ):
            items.append(
                DueItem(
                    label="Contact",
                    due_on=timezone.localdate(client.next_contact_due_at),
                    url_name="contact_log",
                )
            )
        for item in items:
            line = DueLine(client, item)
            if item.due_on < today:
                day.overdue.append(line)
            elif item.due_on == today:
                day.due_today.append(line)
            elif item.due_on <= horizon:
                day.coming_up.append(line)
    for lines in (day.overdue, day.due_today, day.coming_up):
        lines.sort(key=lambda line: (line.item.due_on, line.client.display_name))
    day.tasks = list(
        my_tasks(user)
        .filter(due_on__lte=horizon)
        .select_related(None)
        .select_related("client")
        .only("title", "due_on", "client_id", *(f"client__{f}" for f in Client.NAME_FIELDS))
    )
    since = timezone.make_aware(datetime.combine(today - timedelta(days=1), time.min))
    events = on_call_openings(user, since, client_ids=[client.pk for client in every])
    named = {client.pk: client for client in every}  # the events are of these clients only
    day.on_call = [(e, named[e.client_id]) for e in events if e.client_id in named]
    if user.role == Role.SUPERVISOR:
        day.escalations = escalations_for(user)
    if Action.PLAN in actions:
        day.handoff_steps = my_handoff_steps(user, [client.pk for client in clients])
    return day


def escalations_for(user: User) -> list[Alert]:
    """Live alerts escalated to supervisors, of the clients the policy lets this person read
    clinically, most urgent and oldest first (one query)."""
    reach = Client.objects.restrict(user, Action.READ_CLINICAL, include_emergency=False)
    return list(
        Alert.objects.filter(for_supervisor=True, state__in=LIVE_STATES, client__in=reach)
        .select_related("client")
        .order_by("priority", "opened_at", "id")[:ALERT_LIST_LIMIT]
    )


def client_alerts(client: Client, actions: frozenset[str]) -> dict[str, Any]:
    """A client's live alerts and the last resolved ones, those the viewer's actions reach."""
    mine = Alert.objects.filter(client=client, needs_action__in=sorted(actions)).select_related(
        "client", "resolved_by", "acknowledged_by", "raised_by"
    )
    live = list(mine.exclude(state=AlertState.RESOLVED).order_by("priority", "-opened_at"))
    resolved = list(mine.filter(state=AlertState.RESOLVED).order_by("-resolved_at", "-id")[:20])
    return {"live": live, "resolved": resolved}


def alerts_due(client_ids: list[int], actions: frozenset[str]) -> dict[int, list[DueItem]]:
    """Open alerts as due items on the caseload and the client's header: one line per client
    (the alert's title, or how many), in one query."""
    today = timezone.localdate()
    rows = (
        Alert.objects.filter(showing(today), client_id__in=client_ids)
        .filter(needs_action__in=sorted(actions))
        .order_by("priority", "-opened_at")
        .values_list("client_id", "title", "fact_on")
    )
    grouped: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for client_id, title, fact_on in rows:
        grouped[client_id].append((title, fact_on))
    due: dict[int, list[DueItem]] = {}
    for client_id, found in grouped.items():
        label = f"Alert: {found[0][0]}" if len(found) == 1 else f"Alerts ({len(found)})"
        due[client_id] = [
            DueItem(label=label, due_on=min(on for _, on in found), url_name="client_alerts")
        ]
    return due


def alert_for(user: User, alert_id: int) -> Alert | None:
    """The alert, if the person may see its client with the alert's action (the read of the
    client is audited by `client_for`, which answers not found otherwise)."""
    alert = (
        Alert.objects.select_related("resolved_by", "acknowledged_by", "raised_by")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        return None
    alert.client = client_for(
        user=user, client_id=alert.client_id, action=alert.needs_action, include_emergency=False
    )
    return alert


def preference_of(user: User) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user=user).first()
