"""Who may do what to which client. Every client query and check goes through `client_filter`.

The rules, by role (always inside the user's own organisation):
- supervisor: every client in the programs they supervise, every action;
- case manager: clients they are primary or secondary case manager for, care plans included;
  not reassignment;
- peer/sober coach: clients they coach, to view only, without clinical content (assessments,
  measures, substance history): only what coaching needs;
- intake coordinator: clients still in Engagement in their programs (no care plans: those come
  after assessment);
- program administrator and auditor: no client records (configuration and audit trails only);
- case managers and supervisors with an unexpired break-the-glass grant: that client, to read
  only (clinical content included: it is an emergency). Coaches and intake coordinators do not
  break the glass: their work never needs the clinical record, and in a crisis they reach the
  case manager or supervisor, who can (docs/decisions/0008-who-sees-what.md).
Anyone else gets "not found", never "forbidden", so a record's existence does not leak.
"""

from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.accounts.models import Role


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


NOTHING = Q(pk__in=[])

# Which actions each role may take on the clients the role reaches.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.SUPERVISOR: frozenset(Action),
    Role.CASE_MANAGER: frozenset(Action) - {Action.ASSIGN},
    Role.COACH: frozenset({Action.VIEW}),
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
        }
    ),
    Role.ADMIN: frozenset(),
    Role.AUDITOR: frozenset(),
}

# Roles that may register a new client.
REGISTERING_ROLES = frozenset({Role.SUPERVISOR, Role.CASE_MANAGER, Role.INTAKE})


def _reach(user: Any) -> Q:
    """The clients a user's role reaches inside their organisation, before the action counts.

    Every branch carries the organisation itself, so that no branch can ever reach outside it.
    """
    organisation_id = user.organisation_id
    program_ids = user.programs.filter(organisation_id=organisation_id).values("pk")
    match user.role:
        case Role.SUPERVISOR:
            return Q(organisation_id=organisation_id, program__in=program_ids)
        case Role.CASE_MANAGER:
            # One id subquery that unions the two columns' lookups, rather than an OR over two
            # columns: both SQLite and PostgreSQL then find the clients through each column's
            # index and join on the primary key, instead of scanning the organisation's clients.
            primary = user.primary_clients.filter(organisation_id=organisation_id).values("pk")
            secondary = user.secondary_clients.filter(organisation_id=organisation_id).values("pk")
            return Q(pk__in=primary.union(secondary))
        case Role.COACH:
            return Q(organisation_id=organisation_id, coach=user)
        case Role.INTAKE:
            return Q(organisation_id=organisation_id, program__in=program_ids, stage="engagement")
    return NOTHING


def client_filter(user: Any, action: str = Action.VIEW, *, include_emergency: bool = True) -> Q:
    """A filter on Client that keeps only the clients `user` may perform `action` on.

    `include_emergency=False` leaves out break-the-glass grants (a caseload lists only the
    clients a person works with).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.organisation_id is None:
        return NOTHING
    rule = NOTHING
    if Action(action) in ROLE_ACTIONS.get(user.role, frozenset()):
        rule = _reach(user)
    # Emergency access is to read the record, clinical content included, and nothing more.
    if action in {Action.VIEW, Action.READ_CLINICAL} and include_emergency:
        granted = BreakGlassGrant.objects.filter(
            user=user,
            expires_at__gt=timezone.now(),
            client__organisation_id=user.organisation_id,
        ).values("client_id")
        rule |= Q(pk__in=granted)
    return rule


def role_actions(user: Any) -> frozenset[str]:
    """The actions a person's role allows on every client it reaches (a caseload's clients)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return frozenset(action.value for action in ROLE_ACTIONS.get(user.role, frozenset()))


def may_register_clients(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.role in REGISTERING_ROLES
    )


def may_read_audit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.AUDITOR)


def may_have_caseload(user: Any) -> bool:
    """Staff who work with clients have a caseload; administrators and auditors do not."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.role in {Role.SUPERVISOR, Role.CASE_MANAGER, Role.COACH, Role.INTAKE}
    )


def may_use_break_glass(user: Any) -> bool:
    """Case managers and supervisors may use emergency access: the record it opens is the
    clinical one, which coaches and intake coordinators never need for their work."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.role in {Role.SUPERVISOR, Role.CASE_MANAGER}
    )


def may_see_team(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.SUPERVISOR)
