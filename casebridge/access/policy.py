"""Who may do what to which client. Every client query and check goes through `client_filter`.

The rules, by role (always inside the user's own organisation):
- supervisor: every client in the programs they supervise, every action;
- case manager: clients they are primary or secondary case manager for, care plans included;
  not reassignment;
- peer/sober coach: clients they coach, to view and to record coaching sessions and check-ins,
  without clinical content (assessments, measures, substance history, contact notes): only what
  coaching needs;
- intake coordinator: clients still in Engagement in their programs, contact notes included (no
  care plans: those come after assessment; no check-ins: those come with the coaching);
- program administrator and auditor: no client records (configuration and audit trails only);
- court team member (judge, prosecutor, defence, probation): no client record here; the court
  app's object rules open the participants they serve, only where a consent covers them;
- case managers and supervisors with an unexpired break-the-glass grant: that client, to read
  only (clinical content included: it is an emergency). Coaches and intake coordinators do not
  break the glass: their work never needs the clinical record, and in a crisis they reach the
  case manager or supervisor, who can (docs/decisions/0008-who-sees-what.md).
Anyone else gets "not found", never "forbidden", so a record's existence does not leak.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.accounts.models import CLINICAL_ROLES, Role, User


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    MOVE_STAGE = "move_stage"
    ASSIGN = "assign"
    MANAGE_COLLATERALS = "manage_collaterals"
    FLAG = "flag"
    MANAGE_CONSENTS = "manage_consents"
    DISCLOSE = "disclose"
    ASSESS = "assess"
    # Clinical content (assessments, measures, substance history): not what a coach needs.
    READ_CLINICAL = "read_clinical"
    # Write and change care plans, record their signatures and reviews.
    PLAN = "plan"
    # Write contact notes (reading them is READ_CLINICAL), sign, co-sign and add addenda.
    RECORD_CONTACT = "record_contact"
    # Record and read check-ins and record coaching sessions: what coaching needs.
    CHECK_IN = "check_in"


NOTHING = Q(pk__in=[])

# Which actions each role may take on the clients the role reaches.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.SUPERVISOR: frozenset(Action),
    Role.CASE_MANAGER: frozenset(Action) - {Action.ASSIGN},
    Role.COACH: frozenset({Action.VIEW, Action.CHECK_IN}),
    Role.INTAKE: frozenset(
        {
            Action.VIEW,
            Action.CHANGE,
            Action.MOVE_STAGE,
            Action.MANAGE_COLLATERALS,
            Action.FLAG,
            Action.MANAGE_CONSENTS,
            Action.ASSESS,
            Action.READ_CLINICAL,
            Action.RECORD_CONTACT,
        }
    ),
    Role.ADMIN: frozenset(),
    Role.AUDITOR: frozenset(),
    Role.COURT_TEAM: frozenset(),
}

# Roles that may register a new client.
REGISTERING_ROLES = frozenset({Role.SUPERVISOR, Role.CASE_MANAGER, Role.INTAKE})


class PrincipalKind(StrEnum):
    """Who is asking. Staff work in an organisation; a partner organisation's user (a referral
    partner) reaches only what a consent and an accepted referral gives them; a court team
    member reads what each participant they serve consented to share with them; a client
    reaches their own record. Kinds other than staff reach no client through the role table:
    the capabilities that bring them add rules, not a second policy
    (docs/decisions/0010-principals-and-object-rules.md)."""

    STAFF = "staff"
    PARTNER = "partner"
    COURT_TEAM = "court_team"
    CLIENT = "client"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    account: User  # the signed-in account
    organisation_id: int | None
    role: str = ""
    client_id: int | None = None  # a client's own record, for PrincipalKind.CLIENT


# Whoever a request or a task acts for: a signed-in account, nobody, or a principal already made.
Someone = User | AnonymousUser | Principal


def _signed_in(user: Someone) -> User | None:
    """The active account behind `user`, or None for anyone not signed in."""
    account = user.account if isinstance(user, Principal) else user
    if isinstance(account, User) and account.is_authenticated and account.is_active:
        return account
    return None


# Roles whose accounts are not staff of the organisation.
ROLE_KINDS: dict[str, PrincipalKind] = {Role.COURT_TEAM: PrincipalKind.COURT_TEAM}


def principal_of(user: Someone) -> Principal | None:
    """The principal a signed-in, active account acts as; None for anyone else."""
    if isinstance(user, Principal):
        return user
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    kind = ROLE_KINDS.get(user.role, PrincipalKind.STAFF)
    return Principal(
        kind=kind,
        account=user,
        organisation_id=user.organisation_id,
        role=user.role,
        client_id=getattr(user, "client_id", None),
    )


# Reach for principals who are not staff, registered by the capability that brings them:
# kind -> (principal, action) -> a filter on Client.
ReachRule = Callable[[Principal, str], Q]
NON_STAFF_REACH: dict[PrincipalKind, ReachRule] = {}


def register_reach(kind: PrincipalKind, rule: ReachRule) -> None:
    if kind == PrincipalKind.STAFF:
        raise ValueError("Staff reach is the role table above; it is not registered.")
    NON_STAFF_REACH[kind] = rule


# Named rules about one object (a task, a referral, a court report) rather than a whole
# client: (principal, object) -> allowed. Each capability registers its own from its
# AppConfig.ready(); views ask `may(user, "rule name", obj)` and never test owners by hand.
ObjectRule = Callable[[Principal, Any], bool]
OBJECT_RULES: dict[str, ObjectRule] = {}


def register_object_rule(name: str, rule: ObjectRule) -> None:
    if name in OBJECT_RULES and OBJECT_RULES[name] is not rule:
        raise ValueError(f"The object rule {name!r} is registered twice")
    OBJECT_RULES[name] = rule


def may(user: Someone, rule_name: str, obj: Any) -> bool:
    """Whether `user` passes the named object rule for `obj`. An unknown rule is a bug."""
    principal = principal_of(user)
    if principal is None:
        return False
    return OBJECT_RULES[rule_name](principal, obj)


def _program_ids(user: User, organisation_id: int) -> QuerySet[Any]:
    return user.programs.filter(organisation_id=organisation_id).values("pk")


def _reach(user: User, organisation_id: int, *, one_client: bool = False) -> Q:
    """The clients a user's role reaches inside their organisation, before the action counts.

    Every branch carries the organisation itself, so that no branch can ever reach outside it.
    `one_client=True` asks about a client already picked by its id: the same rule, written as
    a test on that one row rather than as a set to search.
    """
    match user.role:
        case Role.SUPERVISOR:
            return Q(
                organisation_id=organisation_id, program__in=_program_ids(user, organisation_id)
            )
        case Role.CASE_MANAGER:
            if one_client:
                return Q(organisation_id=organisation_id) & (
                    Q(primary_case_manager=user) | Q(secondary_case_manager=user)
                )
            # One id subquery that unions the two columns' lookups, rather than an OR over two
            # columns: both SQLite and PostgreSQL then find the clients through each column's
            # index and join on the primary key, instead of scanning the organisation's clients.
            primary = user.primary_clients.filter(organisation_id=organisation_id).values("pk")
            secondary = user.secondary_clients.filter(organisation_id=organisation_id).values("pk")
            return Q(pk__in=primary.union(secondary))
        case Role.COACH:
            return Q(organisation_id=organisation_id, coach=user)
        case Role.INTAKE:
            return Q(
                organisation_id=organisation_id,
                program__in=_program_ids(user, organisation_id),
                stage="engagement",
            )
    return NOTHING


# Emergency access is to read the record, clinical content included, and nothing more.
EMERGENCY_ACTIONS = frozenset({Action.VIEW.value, Action.READ_CLINICAL.value})


def _rules(
    principal: Principal,
    *,
    include_emergency: bool,
    action: str | None = None,
    one_client: bool = False,
    now: datetime | None = None,
) -> list[tuple[Q, frozenset[str]]]:
    """The policy as filters, each with the actions it allows: a client passes an action when
    it passes any filter that lists it. Staff have two: what their role reaches (for the role's
    actions) and their unexpired break-the-glass grants (to read). `action` leaves out the
    filters that do not allow it."""
    if principal.kind != PrincipalKind.STAFF:
        reach = NON_STAFF_REACH.get(principal.kind)
        if reach is None:
            return []
        asked = [str(action)] if action is not None else [a.value for a in Action]
        # Others never break the glass: emergency access is for the program's own staff.
        return [(reach(principal, name), frozenset({name})) for name in asked]
    user, organisation_id = principal.account, principal.organisation_id
    assert organisation_id is not None  # principal_of's caller checked it
    rules = []
    allowed = frozenset(a.value for a in ROLE_ACTIONS.get(user.role, frozenset()))
    if allowed and (action is None or action in allowed):
        rules.append((_reach(user, organisation_id, one_client=one_client), allowed))
    if include_emergency and (action is None or action in EMERGENCY_ACTIONS):
        granted = BreakGlassGrant.objects.filter(
            user=user,
            expires_at__gt=now or timezone.now(),
            client__organisation_id=organisation_id,
        ).values("client_id")
        rules.append((Q(pk__in=granted), EMERGENCY_ACTIONS))
    return rules


def client_filter(
    user: Someone,
    action: str = Action.VIEW,
    *,
    include_emergency: bool = True,
    one_client: bool = False,
    now: datetime | None = None,
) -> Q:
    """A filter on Client that keeps only the clients `user` may perform `action` on.

    `include_emergency=False` leaves out break-the-glass grants (a caseload lists only the
    clients a person works with). `one_client=True` is for a query that picks one client by
    its id: the same rules, written as tests on that row rather than as sets to search (cheaper
    to build and to plan; see _reach). `now` is the moment a grant must outlast (the clock's
    when not given).
    """
    principal = principal_of(user)
    if principal is None or principal.organisation_id is None:
        return NOTHING
    Action(action)  # an unknown action is a bug, not a refusal
    rule = NOTHING
    for passes, _ in _rules(
        principal,
        include_emergency=include_emergency,
        action=str(action),
        one_client=one_client,
        now=now,
    ):
        rule = passes if rule is NOTHING else rule | passes
    return rule


def client_rules(user: Someone, *, now: datetime | None = None) -> list[tuple[Q, frozenset[str]]]:
    """Every action of the policy at once, for one client already picked by its id: filters on
    Client, each with the actions it allows (emergency access included). A page asks which
    actions a person has on a client in one query of a few tests, not one per action."""
    principal = principal_of(user)
    if principal is None or principal.organisation_id is None:
        return []
    return _rules(principal, include_emergency=True, one_client=True, now=now)


# The roles whose rules (_reach and the grants) read nothing of the account but its id, its
# organisation and its role: for one role, action and kind of question, the rules are the same
# SQL for everybody, with only those values (and the clock) in other places. A role whose reach
# comes to read more of the account (a setting of theirs, a list held in Python) must leave
# this set, or its shape below must say what else the SQL depends on.
_PREPARABLE_ROLES = frozenset({Role.SUPERVISOR, Role.CASE_MANAGER, Role.COACH, Role.INTAKE})


def prepared_shape(user: Someone) -> str | None:
    """What the SQL of `user`'s one-client rules depends on, besides their id, organisation and
    the clock: their role, for an active staff account of a role that reaches clients. None for
    anyone else, whose rules are built afresh on each question. A query prepared for a shape
    (casebridge.prepared) is built for `stand_in(shape, ...)` and run with the person's values;
    tests/access/test_prepared_policy.py holds every role's answers to the unprepared ones."""
    principal = principal_of(user)
    if (
        principal is None
        or principal.kind != PrincipalKind.STAFF
        or principal.organisation_id is None
        or principal.role not in _PREPARABLE_ROLES
    ):
        return None
    return principal.role


def stand_in(shape: str, user_id: int, organisation_id: int) -> User:
    """An account, never saved, that stands for everyone of a shape when a query is prepared."""
    return User(pk=user_id, organisation_id=organisation_id, role=shape, is_active=True)


def role_actions(user: Someone) -> frozenset[str]:
    """The actions a person's role allows on every client it reaches (a caseload's clients)."""
    account = _signed_in(user)
    if account is None:
        return frozenset()
    return frozenset(action.value for action in ROLE_ACTIONS.get(account.role, frozenset()))


def may_register_clients(user: Someone) -> bool:
    account = _signed_in(user)
    return bool(account and account.organisation_id and account.role in REGISTERING_ROLES)


def may_read_audit(user: Someone) -> bool:
    account = _signed_in(user)
    return bool(account and account.role == Role.AUDITOR)


def may_have_caseload(user: Someone) -> bool:
    """Staff who work with clients have a caseload; administrators and auditors do not."""
    account = _signed_in(user)
    return bool(account and account.organisation_id and account.role in CLINICAL_ROLES)


def may_use_break_glass(user: Someone) -> bool:
    """Case managers and supervisors may use emergency access: the record it opens is the
    clinical one, which coaches and intake coordinators never need for their work."""
    account = _signed_in(user)
    return bool(
        account and account.organisation_id and account.role in {Role.SUPERVISOR, Role.CASE_MANAGER}
    )


def may_see_team(user: Someone) -> bool:
    account = _signed_in(user)
    return bool(account and account.role == Role.SUPERVISOR)


def may_read_as_court_team(user: Someone) -> bool:
    """A court team member's account: their pages are the court's, read only."""
    principal = principal_of(user)
    return bool(principal and principal.kind == PrincipalKind.COURT_TEAM)
