"""The FHIR R4 shape of a care plan version: a CarePlan with its goals contained, each activity
pointing at its goal, labelled as Part 2 data. Only R4 codes, and no empty arrays (a plan
drafted with no goals yet has no `contained`, `goal` or `activity`). The mapping lives here
only; the plans API serves it to outside systems."""

from typing import Any

from casebridge.clients.fhir import patient_reference
from casebridge.clients.part2 import fhir_meta_security
from casebridge.plans.models import CarePlan, GoalProgress, Progress
from casebridge.plans.statuses import PlanStatus

# FHIR CarePlan.status for each plan status. A superseded version "has been terminated prior to
# reaching completion" in FHIR's words (revoked), and the newer one says which it replaces. A
# closed plan that was in effect is completed; a draft closed without ever taking effect (it
# was discarded) is revoked too: it never was the plan, so it cannot have been completed.
CAREPLAN_STATUS: dict[str, str] = {
    PlanStatus.DRAFT: "draft",
    PlanStatus.ACTIVE: "active",
    PlanStatus.SUPERSEDED: "revoked",
    PlanStatus.CLOSED: "completed",
}
DISCARDED_DRAFT = "revoked"

# Goal.achievementStatus per rating, from R4's goal-achievement codes (in-progress, improving,
# worsening, no-change, achieved, sustaining, not-achieved, no-progress, not-attainable). A goal
# that "needs revising" has not been met as written: not-achieved ("there might or might not
# have been progress towards target").
ACHIEVEMENT: dict[str, str] = {
    Progress.NOT_STARTED: "no-progress",
    Progress.PROGRESSING: "improving",
    Progress.ACHIEVED: "achieved",
    Progress.REVISED: "not-achieved",
    Progress.DISCONTINUED: "not-attainable",
}
# Goal.lifecycleStatus per rating; any other rating, or none, leaves the goal active.
LIFECYCLE: dict[str, str] = {Progress.ACHIEVED: "completed", Progress.DISCONTINUED: "cancelled"}

GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"


def care_plan(
    plan: CarePlan, tree: list[dict[str, Any]], progress: dict[Any, GoalProgress]
) -> dict[str, Any]:
    """`tree` and `progress` as `plans.queries.plan_tree` and `latest_progress` give them."""
    goals: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    discarded = plan.status == PlanStatus.CLOSED and plan.activated_at is None
    # Activity status follows the version: work is under way only while the plan is in effect,
    # and a discarded draft's activities were withdrawn before they began.
    under_way: dict[str, str] = {PlanStatus.DRAFT: "not-started", PlanStatus.ACTIVE: "in-progress"}
    doing = under_way.get(plan.status, "cancelled" if discarded else "stopped")
    for entry in tree:
        for goal_entry in entry["goals"]:
            goal = goal_entry["goal"]
            rating = progress.get(goal.key)
            goal_id = f"goal-{goal.key}"
            goals.append(
                {
                    "resourceType": "Goal",
                    "id": goal_id,
                    "lifecycleStatus": LIFECYCLE.get(rating.rating, "active")
                    if rating is not None
                    else "active",
                    **(
                        {
                            "achievementStatus": {
                                "coding": [
                                    {"system": GOAL_ACHIEVEMENT, "code": ACHIEVEMENT[rating.rating]}
                                ],
                                "text": rating.get_rating_display(),
                            }
                        }
                        if rating is not None
                        else {}
                    ),
                    "description": {"text": goal.own_words},
                    "subject": patient_reference(plan.client_id),
                    "target": [
                        {
                            "measure": {"text": goal.measurable},
                            "dueDate": goal.target_date.isoformat(),
                        }
                    ],
                    "note": [{"text": f"Need: {entry['problem'].statement}"}]
                    + ([{"text": f"Builds on: {goal.strength}"}] if goal.strength else []),
                }
            )
            for step in goal_entry["objectives"]:
                activities.append(_activity(step.text, goal_id, None, None, doing))
            for action in goal_entry["interventions"]:
                who = action.get_responsible_display()
                if action.provider_name:
                    who = f"{who}: {action.provider_name}"
                activities.append(
                    _activity(action.action, goal_id, who, action.get_frequency_display(), doing)
                )
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": f"care-plan-{plan.pk}",
        "meta": fhir_meta_security(),
        **({"contained": goals} if goals else {}),
        "status": DISCARDED_DRAFT if discarded else CAREPLAN_STATUS[plan.status],
        "intent": "plan",
        "title": f"Care plan version {plan.sequence}",
        "subject": patient_reference(plan.client_id),
        **(
            {"replaces": [{"reference": f"CarePlan/care-plan-{plan.previous_id}"}]}
            if plan.previous_id
            else {}
        ),
        **(
            {
                "period": {
                    "start": plan.activated_at.isoformat(),
                    **({"end": plan.ended_at.isoformat()} if plan.ended_at else {}),
                }
            }
            if plan.activated_at
            else {}
        ),
        "created": plan.created_at.isoformat(),
    }
    if goals:
        resource["goal"] = [{"reference": f"#{goal['id']}"} for goal in goals]
    if activities:
        resource["activity"] = activities
    return resource


def _activity(
    text: str, goal_id: str, who: str | None, how_often: str | None, status: str
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "status": status,
        "description": text,
        "goal": [{"reference": f"#{goal_id}"}],
    }
    if who:
        detail["performer"] = [{"display": who}]
    if how_often:
        detail["scheduledString"] = how_often
    return {"detail": detail}
