"""Reads of care plans: a client's versions, the plan in effect and its goals, when reviews
are due, and each person's task list."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone

from casebridge.access.policy import Action, Principal
from casebridge.accounts.models import Role, User
from casebridge.assessments.models import Assessment, AssessmentStatus
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.clients.queries import works_with
from casebridge.plans.models import (
    CarePlan,
    Goal,
    GoalProgress,
    Intervention,
    Objective,
    PlanReview,
    PlanRules,
    PlanTask,
    Problem,
    SignerRole,
    TaskStatus,
)
from casebridge.plans.statuses import PlanStatus
from casebridge.prepared import Prepared

DEFAULT_REVIEW_DAYS = 90


def versions(client: Client) -> list[CarePlan]:
    return list(client.plans.select_related("created_by").order_by("-sequence"))


# What the API lists of each version, newest first, in a query built once (every call of the
# plans list asks it; casebridge.prepared).
_VERSION_SUMMARIES = Prepared(
    lambda client_id: (
        CarePlan.objects.filter(client_id=client_id)
        .only("client_id", "sequence", "status", "locked_at", "activated_at")
        .order_by("-sequence")
    ),
    client_id=-(2**31) + 7,
)


def version_summaries(client: Client) -> list[CarePlan]:
    """The client's versions, newest first, with only what a list shows of each (number,
    status, whether it is locked, when it became active)."""
    return _VERSION_SUMMARIES(client_id=client.pk)


def element_of(plan: CarePlan, model: type[Any], element_id: int) -> Any:
    """A need, goal, step or action of this version (never of another), or None."""
    return model.objects.filter(plan=plan, pk=element_id).first()


def task_of(client: Client, task_id: int) -> PlanTask | None:
    return PlanTask.objects.filter(client=client, pk=task_id).first()


def plan_of(client: Client, plan_id: int) -> CarePlan | None:
    return client.plans.select_related("created_by", "assessment").filter(pk=plan_id).first()


# A version's parts, each in its own order (the models' own), in queries built once: every
# look at a plan reads all four (casebridge.prepared).
_PLAN_MARKER = -(2**31) + 11
_PLAN_PROBLEMS = Prepared(
    lambda plan_id: Problem.objects.filter(plan_id=plan_id), plan_id=_PLAN_MARKER
)
_PLAN_GOALS = Prepared(lambda plan_id: Goal.objects.filter(plan_id=plan_id), plan_id=_PLAN_MARKER)
_PLAN_OBJECTIVES = Prepared(
    lambda plan_id: Objective.objects.filter(plan_id=plan_id), plan_id=_PLAN_MARKER
)
_PLAN_INTERVENTIONS = Prepared(
    lambda plan_id: Intervention.objects.filter(plan_id=plan_id).select_related("owner"),
    plan_id=_PLAN_MARKER,
)


def plan_tree(plan: CarePlan) -> list[dict[str, Any]]:
    """Needs with their goals, and each goal's steps and actions, in four queries."""
    goals: dict[int, dict[str, Any]] = {}
    by_problem: dict[int, list[dict[str, Any]]] = {}
    for goal in _PLAN_GOALS(plan_id=plan.pk):
        goal.plan = plan
        entry = {"goal": goal, "objectives": [], "interventions": []}
        goals[goal.pk] = entry
        by_problem.setdefault(goal.problem_id, []).append(entry)
    for objective in _PLAN_OBJECTIVES(plan_id=plan.pk):
        objective.plan = plan
        goals[objective.goal_id]["objectives"].append(objective)
    for intervention in _PLAN_INTERVENTIONS(plan_id=plan.pk):
        intervention.plan = plan
        goals[intervention.goal_id]["interventions"].append(intervention)
    problems = _PLAN_PROBLEMS(plan_id=plan.pk)
    for problem in problems:
        problem.plan = plan
    return [{"problem": problem, "goals": by_problem.get(problem.pk, [])} for problem in problems]


def latest_progress(
    plan: CarePlan, tree: list[dict[str, Any]] | None = None
) -> dict[Any, GoalProgress]:
    """The latest rating of each goal of this version, followed across versions by key (the
    goals' keys taken from `tree`, the version's plan_tree, when the caller has it)."""
    keys = (
        [entry["goal"].key for need in tree for entry in need["goals"]]
        if tree is not None
        else list(plan.goals.values_list("key", flat=True))
    )
    found: dict[Any, GoalProgress] = {}
    for rating in (
        GoalProgress.objects.filter(goal__plan__client_id=plan.client_id, goal__key__in=keys)
        .select_related("goal", "review")
        .order_by("review__reviewed_at", "id")
    ):
        found[rating.goal.key] = rating
    return found


def active_goals(client: Client) -> list[Goal]:
    """The goals of the plan in effect: for anything that records progress to link back to."""
    return list(
        Goal.objects.filter(plan__client=client, plan__status=PlanStatus.ACTIVE).order_by(
            "problem__position", "position", "id"
        )
    )


def review_every_days(program_id: int) -> int:
    rules = PlanRules.objects.filter(program_id=program_id).first()
    return rules.review_every_days if rules else DEFAULT_REVIEW_DAYS


@dataclass(frozen=True)
class ReviewDue:
    due_on: date
    because: str


def _review_due(
    *,
    drafted_on: date,
    activated_on: date,
    last_review_on: date | None,
    every_days: int,
    level_at_last_look: str,
    latest_level: str | None,
    latest_level_on: date | None,
) -> ReviewDue:
    """The earlier of the scheduled review and a review for a changed level of care.

    The level is compared with the one the plan was drafted for (or the last review saw), so a
    level that changed while the plan was still being signed also calls for a review.
    """
    scheduled = ReviewDue(
        (last_review_on or activated_on) + timedelta(days=every_days), f"Every {every_days} days"
    )
    if (
        latest_level
        and latest_level != level_at_last_look
        and latest_level_on is not None
        and latest_level_on >= (last_review_on or drafted_on)
        and latest_level_on < scheduled.due_on
    ):
        return ReviewDue(latest_level_on, f"Level of care changed to {latest_level}")
    return scheduled


def reviews_due(client_ids: list[int]) -> dict[int, ReviewDue]:
    """When each client's plan in effect is next due for review (four queries)."""
    plans = list(
        CarePlan.objects.filter(client_id__in=client_ids, status=PlanStatus.ACTIVE).values(
            "pk", "client_id", "client__program_id", "created_at", "activated_at", "level_of_care"
        )
    )
    if not plans:
        return {}
    plan_ids = [p["pk"] for p in plans]
    last_reviews = {
        row["plan_id"]: row
        for row in PlanReview.objects.filter(
            pk__in=Subquery(
                PlanReview.objects.filter(plan_id=OuterRef("plan_id"))
                .order_by("-reviewed_at", "-id")
                .values("pk")[:1]
            ),
            plan_id__in=plan_ids,
        ).values("plan_id", "reviewed_at", "level_of_care")
    }
    rules = {
        r.program_id: r.review_every_days
        for r in PlanRules.objects.filter(program_id__in={p["client__program_id"] for p in plans})
    }
    latest_signed = Assessment.objects.filter(
        client_id=OuterRef("client_id"), status=AssessmentStatus.SIGNED
    ).order_by("-signed_at", "-id")
    levels = {
        row["client_id"]: row
        for row in Assessment.objects.filter(
            pk__in=Subquery(latest_signed.values("pk")[:1]),
            client_id__in=[p["client_id"] for p in plans],
        ).values("client_id", "chosen_level", "signed_at")
    }
    found: dict[int, ReviewDue] = {}
    for plan in plans:
        review = last_reviews.get(plan["pk"])
        level = levels.get(plan["client_id"])
        found[plan["client_id"]] = _review_due(
            drafted_on=timezone.localdate(plan["created_at"]),
            activated_on=timezone.localdate(plan["activated_at"]),
            last_review_on=timezone.localdate(review["reviewed_at"]) if review else None,
            every_days=rules.get(plan["client__program_id"], DEFAULT_REVIEW_DAYS),
            level_at_last_look=(review["level_of_care"] if review else plan["level_of_care"]),
            latest_level=level["chosen_level"] if level else None,
            latest_level_on=timezone.localdate(level["signed_at"]) if level else None,
        )
    return found


# One plan's review, for its own pages: the last review of the version, the program's rules and
# the client's latest signed assessment, in queries built once (casebridge.prepared).
_LAST_REVIEW = Prepared(
    lambda plan_id: (
        PlanReview.objects.filter(plan_id=plan_id)
        .only("plan_id", "reviewed_at", "level_of_care")
        .order_by("-reviewed_at", "-id")[:1]
    ),
    plan_id=-(2**31) + 31,
)
_RULES = Prepared(
    lambda program_id: PlanRules.objects.filter(program_id=program_id),
    program_id=-(2**31) + 37,
)
_LATEST_SIGNED = Prepared(
    lambda client_id: (
        Assessment.objects.filter(client_id=client_id, status=AssessmentStatus.SIGNED)
        .only("client_id", "chosen_level", "signed_at")
        .order_by("-signed_at", "-id")[:1]
    ),
    client_id=-(2**31) + 41,
)


def review_due(plan: CarePlan, client: Client) -> ReviewDue | None:
    """When this version, if it is the one in effect, is next due for review: as reviews_due
    works it out for many clients, in three queries."""
    if plan.status != PlanStatus.ACTIVE or plan.activated_at is None:
        return None
    review = next(iter(_LAST_REVIEW(plan_id=plan.pk)), None)
    rules = next(iter(_RULES(program_id=client.program_id)), None)
    level = next(iter(_LATEST_SIGNED(client_id=client.pk)), None)
    return _review_due(
        drafted_on=timezone.localdate(plan.created_at),
        activated_on=timezone.localdate(plan.activated_at),
        last_review_on=timezone.localdate(review.reviewed_at) if review else None,
        every_days=rules.review_every_days if rules else DEFAULT_REVIEW_DAYS,
        level_at_last_look=review.level_of_care if review else plan.level_of_care,
        latest_level=level.chosen_level if level else None,
        latest_level_on=timezone.localdate(level.signed_at) if level and level.signed_at else None,
    )


def plans_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Plan reviews and the earliest open plan task, as due items (five queries)."""
    due: dict[int, list[DueItem]] = {}
    for client_id, review in reviews_due(client_ids).items():
        due.setdefault(client_id, []).append(
            DueItem(label="Care plan review", due_on=review.due_on, url_name="plan_home")
        )
    for row in (
        PlanTask.objects.filter(client_id__in=client_ids, status=TaskStatus.OPEN)
        .values("client_id")
        .annotate(first=Min("due_on"), count=Count("id"))
    ):
        label = "Plan task" if row["count"] == 1 else f"Plan tasks ({row['count']})"
        due.setdefault(row["client_id"], []).append(
            DueItem(label=label, due_on=row["first"], url_name="plan_home")
        )
    return due


# The plan's page lists the client's open tasks with who holds each (whether they still work
# with the client is asked of the whole account), and the last ten closed: in queries built
# once (casebridge.prepared).
_OPEN_TASKS = Prepared(
    lambda client_id: (
        PlanTask.objects.filter(client_id=client_id, status=TaskStatus.OPEN)
        .select_related("owner")
        .defer("note", "closed_by", "closed_at", "created_at")
    ),
    client_id=-(2**31) + 23,
)
_RECENTLY_CLOSED = Prepared(
    lambda client_id: (
        PlanTask.objects.filter(client_id=client_id)
        .exclude(status=TaskStatus.OPEN)
        .only("client_id", "title", "status", "note", "closed_at")
        .order_by("-closed_at")[:10]
    ),
    client_id=-(2**31) + 29,
)


def open_tasks(client: Client) -> list[PlanTask]:
    """The client's open tasks, soonest first, each with its owner."""
    return _OPEN_TASKS(client_id=client.pk)


def recently_closed_tasks(client: Client) -> list[PlanTask]:
    """The client's last ten tasks done or missed, the latest first."""
    return _RECENTLY_CLOSED(client_id=client.pk)


def tasks_for_client(client: Client) -> QuerySet[PlanTask]:
    return PlanTask.objects.filter(client=client).select_related(
        "owner", "closed_by", "intervention__goal"
    )


def may_record_own_task(principal: Principal, task: PlanTask) -> bool:
    """The object rule "plans.record_own_task": a task's owner records it on a client they
    still work with (emergency access is for reading)."""
    return task.owner_id == principal.account.pk and works_with(principal.account, task.client_id)


def stranded_owners(client: Client, tasks: list[PlanTask]) -> list[tuple[Any, int]]:
    """People holding open tasks for this client who no longer work with them, with how many
    (one query per owner; there are rarely more than one or two)."""
    counts: dict[int, int] = {}
    owners: dict[int, Any] = {}
    for task in tasks:
        counts[task.owner_id] = counts.get(task.owner_id, 0) + 1
        owners[task.owner_id] = task.owner
    return [
        (owner, counts[owner_id])
        for owner_id, owner in owners.items()
        if not works_with(owner, client.pk)
    ]


def my_tasks(user: User) -> QuerySet[PlanTask]:
    """A staff member's open tasks on the clients they may still see, soonest first."""
    tasks = PlanTask.objects.filter(
        owner=user,
        status=TaskStatus.OPEN,
        client__in=Client.objects.restrict(user, Action.VIEW, include_emergency=False),
    )
    return tasks.select_related("client", "intervention__goal").order_by("due_on", "id")


def awaiting_cosignature(user: User) -> list[CarePlan]:
    """Signed drafts in a supervisor's programs that wait only for a supervisor's co-signature."""
    if getattr(user, "role", None) != Role.SUPERVISOR:
        return []
    return list(
        CarePlan.objects.filter(
            status=PlanStatus.DRAFT,
            locked_at__isnull=False,
            client__in=Client.objects.restrict(user, Action.PLAN, include_emergency=False),
            client__program__plan_rules__supervisor_cosign=True,
        )
        .filter(signatures__role=SignerRole.CLIENT)
        .filter(signatures__role=SignerRole.CASE_MANAGER)
        .exclude(signatures__role=SignerRole.SUPERVISOR)
        .select_related("client")
        .order_by("locked_at")
    )
