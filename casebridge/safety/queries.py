"""Reads the safety pages, the on-call worker and the alerts' My Day page share: the safety plan
in effect, who is on call, whom an on-call worker may look up, a client's last two weeks of
contacts, and the on-call openings a case manager hears about the next morning."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet, Value
from django.utils import timezone

from casebridge.access.policy import Action, Principal, PrincipalKind, may
from casebridge.accounts.models import CLINICAL_ROLES, Program, Role, User
from casebridge.clients.models import Client
from casebridge.clients.queries import search_match, user_may
from casebridge.monitoring.models.contacts import CheckIn, CoachingSession, ContactNote
from casebridge.monitoring.statuses import RECORDED
from casebridge.safety.models import AfterHoursContact, OnCallOpening, OnCallShift, SafetyPlan
from casebridge.safety.services import ON_CALL_ROLES
from casebridge.safety.statuses import SafetyPlanStatus

RECENT_DAYS = 14  # how far back the on-call worker sees a caller's contacts
SEARCH_LIMIT = 20
SUMMARY_CHARS = 200


def plan_in_effect(client: Client) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(client=client, status=SafetyPlanStatus.ACTIVE).first()


def plan_versions(client: Client) -> list[SafetyPlan]:
    return list(SafetyPlan.objects.filter(client=client).order_by("-sequence"))


def plan_of(client: Client, plan_id: int) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(client=client, pk=plan_id).first()


# --- The roster --------------------------------------------------------------------------------


def clinical_programs(user: User) -> QuerySet[Program, Program]:
    """The programs of the person's organisation they work in, if their role works with clients:
    whose roster they may read."""
    organisation_id = user.organisation_id
    if organisation_id is None or user.role not in CLINICAL_ROLES:
        return Program.objects.none()
    return user.programs.filter(organisation_id=organisation_id).order_by("name")


def may_read_roster(user: User, program: Program) -> bool:
    return clinical_programs(user).filter(pk=program.pk).exists()


def may_manage_roster(user: User, program: Program) -> bool:
    """Supervisors of a program set its roster."""
    return user.role == Role.SUPERVISOR and may_read_roster(user, program)


def roster_candidates(program: Program) -> QuerySet[User, User]:
    """Who may be put on call for the program: its active case managers and supervisors."""
    return User.objects.filter(
        programs=program,
        organisation_id=program.organisation_id,
        role__in=sorted(ON_CALL_ROLES),
        is_active=True,
    ).order_by("first_name", "last_name", "username")


def upcoming_shifts(program: Program, *, limit: int = 50) -> list[OnCallShift]:
    """The program's shifts going on now or to come, soonest first."""
    return list(
        OnCallShift.objects.filter(program=program, ends_at__gt=timezone.now())
        .select_related("user")
        .order_by("starts_at")[:limit]
    )


def on_call_now(program_ids: list[int]) -> dict[int, list[User]]:
    """Who is on call now in each of these programs (an empty list where nobody is), in one
    query."""
    now = timezone.now()
    found: dict[int, list[User]] = {program_id: [] for program_id in program_ids}
    shifts = (
        OnCallShift.objects.filter(program_id__in=program_ids, starts_at__lte=now, ends_at__gt=now)
        .select_related("user")
        .order_by("starts_at")
    )
    for shift in shifts:
        found.setdefault(shift.program_id, []).append(shift.user)
    return found


def next_shifts(program_ids: list[int]) -> dict[int, OnCallShift]:
    """The next shift to start in each program, if any."""
    now = timezone.now()
    found: dict[int, OnCallShift] = {}
    for shift in (
        OnCallShift.objects.filter(program_id__in=program_ids, starts_at__gt=now)
        .select_related("user")
        .order_by("starts_at")[: 10 * max(len(program_ids), 1)]
    ):
        found.setdefault(shift.program_id, shift)
    return found


def current_shifts(user: User) -> list[OnCallShift]:
    """The person's shifts going on now, in programs of their organisation they still work in."""
    organisation_id = user.organisation_id
    if organisation_id is None or user.role not in ON_CALL_ROLES:
        return []
    now = timezone.now()
    return list(
        OnCallShift.objects.filter(
            user=user,
            starts_at__lte=now,
            ends_at__gt=now,
            program__organisation_id=organisation_id,
            program__in=user.programs.all(),
        )
        .select_related("program")
        .order_by("starts_at")
    )


def current_shift_for(user: User, program_id: int) -> OnCallShift | None:
    return next((s for s in current_shifts(user) if s.program_id == program_id), None)


# --- On-call access ----------------------------------------------------------------------------


def may_open_on_call(principal: Principal, client: Client) -> bool:
    """The `safety.on_call` object rule: a case manager or supervisor on shift for the client's
    program may read the client's safety plan in effect and last two weeks of contacts. Not
    emergency access: it is bounded by the shift and by the program, and reads only those."""
    if principal.kind != PrincipalKind.STAFF or principal.role not in ON_CALL_ROLES:
        return False
    if not isinstance(client, Client) or client.organisation_id != principal.organisation_id:
        return False
    return current_shift_for(principal.account, client.program_id) is not None


def on_call_clients(user: User) -> QuerySet[Client, Client]:
    """The clients the person may look up on call now: those of the programs they are on shift
    for. (The `safety.on_call` rule, as a filter for the search.)"""
    program_ids = [shift.program_id for shift in current_shifts(user)]
    organisation_id = user.organisation_id
    if not program_ids or organisation_id is None:
        return Client.objects.none()
    return Client.objects.filter(organisation_id=organisation_id, program_id__in=program_ids)


def on_call_search(user: User, term: str) -> list[Client]:
    """A caller looked up by name, case number or phone, among the clients the person may open
    on call. At least two characters; at most SEARCH_LIMIT answers."""
    if len(term.strip()) < 2:
        return []
    return list(
        on_call_clients(user)
        .filter(search_match(term))
        .select_related("program", "primary_case_manager")
        .order_by("legal_last_name", "legal_first_name", "pk")[:SEARCH_LIMIT]
    )


@dataclass(frozen=True)
class RecentContact:
    """One contact as the on-call worker sees it: when, what kind, and a line about it."""

    at: datetime
    kind: str
    summary: str


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def recent_contacts(client: Client, *, days: int = RECENT_DAYS) -> list[RecentContact]:
    """The client's contacts of the last `days` days, newest first: signed contact notes (their
    first part, shortened), check-ins (the scales), coaching sessions and after-hours calls."""
    since = timezone.now() - timedelta(days=days)
    found: list[RecentContact] = []
    for note in ContactNote.objects.filter(
        client=client, status__in=sorted(RECORDED), contact_at__gte=since
    ):
        found.append(
            RecentContact(note.contact_at, note.get_contact_type_display(), _short(note.excerpt))
        )
    for check_in in CheckIn.objects.filter(client=client, checked_in_at__gte=since):
        used = "used since the last check-in" if check_in.used_since_last else "no use reported"
        found.append(
            RecentContact(
                check_in.checked_in_at,
                "Check-in",
                f"Mood {check_in.mood}/10, craving {check_in.craving}/10, {used}",
            )
        )
    for session in CoachingSession.objects.filter(
        client=client, session_on__gte=timezone.localdate(since)
    ):
        at = timezone.make_aware(datetime.combine(session.session_on, datetime.min.time()))
        topics = ", ".join(session.topic_labels())
        found.append(
            RecentContact(
                at,
                f"Coaching session ({session.get_kind_display().lower()})",
                _short(topics + (f". Next step: {session.next_step}" if session.next_step else "")),
            )
        )
    for call in AfterHoursContact.objects.filter(client=client, at__gte=since):
        found.append(
            RecentContact(
                call.at, f"After-hours call from {call.caller}", _short(call.what_was_done)
            )
        )
    return sorted(found, key=lambda contact: contact.at, reverse=True)


def after_hours_for_client(client: Client, *, limit: int = 20) -> list[AfterHoursContact]:
    return list(AfterHoursContact.objects.filter(client=client).select_related("taken_by")[:limit])


def recent_after_hours(user: User, *, days: int = 7) -> list[AfterHoursContact]:
    """After-hours contacts of the last week in the programs the person supervises or is on
    call for now: what the supervisor and the next on-call worker pick up."""
    program_ids = {shift.program_id for shift in current_shifts(user)}
    if user.role == Role.SUPERVISOR:
        program_ids |= set(clinical_programs(user).values_list("pk", flat=True))
    if not program_ids:
        return []
    return list(
        AfterHoursContact.objects.filter(
            program_id__in=program_ids, at__gte=timezone.now() - timedelta(days=days)
        ).select_related("taken_by", "client", "program")[:100]
    )


# --- What the case manager hears the next morning ----------------------------------------------


@dataclass(frozen=True)
class OnCallEvent:
    """Something the on-call service did about one of the person's clients: an opening of the
    safety plan ("opening") or a logged after-hours contact ("after_hours"). Ids, times and who;
    no clinical text."""

    kind: str
    client_id: int
    at: datetime
    by: str
    object_id: int
    follow_up_needed: bool = False


def on_call_openings(
    user: User, since: datetime, *, client_ids: list[int] | None = None
) -> list[OnCallEvent]:
    """For a case manager or supervisor: the on-call openings and after-hours contacts since
    `since` of the clients they work with (emergency access aside), newest first. One query.
    `client_ids`: those clients, already read through the policy by the caller (My Day), as a
    plain list that the tables' client index answers."""
    if user.role not in {Role.CASE_MANAGER, Role.SUPERVISOR}:
        return []
    clients: Any = (
        client_ids
        if client_ids is not None
        else Client.objects.restrict(user, Action.VIEW, include_emergency=False).values("pk")
    )
    # One query: the openings and the contacts, as the same columns, one after the other.
    openings = (
        OnCallOpening.objects.filter(client__in=clients, opened_at__gte=since)
        .order_by()
        .annotate(kind=Value("opening"), follow_up=Value(False))
        .values_list(
            "kind",
            "pk",
            "client_id",
            "opened_at",
            "opened_by__first_name",
            "opened_by__last_name",
            "opened_by__username",
            "follow_up",
        )
    )
    contacts = (
        AfterHoursContact.objects.filter(client__in=clients, at__gte=since)
        .order_by()
        .annotate(kind=Value("after_hours"))
        .values_list(
            "kind",
            "pk",
            "client_id",
            "at",
            "taken_by__first_name",
            "taken_by__last_name",
            "taken_by__username",
            "follow_up_needed",
        )
    )
    events = [
        OnCallEvent(
            kind=kind,
            client_id=client_id,
            at=at,
            by=f"{first} {last}".strip() or username,
            object_id=pk,
            follow_up_needed=bool(follow_up),
        )
        for kind, pk, client_id, at, first, last, username, follow_up in openings.union(
            contacts, all=True
        )
    ]
    return sorted(events, key=lambda event: (event.at, event.object_id), reverse=True)


def shift_of(user: User, shift_id: int) -> OnCallShift | None:
    """A shift of one of the person's programs (None for any other)."""
    return (
        OnCallShift.objects.select_related("program", "user")
        .filter(pk=shift_id, program__in=clinical_programs(user))
        .first()
    )


def on_call_client(user: User, client_id: int) -> Client | None:
    """The client the person may open on call now (the `safety.on_call` rule), else None."""
    client = (
        Client.objects.select_related("program", "primary_case_manager")
        .filter(pk=client_id, organisation_id=user.organisation_id or 0)
        .first()
    )
    return client if client is not None and may(user, "safety.on_call", client) else None


def log_client(user: User, client_id: int) -> Client | None:
    """The client a call may be logged against: one the person may open on call, or (a
    supervisor) one of their programs' clients whose clinical record they read."""
    client = Client.objects.filter(pk=client_id, organisation_id=user.organisation_id or 0).first()
    if client is None:
        return None
    if may(user, "safety.on_call", client) or (
        user.role == Role.SUPERVISOR and user_may(user, client, Action.READ_CLINICAL)
    ):
        return client
    return None


def program_of(user: User, program_id: int) -> Program | None:
    return clinical_programs(user).filter(pk=program_id).first()
