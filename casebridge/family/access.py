"""Who reaches an intervention plan. The person of concern is not a client yet, so the client
policy cannot say; these rules, registered with it as object rules, say it in its terms:
- the planning team (the lead and the staff on the plan's team) read and change the plan, and
  alone read the participants' letters;
- supervisors read and change the plans of the programs they supervise (not the letters);
- nobody else, in the agency or outside it, finds the plan at all (not found, never forbidden).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from casebridge.access.policy import (
    Principal,
    PrincipalKind,
    Someone,
    may_register_clients,
    principal_of,
)
from casebridge.accounts.models import Role
from casebridge.family.models import InterventionPlan

NOTHING = Q(pk__in=[])


def _on_team(principal: Principal) -> Q:
    team = InterventionPlan.team.through.objects.filter(
        interventionplan_id=OuterRef("pk"), user_id=principal.account.pk
    )
    return Q(lead_id=principal.account.pk) | Q(Exists(team))


def plan_filter(user: Someone) -> Q:
    """A filter on InterventionPlan keeping the plans `user` may read."""
    principal = principal_of(user)
    if (
        principal is None
        or principal.kind != PrincipalKind.STAFF
        or principal.organisation_id is None
    ):
        return NOTHING
    mine = Q(organisation_id=principal.organisation_id) & _on_team(principal)
    if principal.role == Role.SUPERVISOR:
        supervised = principal.account.programs.filter(
            organisation_id=principal.organisation_id
        ).values("pk")
        return mine | Q(organisation_id=principal.organisation_id, program__in=supervised)
    if principal.role in (Role.CASE_MANAGER, Role.INTAKE, Role.COACH):
        return mine
    return NOTHING


def plans_for(user: Someone) -> QuerySet[InterventionPlan]:
    return InterventionPlan.objects.filter(plan_filter(user))


def may_read_plan(principal: Principal, plan: InterventionPlan) -> bool:
    return plans_for(principal).filter(pk=plan.pk).exists()


def may_read_letters(principal: Principal, plan: InterventionPlan) -> bool:
    """The letters are the planning team's alone: not the supervisor's, not the client's
    case team once the person is a client."""
    if principal.kind != PrincipalKind.STAFF or principal.organisation_id != plan.organisation_id:
        return False
    return InterventionPlan.objects.filter(pk=plan.pk).filter(
        _on_team(principal)
    ).exists() and principal.role in (Role.SUPERVISOR, Role.CASE_MANAGER, Role.INTAKE, Role.COACH)


def may_start_plans(user: Someone) -> bool:
    """Those who register clients start plans: the person may become one."""
    return may_register_clients(user)
