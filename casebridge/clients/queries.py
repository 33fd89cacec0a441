"""Reads of client records that views and reports share. All go through the access policy."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lag
from django.db.models.lookups import IsNull, LessThan
from django.http import Http404
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.access.policy import (
    NOTHING,
    Action,
    client_filter,
    client_rules,
    prepared_shape,
    role_actions,
    stand_in,
)
from casebridge.access.refusals import LIMIT_REACHED
from casebridge.accounts.models import Role, User
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_event, audit_write
from casebridge.clients import name_search
from casebridge.clients.contact_due import contact_rules
from casebridge.clients.extensions import (
    TABS,
    TIMELINE_KINDS,
    DueItem,
    TimelineEntryKind,
    due_items,
    releases,
)
from casebridge.clients.models import Client, ClientFlag, Collateral, TimelineEntry
from casebridge.clients.stages import ORDER, Stage
from casebridge.paging import page_of
from casebridge.prepared import Prepared, PreparedExists


def client_for(
    *,
    user: User,
    client_id: int,
    action: str = Action.VIEW,
    audit: bool = True,
    include_emergency: bool = True,
    with_people: bool = True,
) -> Client:
    """The client `user` may perform `action` on, or 404: not found, never forbidden.

    Opening a record, for any action, is a read of client data, so it is audited here, in one
    place. `include_emergency=False` leaves out break-the-glass grants (an emergency is a person
    at a screen, not a program calling the API). `with_people=False` leaves the client's case
    managers and coach, program and organisation to be read if asked for (the API shows none
    of them; a page does).
    """
    read = _prepared_for(user, client_id, str(Action(action)), include_emergency, with_people)
    if read is not None:
        prepared, actions = read
        client = next(iter(_run(prepared, user, client_id)), None)
    else:
        found, rules = _one_client(
            user,
            client_id,
            action,
            include_emergency=include_emergency,
            with_people=with_people,
        )
        client = next(iter(found), None)
        actions = [allows for _, allows in rules]
    if client is None:
        raise Http404("No client found")
    if actions:
        client.actions_of = (user.pk, _passed(actions, vars(client)))  # type: ignore[attr-defined]
    if audit:
        # Every page that shows a client's record is a read of it, whatever it is opened for.
        audit_write([client_read(user, client, action)])
    return client


def _one_client(
    user: User,
    client_id: int,
    action: str,
    *,
    include_emergency: bool,
    with_people: bool,
    now: datetime | None = None,
) -> tuple[QuerySet[Client, Client], list[tuple[Q, frozenset[str]]]]:
    """client_for's query, and the rules whose tests it carries (a page's: see client_for)."""
    related: list[str] = []
    rules: list[tuple[Q, frozenset[str]]] = []
    if with_people:
        related = [
            "program",
            "organisation",
            "primary_case_manager",
            "secondary_case_manager",
            "coach",
        ]
        # A page also shows what the person may do (the client header's menus): asked in the
        # same query, so a client page does not read the row twice.
        rules = client_rules(user, now=now)
    # One row by its id: no ORDER BY (first() would add one, and building it costs more than
    # the query takes to run).
    found = Client.objects.filter(
        client_filter(user, action, include_emergency=include_emergency, one_client=True, now=now)
    )
    if related:  # select_related() with no names would follow every foreign key
        found = found.select_related(*related)
    return found.annotate(**_rule_tests(rules)).filter(pk=client_id).order_by()[:1], rules


# Stand-in values a prepared read is built with: no real id is negative. The moment is one no
# grant outlasts, so were it ever left in the SQL rather than replaced, every grant would have
# run out: a mistake there shuts records, it never opens them.
_MARKERS: dict[str, int | datetime] = {
    "user_id": -7_301_911,
    "organisation_id": -7_301_912,
    "client_id": -7_301_913,
    "now": datetime(9999, 12, 30, 4, 5, 6, 789_012, tzinfo=UTC),
}
# The ids a database keeps (64-bit): a larger one in a URL finds nothing, as the ORM says, where
# SQLite would refuse to take it as a parameter at all.
_LARGEST_ID = 2**63 - 1
type _PreparedRead = tuple[Prepared[Client], list[frozenset[str]]]
_PREPARED_READS: dict[tuple[str, str, bool, bool], _PreparedRead | None] = {}


def _prepared_read(
    shape: str, action: str, include_emergency: bool, with_people: bool
) -> _PreparedRead | None:
    """client_for's query for everyone of a policy shape, compiled once (casebridge.prepared):
    building and compiling the policy's query was most of what opening a record cost (about
    3 ms of 4). With the actions each of its rule tests allows, which are the shape's too.
    None for a question no rule of the shape allows (a coach's care plan): a filter that
    matches nothing compiles to no SQL, so that one is built each time."""
    key = (shape, action, include_emergency, with_people)
    if key in _PREPARED_READS:
        return _PREPARED_READS[key]

    def build(**values: Any) -> QuerySet[Client, Client]:
        person = stand_in(shape, values["user_id"], values["organisation_id"])
        return _one_client(
            person,
            values["client_id"],
            action,
            include_emergency=include_emergency,
            with_people=with_people,
            now=values["now"],
        )[0]

    nobody = stand_in(shape, -1, -1)
    if client_filter(nobody, action, include_emergency=include_emergency) is NOTHING:
        _PREPARED_READS[key] = None
        return None
    rules = client_rules(nobody) if with_people else []
    prepared = Prepared(build, optional=frozenset({"now"}), **_MARKERS)  # type: ignore[arg-type]
    known = _PREPARED_READS[key] = (prepared, [allows for _, allows in rules])
    return known


def _prepared_for(
    user: User, client_id: object, action: str, include_emergency: bool, with_people: bool
) -> _PreparedRead | None:
    """The prepared read for this person's question, when their rules can be prepared."""
    if type(client_id) is not int or not 0 < client_id <= _LARGEST_ID:
        return None
    shape = prepared_shape(user)
    if shape is None:
        return None
    return _prepared_read(shape, action, include_emergency, with_people)


def _run(prepared: Prepared[Client], user: User, client_id: int) -> list[Client]:
    return prepared(
        user_id=user.pk,
        organisation_id=int(user.organisation_id or 0),
        client_id=client_id,
        now=timezone.now(),
    )


def client_read(user: User, client: Client, action: str = Action.VIEW) -> AuditEvent:
    """The trail's event for opening a client's record, made for audit_write: a page that also
    records what else it showed (client_for(..., audit=False)) writes both at once."""
    return audit_event(
        actor=user,
        action="view",
        client_id=client.pk,
        object_type="client",
        object_id=client.pk,
        changes={} if action == Action.VIEW else {"opened_to": str(action)},
    )


def record_reads(opened: AuditEvent | None, *shown: AuditEvent) -> None:
    """A page's reads written at once: the client's record opened (client_read, when the page
    opened it with client_for(..., audit=False); None when client_for audited it) and what
    else the page showed."""
    audit_write([event for event in (opened, *shown) if event is not None])


_SHAPE_REACHES: dict[tuple[str, str, bool], bool] = {}


def _shape_reaches(shape: str, action: str, include_emergency: bool) -> bool:
    """Whether any rule of the shape allows the action (a filter that matches nothing compiles
    to no SQL, so a question none allows is asked unprepared); worked out once."""
    key = (shape, action, include_emergency)
    if key not in _SHAPE_REACHES:
        nobody = stand_in(shape, -1, -1)
        _SHAPE_REACHES[key] = (
            client_filter(nobody, action, include_emergency=include_emergency) is not NOTHING
        )
    return _SHAPE_REACHES[key]


def reaches(
    user: User,
    action: str = Action.VIEW,
    *,
    outer_field: str = "client_id",
    include_emergency: bool = False,
    open_only: bool = False,
) -> Exists | PreparedExists:
    """A filter for rows of a client's record (an alert, a task, a note): the person may do
    `action` on the row's client, the field path `outer_field`; with `open_only`, on a client
    whose case is not concluded. Tested client by client through the policy's one-row form, so
    rows already narrowed some other way (a page's case managers, an index read in order up to
    a limit) cost what they hold: an IN over the person's clients would gather every one first.

    For a shape the policy names (access.policy.prepared_shape) the test's SQL is compiled once
    and run with the person's values (casebridge.prepared.PreparedExists); a page that filters
    several lists this way then pays for the policy's SQL once, not once a list."""
    action = str(Action(action))

    def build(**values: Any) -> QuerySet[Client, Client]:
        person = values.get("person") or stand_in(
            str(shape), values["user_id"], values["organisation_id"]
        )
        found = Client.objects.filter(
            client_filter(
                person,
                action,
                include_emergency=include_emergency,
                one_client=True,
                now=values["now"],
            )
        )
        if open_only:
            found = found.exclude(stage=Stage.CONCLUSION)
        return found.filter(pk=values["outer"])

    shape = prepared_shape(user)
    if shape is None or not _shape_reaches(shape, action, include_emergency):
        return Exists(build(person=user, outer=OuterRef(outer_field), now=timezone.now()))
    return PreparedExists(
        build,
        key=("reaches", shape, action, include_emergency, open_only),
        outer_field=outer_field,
        markers={
            "user_id": _MARKERS["user_id"],
            "organisation_id": _MARKERS["organisation_id"],
            "now": _MARKERS["now"],
            "outer": _MARKERS["client_id"],
        },
        values={
            "user_id": user.pk,
            "organisation_id": int(user.organisation_id or 0),
            "now": timezone.now(),
        },
        optional=frozenset({"now"}),
    )


def works_with(user: User, client_id: int) -> bool:
    """Whether the person works with this client: their role reaches them, emergency access
    aside (an emergency is for reading, not for doing someone's work)."""
    read = _prepared_for(user, client_id, Action.VIEW.value, False, False)
    if read is not None:
        return bool(_run(read[0], user, client_id))
    return (
        Client.objects.restrict(user, Action.VIEW, include_emergency=False, one_client=True)
        .filter(pk=client_id)
        .exists()
    )


def user_may(user: User, client: Client, action: str) -> bool:
    known = _known_actions(user, client)
    if known is not None:
        return action in known
    read = _prepared_for(user, client.pk, str(Action(action)), True, False)
    if read is not None:
        return bool(_run(read[0], user, client.pk))
    return Client.objects.restrict(user, action, one_client=True).filter(pk=client.pk).exists()


def _known_actions(user: User, client: Client) -> frozenset[str] | None:
    """What client_for found the person may do, when it read this client for them (a page
    does): the policy's answer of a moment ago, not asked again. Saving the client forgets it."""
    known = getattr(client, "actions_of", None)
    if known is not None and known[0] == user.pk:
        return known[1]  # type: ignore[no-any-return]
    return None


def _rule_tests(rules: list[tuple[Q, frozenset[str]]]) -> dict[str, Case]:
    return {
        f"passes_{index}": Case(
            When(passes, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        for index, (passes, _) in enumerate(rules)
    }


def _passed(rules: list[frozenset[str]], row: dict[str, Any]) -> frozenset[str]:
    allowed: set[str] = set()
    for index, actions in enumerate(rules):
        if row[f"passes_{index}"]:
            allowed |= actions
    return frozenset(allowed)


def allowed_actions(user: User, client: Client) -> frozenset[str]:
    """Every action `user` may take on `client`, asked of the policy in one query: one test
    of the client's row for each of the policy's rules (two for staff), not one per action.
    A client that client_for read for a page already carries the answer for its reader."""
    known = _known_actions(user, client)
    if known is not None:
        return known
    rules = client_rules(user)
    annotations = _rule_tests(rules)
    if not annotations:
        return frozenset()
    row = next(
        iter(Client.objects.filter(pk=client.pk).annotate(**annotations).values(*annotations)),
        None,
    )
    return frozenset() if row is None else _passed([allows for _, allows in rules], row)


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


def split_by_access(user: User, clients: list[Client]) -> tuple[list[Client], int]:
    """The clients `user` may view, and how many others there are (without saying who)."""
    visible_ids = set(
        Client.objects.restrict(user, Action.VIEW)
        .filter(pk__in=[c.pk for c in clients])
        .values_list("pk", flat=True)
    )
    visible = [c for c in clients if c.pk in visible_ids]
    return visible, len(clients) - len(visible)


class CaseloadSort(TextChoices):
    URGENCY = "urgency", "Most urgent first"
    NAME = "name", "Name"
    CASE_NUMBER = "case_number", "Case number"
    LAST_CONTACT = "last_contact", "Last contact, longest ago first"
    NEXT_DUE = "next_due", "Next contact due, soonest first"


@dataclass
class CaseloadFilters:
    q: str = ""
    stage: str = ""
    program: int | None = None
    flag: str = ""
    case_manager: int | None = None
    overdue: bool = False
    sort: str = CaseloadSort.URGENCY


_NEVER = datetime(9999, 12, 31, tzinfo=UTC)  # no contact due: never overdue


def start_of_today() -> datetime:
    """Midnight today where the organisation works: a contact due before it is overdue."""
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _soonest_due_none_last() -> list[Any]:
    """The next contact due, soonest first and clients with none last, as the database's index
    holds it: PostgreSQL keeps a missing value last in its indexes; SQLite keeps it first, so
    there "none" is its own column first (the clients.sqlite_order indexes)."""
    if connections[Client.objects.db].features.nulls_order_largest:
        return [F("next_contact_due_at").asc(nulls_last=True)]
    return [IsNull(F("next_contact_due_at"), True), "next_contact_due_at"]


def _ordering(sort: str, *, overdue: bool = False) -> list[Any]:
    by_name = ["legal_last_name", "legal_first_name", "pk"]
    match sort:
        case CaseloadSort.NAME:
            return by_name
        case CaseloadSort.CASE_NUMBER:
            return ["case_number"]
        case CaseloadSort.LAST_CONTACT:
            return [F("last_contact_at").asc(nulls_first=True), *by_name]
        case CaseloadSort.NEXT_DUE:
            return [*_soonest_due_none_last(), *by_name]
    # Urgency: an open safety concern first, then the most overdue contact, then the soonest.
    # (The order of the caseload_by_urgency index, so a whole team is read in it, not sorted.)
    # An overdue client has a contact due, so the order needs nothing said of clients with
    # none: said anyway, it is not the index's order and SQLite sorted within it.
    due = ["next_contact_due_at"] if overdue else _soonest_due_none_last()
    return ["-has_open_safety_flag", *due, *by_name]


def search_match(words: str) -> Q:
    """The clients a search finds: part of a name, the case number, or (four digits or more)
    part of the phone number or the end of the case number. On PostgreSQL each name and the
    case number are read through an index (clients migration 0014), on SQLite through a trigram
    table (clients.name_search), not client by client."""
    term = words.strip()
    digits = "".join(ch for ch in term if ch in "0123456789")
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
    database = connections[Client.objects.db]
    if database.vendor == "sqlite" and name_search.installed(database):
        # SQLite has no index for "contains": its trigram table narrows to a few clients first.
        narrowing = name_search.narrowing(term, parts, digits)
        if narrowing is not None:
            # The words travel as a parameter; the SQL text is name_search's own.
            match &= Q(pk__in=RawSQL(*name_search.matching_ids(narrowing)))  # noqa: S611
    return match


CASELOAD_FIELDS = (
    "case_number",
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "stage",
    "program__name",
    "case_management_model",
    "last_contact_at",
    "next_contact_due_at",
    "due_stamp",
)


def caseload(user: User, filters: CaseloadFilters) -> QuerySet[Client, Client]:
    """The clients on a person's caseload (a supervisor's team), filtered, sorted and ready to
    list, in the same number of queries for any page of any caseload."""
    # A caseload is the person's own clients: emergency-access grants do not add to it.
    clients = Client.objects.restrict(user, Action.VIEW, include_emergency=False)
    if filters.q:
        clients = clients.filter(search_match(filters.q))
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
    if filters.overdue:
        due: Any = F("next_contact_due_at")
        if filters.sort in {"", CaseloadSort.URGENCY}:
            # Most urgent first is the order of the caseload_by_urgency index, in which the
            # overdue clients come first in each group: read in it and stop at a page. Given a
            # plain comparison, SQLite read the overdue clients by their due date instead and
            # sorted every one of them (34,000 of a team of 100,000: 180 ms); no index holds
            # this form of it, so the order's index is the one to read.
            due = Coalesce(due, Value(_NEVER))
        clients = clients.filter(LessThan(due, start_of_today()))
    return (
        clients.select_related("program")
        # What a row shows and what its due items are worked out from, nothing else: a page
        # of fifty whole clients with their case managers cost more to read than to draw.
        .only(*CASELOAD_FIELDS)
        .prefetch_related(
            Prefetch(
                "flags",
                # The caseload shows which flags are open, never their notes.
                queryset=ClientFlag.objects.filter(cleared_at__isnull=True).only(
                    "pk", "client_id", "kind"
                ),
                to_attr="open_flags",
            )
        )
        .order_by(*_ordering(filters.sort, overdue=filters.overdue))
    )


TEAM_PAGE_SIZE = 25


def team_members(user: User) -> QuerySet[User, User]:
    """The supervisor's team: the active case managers who work in the supervisor's programs,
    and case managers who no longer do (taken off the program, or their account switched off)
    while open cases of these programs are still theirs, until those are moved; by last name
    and first name. `still_here` says which is which."""
    organisation_id = int(user.organisation_id or 0)
    # The programs' ids as a list: a subquery for them, nested twice over, took longer to build
    # and compile than reading them does. Read through all(): a page that has already read the
    # person's programs (prefetch_related_objects) does not read them again.
    programs = [p.pk for p in user.programs.all() if p.organisation_id == organisation_id]
    # Membership as a test on each person rather than a join: no duplicate rows to remove for
    # someone in two of the programs, so the database can stop at a page's worth. A one-row
    # subquery, not EXISTS: PostgreSQL turned an EXISTS into a set of every member of the
    # programs, built on each look (2,000 people: 4 ms), where this is one look in the
    # membership index per person read.
    member = IsNull(
        Subquery(
            User.programs.through.objects.filter(user_id=OuterRef("pk"), program__in=programs)
            .order_by()
            .values("user_id")[:1]
        ),
        False,
    )
    # Read through the index on the primary case manager, one look per person of the agency.
    holding = (
        Client.objects.filter(primary_case_manager=OuterRef("pk"), program__in=programs)
        .exclude(stage=Stage.CONCLUSION)
        .order_by()
    )
    still_here = Q(is_active=True) & Q(member)
    return (
        User.objects.filter(organisation_id=organisation_id, role=Role.CASE_MANAGER)
        .filter(still_here | Q(Exists(holding)))
        .annotate(still_here=ExpressionWrapper(still_here, output_field=BooleanField()))
        .order_by("last_name", "first_name", "pk")
    )


def team_page(user: User, number: str | int | None = 1) -> Page[User]:
    """One page of the supervisor's team (a bad or out-of-range page number gives the nearest
    page). Three queries, the supervisor's programs, a count and the page, whatever the team's
    size: the count stops a few pages past the one asked for (casebridge.paging), so a team of
    thousands costs no more."""
    people = team_members(user).only("pk", "is_active", *User.NAME_FIELDS)
    return page_of(people, TEAM_PAGE_SIZE, None if number is None else str(number))


@dataclass
class TeamCounts:
    """Open cases of one page of case managers, and the open clients with none."""

    page: Page[User]
    rows: list[dict[str, Any]]
    unassigned: int


def team_counts(user: User, page: Page[User]) -> TeamCounts:
    """Open cases per case manager on one page of the team, among the clients the supervisor
    oversees (never those reached by emergency access), and the open clients with no case
    manager. One grouped query, read through the index on the primary case manager: its cost
    follows the page, not the team."""
    managers = list(page.object_list)
    open_ones = Client.objects.restrict(user, Action.VIEW, include_emergency=False).exclude(
        stage="conclusion"
    )

    def per_manager(clients: QuerySet[Client]) -> QuerySet[Any]:
        return (
            clients.values("primary_case_manager")
            .annotate(open_cases=Count("*"))
            .order_by()
            .values_list("primary_case_manager", "open_cases")
        )

    # Two halves of one query: an OR of the two made the database read every client's row
    # rather than the index on the case manager alone.
    counts: dict[int | None, int] = dict(
        per_manager(
            open_ones.filter(primary_case_manager_id__in=[person.pk for person in managers])
        )
        .union(per_manager(open_ones.filter(primary_case_manager__isnull=True)), all=True)
        .order_by()
    )
    rows = [
        {
            "id": person.pk,
            "name": person.display_name,
            "open_cases": counts.get(person.pk, 0),
            "still_here": person.still_here,  # type: ignore[attr-defined]
        }
        for person in managers
    ]
    return TeamCounts(page=page, rows=rows, unassigned=counts.get(None, 0))


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


def caseload_rows(user: User, clients: list[Client]) -> list[tuple[Client, list[DueItem]]]:
    """Each client on a caseload page with the due items the person may open, in a constant
    number of queries. A caseload holds only clients the person's role reaches, so the role's
    actions are the actions on each of them."""
    extra = due_items(
        [client.pk for client in clients],
        role_actions(user),
        stamps={client.pk: client.due_stamp for client in clients},
    )
    return [
        (client, due_list(client, client.next_contact_due_at, extra.get(client.pk, [])))
        for client in clients
    ]


# What anyone working with the client should do about a flag, without the clinical detail
# behind it (a coach sees that a safety concern exists and what to do, not the answer that
# raised it).
FLAG_GUIDANCE = {
    "safety": (
        "If you think they may be in danger now, stay with them and call 988 (Suicide & Crisis "
        "Lifeline) or 911, then tell their case manager today."
    ),
}


@dataclass(frozen=True)
class ShownFlag:
    """An open flag as a page may show it: its note only to those who may read clinical
    content (a note can quote a screening answer)."""

    pk: int
    kind: str
    label: str
    note: str
    raised_by: str
    raised_at: datetime
    guidance: str


def _open_flags(with_notes: bool) -> Prepared[ClientFlag]:
    def build(client_id: int) -> QuerySet[ClientFlag]:
        flags = ClientFlag.objects.filter(client_id=client_id, cleared_at__isnull=True)
        return flags.select_related("raised_by").only(
            "client_id",
            "kind",
            "raised_at",
            *(["note"] if with_notes else []),
            *(f"raised_by__{f}" for f in User.NAME_FIELDS),
        )

    return Prepared(build, client_id=-(2**31) + 19)


# Every client page's header lists the open flags: in a query built once for each of the two
# forms it takes (with the notes, for those who read clinical content, and without them).
_OPEN_FLAGS = {True: _open_flags(True), False: _open_flags(False)}


def open_flags(client: Client, actions: frozenset[str]) -> list[ShownFlag]:
    with_notes = Action.READ_CLINICAL.value in actions
    flags = _OPEN_FLAGS[with_notes](client_id=client.pk)
    return [
        ShownFlag(
            pk=flag.pk,
            kind=flag.kind,
            label=flag.get_kind_display(),
            note=flag.note if with_notes else "",
            raised_by=flag.raised_by.display_name,
            raised_at=flag.raised_at,
            guidance=FLAG_GUIDANCE.get(flag.kind, ""),
        )
        for flag in flags
    ]


def client_header(user: User, client: Client) -> dict[str, Any]:
    """What the header and tabs of every client page show, for any app's client tab: only what
    the person's allowed actions on this client let them see."""
    allowed = allowed_actions(user, client)
    contact = client.next_contact_due_at
    return {
        "client": client,
        "allowed": allowed,
        "can": {action.value: action.value in allowed for action in Action},
        "open_flags": open_flags(client, allowed),
        "stages": Stage.choices,
        "stage_index": ORDER.index(client.stage),
        "due": due_list(
            client,
            contact,
            due_items([client.pk], allowed, stamps={client.pk: client.due_stamp})[client.pk],
        ),
        "extra_tabs": [tab for tab in TABS if tab.needs_action in allowed],
        "today": timezone.localdate(),
    }


def collaterals_with_releases(client: Client) -> list[tuple[Collateral, str | None]]:
    """The client's collaterals, each with the release in effect for it (None when there is none)."""
    collaterals = list(client.collaterals.all())
    found = releases(c.pk for c in collaterals)
    return [(collateral, found.get(collateral.pk)) for collateral in collaterals]


def _with_actors(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """The entries with who made each, read in a query of their own: joined to the entries, the
    people made PostgreSQL, believing a client had a few entries (statistics lag behind a busy
    client), read and sort all ten thousand rather than the index's first fifty."""
    prefetch_related_objects(
        entries, Prefetch("actor", queryset=User.objects.only(*User.NAME_FIELDS))
    )
    return entries


def timeline(client: Client, actions: frozenset[str], limit: int = 200) -> list[TimelineEntry]:
    """The newest entries of the client's timeline that a person with `actions` may see."""
    return _with_actors(list(client.timeline.filter(needs_action__in=sorted(actions))[:limit]))


TIMELINE_PAGE = 50  # entries a timeline page shows; older ones are a link away


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    older_than: int | None  # the entry to continue from when older ones remain, else None


def timeline_kinds(actions: frozenset[str]) -> list[TimelineEntryKind]:
    """The registered kinds of entry a person with `actions` may see, to filter the timeline."""
    return sorted(
        (kind for kind in TIMELINE_KINDS.values() if kind.needs_action in actions),
        key=lambda kind: kind.label,
    )


def timeline_page(
    client: Client,
    actions: frozenset[str],
    *,
    kind: str = "",
    older_than: int | None = None,
    size: int = TIMELINE_PAGE,
) -> TimelinePage:
    """One page of the client's timeline, newest first, that a person with `actions` may see:
    of one kind if asked, and older than the entry `older_than` (keyset paging on the time and
    id, so the thousandth page costs what the first does: one query, through the index on the
    client and time, or on the client, kind and time)."""
    visible = client.timeline.filter(needs_action__in=sorted(actions))
    entries = visible.filter(kind=kind) if kind else visible
    if older_than is not None:
        # Continue only from an entry this person may see: another's time is not given away.
        at = Subquery(visible.filter(pk=older_than).order_by().values("at")[:1])
        entries = entries.filter(Q(at__lte=at), Q(at__lt=at) | Q(pk__lt=older_than))
    found = _with_actors(list(entries.order_by("-at", "-id")[: size + 1]))
    shown = found[:size]
    return TimelinePage(shown, shown[-1].pk if len(found) > size else None)


def recent_emergency_access(
    user: User, days: int = 14
) -> QuerySet[BreakGlassGrant, BreakGlassGrant]:
    """Break-the-glass grants on clients in a supervisor's programs, newest first (each grant's
    client tested on its own: the recent grants are few, the programs' clients many)."""
    theirs = Client.objects.restrict(user, Action.ASSIGN, one_client=True).filter(
        pk=OuterRef("client_id")
    )
    return (
        BreakGlassGrant.objects.filter(
            Exists(theirs), granted_at__gte=timezone.now() - timedelta(days=days)
        )
        .select_related("user", "client")
        .order_by("-granted_at")
    )


# "Repeated" refusals: this many by one person within this long.
REPEATED_REFUSALS = 5
REPEATED_WITHIN = timedelta(hours=1)


@dataclass(frozen=True)
class RepeatedRefusals:
    """One staff member who was refused again and again: who, how often, and when last."""

    name: str
    refusals: int
    last_burst_at: datetime
    limit_reached: bool


def repeated_refusals(user: User, days: int = 14) -> list[RepeatedRefusals]:
    """Staff of the user's organisation refused 5 or more times within an hour in the last
    `days`, the most recent first. Nothing about the clients they tried to reach."""
    refused = AuditEvent.objects.filter(
        organisation_id=user.organisation_id,
        at__gte=timezone.now() - timedelta(days=days),
        action="refused",
        actor__isnull=False,
    )
    # A refusal that is the fifth within an hour has the refusal four before it an hour ago
    # or less; the marker row written when the per-minute limit is reached is not a refusal.
    fifth_within_an_hour = (
        refused.exclude(object_type=LIMIT_REACHED)
        .annotate(
            fourth_before=Window(
                Lag("at", REPEATED_REFUSALS - 1),
                partition_by=[F("actor_id")],
                order_by=F("at").asc(),
            )
        )
        .filter(fourth_before__gte=F("at") - REPEATED_WITHIN)
        .values("pk")
    )
    last_bursts = dict(
        AuditEvent.objects.filter(pk__in=fifth_within_an_hour)
        .values("actor_id")
        .annotate(last=Max("at"))
        .values_list("actor_id", "last")
    )
    rows = (
        refused.filter(actor_id__in=list(last_bursts))
        .values("actor_id", "actor__first_name", "actor__last_name", "actor__username")
        .annotate(
            refusals=Count("pk", filter=~Q(object_type=LIMIT_REACHED)),
            limit_rows=Count("pk", filter=Q(object_type=LIMIT_REACHED)),
        )
        .order_by()
    )
    found = [
        RepeatedRefusals(
            name=(
                f"{row['actor__first_name']} {row['actor__last_name']}".strip()
                or row["actor__username"]
            ),
            refusals=row["refusals"],
            last_burst_at=last_bursts[row["actor_id"]],
            limit_reached=row["limit_rows"] > 0,
        )
        for row in rows
    ]
    return sorted(found, key=lambda person: person.last_burst_at, reverse=True)


def client_page(user: User, client: Client, tab: str, **extra: Any) -> dict[str, Any]:
    """The context every page on a client's record starts from: the header, and which tab."""
    return {**client_header(user, client), "tab": tab, **extra}


def contact_every_days(client: Client) -> int | None:
    """How many days may pass between contacts under the client's program and model (None when
    the program sets no rule for it)."""
    rules = contact_rules(Client.objects.filter(pk=client.pk).values("program_id"))
    return rules.get((client.program_id, client.case_management_model))
