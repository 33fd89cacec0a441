"""The FHIR R4 shape of a care plan version: a CarePlan with its goals contained, each activity
pointing at its goal, labelled as Part 2 data. The mapping lives here only; the
interoperability capability serves it to outside systems (through the disclosure gate)."""

from typing import Any

from casebridge.clients.part2 import fhir_meta_security
from casebridge.plans.models import CarePlan, GoalProgress, Progress
from casebridge.plans.statuses import PlanStatus

# FHIR CarePlan.status for each plan status. A superseded version "has been terminated prior to
# reaching completion" in FHIR's words (revoked), and the newer one says which it replaces.
CAREPLAN_STATUS = {
    PlanStatus.DRAFT: "draft",
    PlanStatus.ACTIVE: "active",
    PlanStatus.SUPERSEDED: "revoked",
    PlanStatus.CLOSED: "completed",
}

# Goal.achievementStatus (http://terminology.hl7.org/CodeSystem/goal-achievement) per rating.
ACHIEVEMENT = {
    Progress.NOT_STARTED: "no-progress",
    Progress.PROGRESSING: "improving",
    Progress.ACHIEVED: "achieved",
    Progress.REVISED: "not-achieving",
    Progress.DISCONTINUED: "not-attainable",
}

GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"


def care_plan(
    plan: CarePlan, tree: list[dict[str, Any]], progress: dict[Any, GoalProgress]
) -> dict[str, Any]:
    """`tree` and `progress` as `plans.queries.plan_tree` and `latest_progress` give them."""
    goals: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    # Activity status follows the version: work is under way only while the plan is in effect.
    doing = {PlanStatus.DRAFT: "not-started", PlanStatus.ACTIVE: "in-progress"}.get(
        plan.status, "stopped"
    )
    for entry in tree:
        for goal_entry in entry["goals"]:
            goal = goal_entry["goal"]
            rating = progress.get(goal.key)
            goal_id = f"goal-{goal.key}"
            goals.append(
                {
                    "resourceType": "Goal",
                    "id": goal_id,
                    "lifecycleStatus": "completed"
                    if rating is not None and rating.rating == Progress.ACHIEVED
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
                    "subject": {"reference": f"Patient/{plan.client_id}"},
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
    return {
        "resourceType": "CarePlan",
        "id": f"care-plan-{plan.pk}",
        "meta": fhir_meta_security(),
        "contained": goals,
        "status": CAREPLAN_STATUS[plan.status],
        "intent": "plan",
        "title": f"Care plan version {plan.sequence}",
        "subject": {"reference": f"Patient/{plan.client_id}"},
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
        "goal": [{"reference": f"#{goal['id']}"} for goal in goals],
        "activity": activities,
    }


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
