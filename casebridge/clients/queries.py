"""Reads of client records that views and reports share. All go through the access policy."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.access.policy import Action, client_filter
from casebridge.accounts.models import ProgramModelRule
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_record
from casebridge.clients.extensions import TABS, DueItem, due_items, releases
from casebridge.clients.models import Client, ClientFlag, Collateral, TimelineEntry
from casebridge.clients.stages import ORDER, Stage


def client_for(
    *,
    user: Any,
    client_id: int,
    action: str = Action.VIEW,
    audit: bool = True,
    include_emergency: bool = True,
) -> Client:
    """The client `user` may perform `action` on, or 404: not found, never forbidden.

    Opening a record, for any action, is a read of client data, so it is audited here, in one
    place. `include_emergency=False` leaves out break-the-glass grants (an emergency is a person
    at a screen, not a program calling the API).
    """
    client = (
        Client.objects.restrict(user, action, include_emergency=include_emergency)
        .select_related(
            "program", "primary_case_manager", "secondary_case_manager", "coach", "organisation"
        )
        .filter(pk=client_id)
        .first()
    )
    if client is None:
        raise Http404("No client found")
    if audit:
        # Every page that shows a client's record is a read of it, whatever it is opened for.
        audit_record(
            actor=user,
            action="view",
            client_id=client.pk,
            object_type="client",
            object_id=client.pk,
            changes={} if action == Action.VIEW else {"opened_to": str(action)},
        )
    return client


def user_may(user: Any, client: Client, action: str) -> bool:
    return Client.objects.restrict(user, action).filter(pk=client.pk).exists()


def allowed_actions(user: Any, client: Client) -> set[str]:
    """Every action `user` may take on `client`, asked of the policy in one query."""
    annotations = {
        f"may_{action.value}": Case(
            When(client_filter(user, action), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for action in Action
    }
    row = Client.objects.filter(pk=client.pk).annotate(**annotations).values(*annotations).first()
    return {name.removeprefix("may_") for name, allowed in (row or {}).items() if allowed}


def possible_duplicates(
    *, organisation_id: int, first_name: str, last_name: str, date_of_birth: date
) -> list[Client]:
    """People already registered with the same legal name and date of birth."""
    return list(
        Client.objects.filter(
            organisation_id=organisation_id,
            legal_first_name__iexact=first_name.strip(),
            legal_last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        ).select_related("program")
    )


def split_by_access(user: Any, clients: list[Client]) -> tuple[list[Client], int]:
    """The clients `user` may view, and how many others there are (without saying who)."""
    visible_ids = set(
        Client.objects.restrict(user, Action.VIEW)
        .filter(pk__in=[c.pk for c in clients])
        .values_list("pk", flat=True)
    )
    visible = [c for c in clients if c.pk in visible_ids]
    return visible, len(clients) - len(visible)


def changes_since(
    *, client_id: int, object_type: str, object_id: int, version: int
) -> list[AuditEvent]:
    """The saved changes to one record made after the version a person started editing."""
    events = AuditEvent.objects.filter(
        client_id=client_id, object_type=object_type, object_id=str(object_id), action="update"
    ).order_by("id")
    return [
        event
        for event in events
        if isinstance(event.changes.get("version"), list) and event.changes["version"][1] > version
    ]


@dataclass
class CaseloadFilters:
    q: str = ""
    stage: str = ""
    program: int | None = None
    flag: str = ""
    case_manager: int | None = None


def contact_rules(organisation_id: int) -> dict[tuple[int, str], int]:
    """{(program id, model): days between contacts} for the organisation, in one query."""
    return {
        (rule.program_id, rule.model): rule.contact_every_days
        for rule in ProgramModelRule.objects.filter(program__organisation_id=organisation_id)
    }


def contact_due(client: Client, rules: dict[tuple[int, str], int]) -> datetime | None:
    """When the next contact is due under the program's rule for the client's model."""
    days = rules.get((client.program_id, client.case_management_model))
    if days is None or client.stage == "conclusion":
        return None
    since = client.last_contact_at or client.registered_at
    return since + timedelta(days=days)


def caseload(user: Any, filters: CaseloadFilters) -> QuerySet[Client, Any]:
    """The clients on a person's caseload (a supervisor's team), filtered and ready to list."""
    # A caseload is the person's own clients: emergency-access grants do not add to it.
    clients = Client.objects.restrict(user, Action.VIEW, include_emergency=False)
    if filters.q:
        term = filters.q.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        match = (
            Q(legal_first_name__icontains=term)
            | Q(legal_last_name__icontains=term)
            | Q(preferred_name__icontains=term)
            | Q(case_number__iexact=term)
        )
        parts = term.split()
        if len(parts) == 2:
            match |= Q(legal_first_name__icontains=parts[0], legal_last_name__icontains=parts[1])
            match |= Q(preferred_name__icontains=parts[0], legal_last_name__icontains=parts[1])
        if len(digits) >= 4:
            match |= Q(phone__contains=digits) | Q(case_number__endswith=digits)
        clients = clients.filter(match)
    if filters.stage:
        clients = clients.filter(stage=filters.stage)
    if filters.program:
        clients = clients.filter(program_id=filters.program)
    if filters.case_manager:
        clients = clients.filter(primary_case_manager_id=filters.case_manager)
    if filters.flag:
        open_flag = ClientFlag.objects.filter(
            client=OuterRef("pk"), kind=filters.flag, cleared_at__isnull=True
        )
        clients = clients.filter(Exists(open_flag))
    return (
        clients.select_related("program", "primary_case_manager")
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=ClientFlag.objects.filter(cleared_at__isnull=True),
                to_attr="open_flags",
            )
        )
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


def team_counts(user: Any) -> list[dict[str, Any]]:
    """Open cases per primary case manager across the programs a supervisor oversees."""
    rows = (
        Client.objects.restrict(user, Action.VIEW, include_emergency=False)
        .exclude(stage="conclusion")
        .values(
            "primary_case_manager",
            "primary_case_manager__first_name",
            "primary_case_manager__last_name",
            "primary_case_manager__username",
        )
        .annotate(open_cases=Count("pk"))
        .order_by("primary_case_manager__last_name", "primary_case_manager__first_name")
    )
    return [
        {
            "id": row["primary_case_manager"],
            "name": (
                f"{row['primary_case_manager__first_name']} {row['primary_case_manager__last_name']}".strip()
                or row["primary_case_manager__username"]
                or "Unassigned"
            ),
            "open_cases": row["open_cases"],
        }
        for row in rows
    ]


def due_list(
    client: Client, contact_due_at: datetime | None, extra: list[DueItem]
) -> list[DueItem]:
    """A client's due items, soonest first: the next contact and what other capabilities add."""
    items = list(extra)
    if contact_due_at is not None:
        items.append(
            DueItem(
                label="Contact",
                due_on=timezone.localdate(contact_due_at),
                url_name="client_timeline",
            )
        )
    return sorted(items, key=lambda item: item.due_on)


def caseload_rows(user: Any, clients: list[Client]) -> list[tuple[Client, list[DueItem]]]:
    """Each client on a caseload page with its due items, in a constant number of queries."""
    rules = contact_rules(user.organisation_id)
    extra = due_items(client.pk for client in clients)
    return [
        (client, due_list(client, contact_due(client, rules), extra.get(client.pk, [])))
        for client in clients
    ]


def client_header(user: Any, client: Client) -> dict[str, Any]:
    """What the header and tabs of every client page show, for any app's client tab."""
    allowed = allowed_actions(user, client)
    contact = contact_due(client, contact_rules(client.organisation_id))
    return {
        "client": client,
        "can": {action.value: action.value in allowed for action in Action},
        "open_flags": list(
            client.flags.filter(cleared_at__isnull=True).select_related("raised_by")
        ),
        "stages": Stage.choices,
        "stage_index": ORDER.index(client.stage),
        "due": due_list(client, contact, due_items([client.pk]).get(client.pk, [])),
        "extra_tabs": [tab for tab in TABS if tab.needs_action in allowed],
        "today": timezone.localdate(),
    }


def collaterals_with_releases(client: Client) -> list[tuple[Collateral, str | None]]:
    """The client's collaterals, each with the release in effect for it (None when there is none)."""
    collaterals = list(client.collaterals.all())
    found = releases(c.pk for c in collaterals)
    return [(collateral, found.get(collateral.pk)) for collateral in collaterals]


def timeline(client: Client, limit: int = 200) -> list[TimelineEntry]:
    return list(client.timeline.select_related("actor")[:limit])


def recent_emergency_access(user: Any, days: int = 14) -> QuerySet[Any, Any]:
    """Break-the-glass grants on clients in a supervisor's programs, newest first."""
    return (
        BreakGlassGrant.objects.filter(
            client__in=Client.objects.restrict(user, Action.ASSIGN),
            granted_at__gte=timezone.now() - timedelta(days=days),
        )
        .select_related("user", "client")
        .order_by("-granted_at")
    )
