"""A plan's versions: the first draft from the assessment, a new version copied from the one
in effect, and closing (the plan in effect when the case ends, or a draft discarded)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.assessments.biopsychosocial import NEED_DOMAINS
from casebridge.assessments.models import Assessment, AssessmentStatus
from casebridge.clients.models import Client
from casebridge.clients.services import timeline_add
from casebridge.plans.documents import (
    GOAL_FIELDS,
    INTERVENTION_FIELDS,
    OBJECTIVE_FIELDS,
    PROBLEM_FIELDS,
)
from casebridge.plans.models import (
    CarePlan,
    Goal,
    Intervention,
    Objective,
    PlanTask,
    Problem,
    TaskStatus,
    TimelineKind,
)
from casebridge.plans.services.common import (
    latest_signed_assessment,
    plan_audit,
    status_move,
    version_moved,
)
from casebridge.plans.services.followup import task_cancel
from casebridge.plans.statuses import PlanStatus

# Needs rated moderate (2) or high (3) in the assessment become the plan's first needs.
NEEDS_FROM_SEVERITY = 2


def version_end(plan: CarePlan, by: User, reason: str) -> str:
    """Close a version (a plan in effect, or a draft withdrawn or discarded), audited. Returns
    the status it had."""
    was = plan.status
    status_move(plan, PlanStatus.CLOSED)
    plan.ended_at = timezone.now()
    plan.end_reason = reason
    moved = version_moved(plan)
    plan.save()
    plan_audit(
        by, plan, "update", "care_plan", plan.pk, {"status": [was, "closed"], "version": moved}
    )
    return was


def plan_start(*, client: Client, by: User, assessment: Assessment | None = None) -> CarePlan:
    """The client's first plan, or a fresh one after a closed plan, drafted from an assessment.

    Each life area rated moderate or high becomes a need, worded from the assessment's reason.
    """
    assessment = assessment or latest_signed_assessment(client)
    if assessment is not None and (
        assessment.client_id != client.pk or assessment.status != AssessmentStatus.SIGNED
    ):
        raise ValidationError("Plans start from a signed assessment of this client.")
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        current = CarePlan.objects.filter(
            client=client, status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]
        ).first()
        if current is not None:
            raise ValidationError(
                "This client already has a plan. Make a new version of it instead."
                if current.status == PlanStatus.ACTIVE
                else "This client already has a draft plan. Finish or discard it first."
            )
        plan = CarePlan.objects.create(
            client=client,
            sequence=_next_sequence(client),
            assessment=assessment,
            level_of_care=assessment.chosen_level if assessment else "",
            created_by=by,
        )
        if assessment is not None:
            position = 0
            for domain, label in NEED_DOMAINS:
                need = assessment.needs.get(domain, {})
                if (need.get("severity") or 0) >= NEEDS_FROM_SEVERITY:
                    reason = (need.get("reason") or "").strip()
                    Problem.objects.create(
                        plan=plan,
                        need_domain=domain,
                        statement=f"{label}: {reason}" if reason else f"{label}: needs support.",
                        position=position,
                    )
                    position += 1
        plan_audit(
            by,
            plan,
            "create",
            "care_plan",
            plan.pk,
            {"sequence": [None, plan.sequence], "assessment": [None, plan.assessment_id]},
        )
        timeline_add(
            client=client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan version {plan.sequence} drafted",
            actor=by,
        )
    return plan


def _next_sequence(client: Client) -> int:
    last = CarePlan.objects.filter(client=client).aggregate(last=Max("sequence"))["last"]
    return (last or 0) + 1


def _copy_content(source: CarePlan, target: CarePlan) -> None:
    """Copy every element, keeping its key, so the versions can be compared."""
    problems: dict[int, Problem] = {}
    for problem in source.problems.all():
        problems[problem.pk] = Problem.objects.create(
            plan=target,
            key=problem.key,
            position=problem.position,
            **{f: getattr(problem, f) for f in PROBLEM_FIELDS},
        )
    goals: dict[int, Goal] = {}
    for goal in source.goals.all():
        goals[goal.pk] = Goal.objects.create(
            plan=target,
            problem=problems[goal.problem_id],
            key=goal.key,
            position=goal.position,
            **{f: getattr(goal, f) for f in GOAL_FIELDS},
        )
    for objective in source.objectives.all():
        Objective.objects.create(
            plan=target,
            goal=goals[objective.goal_id],
            key=objective.key,
            position=objective.position,
            **{f: getattr(objective, f) for f in OBJECTIVE_FIELDS},
        )
    for intervention in source.interventions.all():
        Intervention.objects.create(
            plan=target,
            goal=goals[intervention.goal_id],
            key=intervention.key,
            position=intervention.position,
            owner_id=intervention.owner_id,
            **{f: getattr(intervention, f) for f in INTERVENTION_FIELDS if f != "owner"},
        )


def plan_revise(*, plan: CarePlan, by: User, reason: str) -> CarePlan:
    """A new draft version copied from the plan in effect (which stays in effect until the new
    one is signed), or from a signed draft that needs changing (which is then withdrawn)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the plan is changing."})
    with transaction.atomic():
        base = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if base.status == PlanStatus.ACTIVE:
            if CarePlan.objects.filter(client_id=base.client_id, status=PlanStatus.DRAFT).exists():
                raise ValidationError(
                    "A new version is already being drafted. Finish or discard it first."
                )
        elif base.status == PlanStatus.DRAFT and base.locked_at is not None:
            version_end(base, by, f"Withdrawn before it took effect, to make changes: {reason}")
        else:
            raise ValidationError("Only a plan in effect or a signed draft can be revised.")
        assessment = latest_signed_assessment(base.client)
        new = CarePlan.objects.create(
            client=base.client,
            sequence=_next_sequence(base.client),
            previous=base,
            assessment=assessment or base.assessment,
            level_of_care=(assessment.chosen_level if assessment else base.level_of_care),
            change_reason=reason,
            created_by=by,
        )
        _copy_content(base, new)
        plan_audit(
            by,
            new,
            "create",
            "care_plan",
            new.pk,
            {
                "sequence": [None, new.sequence],
                "previous": [None, base.pk],
                "reason": [None, reason],
            },
        )
        timeline_add(
            client=base.client,
            kind=TimelineKind.PLAN,
            summary=f"Care plan version {new.sequence} drafted from version {base.sequence}",
            detail=reason,
            actor=by,
        )
    return new


def plan_close(*, plan: CarePlan, by: User, reason: str) -> CarePlan:
    """Close the plan in effect (the case ends), or discard a draft. Open tasks are cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the plan is closing."})
    with transaction.atomic():
        current = CarePlan.objects.select_for_update().get(pk=plan.pk)
        was = version_end(current, by, reason)
        if was == PlanStatus.ACTIVE:
            for task in PlanTask.objects.filter(intervention__plan=current, status=TaskStatus.OPEN):
                task_cancel(task, by, "The plan closed.")
            # A new version drafted to replace it would otherwise take effect on a closed plan.
            for draft in CarePlan.objects.select_for_update().filter(
                client_id=current.client_id, status=PlanStatus.DRAFT
            ):
                version_end(draft, by, f"The plan it was to replace closed: {reason}")
        timeline_add(
            client=current.client,
            kind=TimelineKind.PLAN,
            summary=(
                f"Care plan version {current.sequence} "
                + ("closed" if was == PlanStatus.ACTIVE else "draft discarded")
            ),
            detail=reason,
            actor=by,
        )
    return current


def plans_end_with_case(client: Client, by: User, reason: str) -> None:
    """The case is concluded: the plan in effect closes (its open tasks are cancelled and the
    obligations it asked for end with it) and a draft is discarded, so a concluded client gets
    no more tasks. Runs in the stage move's transaction."""
    why = f"The case was concluded: {reason}"[:500]
    # The plan in effect first: closing it discards the draft that was to replace it.
    for status in (PlanStatus.ACTIVE, PlanStatus.DRAFT):
        for plan in CarePlan.objects.filter(client_id=client.pk, status=status):
            plan_close(plan=plan, by=by, reason=why)
