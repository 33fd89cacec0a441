"""A care plan version as FHIR R4: CarePlan with contained Goals, activities pointing at their
goal, the versions linked, and the Part 2 security label on the resource; valid R4 (checked
with tests/fhir/validator.py) as a draft with and without goals, in effect, replaced, discarded
and closed, with every goal rating."""

import pytest
from django.urls import reverse

from casebridge.plans import fhir, queries, services
from casebridge.plans.models import Progress
from tests.fhir.validator import HL7_CODES, assert_valid
from tests.plans.helpers import ready_plan, sign_all, signed_assessment


def _resource(plan):
    return fhir.care_plan(plan, queries.plan_tree(plan), queries.latest_progress(plan))


def test_a_plan_in_effect_as_a_fhir_careplan(world):
    plan = sign_all(ready_plan(world), world)
    goal = plan.goals.get()
    services.review_record(
        plan=plan,
        by=world.alice,
        reason="scheduled",
        summary="Going well",
        outcome="continue",
        ratings={goal.pk: ("progressing", "")},
    )
    resource = _resource(plan)
    assert resource["resourceType"] == "CarePlan" and resource["status"] == "active"
    assert resource["intent"] == "plan"
    assert resource["subject"] == {"reference": f"Patient/{world.client.pk}"}
    assert {label["code"] for label in resource["meta"]["security"]} == {"R", "42CFRPart2"}
    (contained,) = resource["contained"]
    assert contained["description"]["text"] == "I want my own place"
    assert contained["target"][0]["measure"]["text"] == "Signed lease in my name"
    assert contained["achievementStatus"]["coding"][0]["code"] == "improving"
    assert resource["goal"] == [{"reference": f"#{contained['id']}"}]
    details = [a["detail"] for a in resource["activity"]]
    assert {d["description"] for d in details} == {
        "Apply for housing",
        "Go through housing listings together",
    }
    assert all(d["goal"] == [{"reference": f"#{contained['id']}"}] for d in details)
    assert all(d["status"] == "in-progress" for d in details)
    assert "period" in resource and "replaces" not in resource


def test_a_new_version_replaces_the_old_one_in_fhir(client, world):
    v1 = sign_all(ready_plan(world), world)
    v2 = sign_all(services.plan_revise(plan=v1, by=world.alice, reason="Next"), world)
    v1.refresh_from_db()
    assert _resource(v1)["status"] == "revoked"
    assert _resource(v2)["replaces"] == [{"reference": f"CarePlan/care-plan-{v1.pk}"}]
    client.force_login(world.alice)
    response = client.get(
        reverse("api_plan_fhir", kwargs={"client_id": world.client.pk, "plan_id": v2.pk})
    )
    assert response["Content-Type"] == "application/fhir+json"
    assert response.json()["id"] == f"care-plan-{v2.pk}"


# --- Valid R4 in every state a version can be in -----------------------------------------------


def test_a_draft_with_no_goals_yet_has_no_empty_arrays_and_is_valid_r4(world):
    signed_assessment(world.client, world.alice)  # no need rated: the draft starts empty
    plan = services.plan_start(client=world.client, by=world.alice)
    resource = _resource(plan)
    assert resource["status"] == "draft"
    assert not {"contained", "goal", "activity"} & set(resource)
    assert_valid(resource)


def test_a_draft_with_goals_is_valid_r4(world):
    resource = _resource(ready_plan(world))
    assert resource["status"] == "draft"
    assert {d["detail"]["status"] for d in resource["activity"]} == {"not-started"}
    assert_valid(resource)


def test_a_plan_in_effect_and_the_version_it_replaced_are_valid_r4(world):
    v1 = sign_all(ready_plan(world), world)
    v2 = sign_all(services.plan_revise(plan=v1, by=world.alice, reason="Next"), world)
    v1.refresh_from_db()
    assert_valid(_resource(v2))
    replaced = _resource(v1)
    assert replaced["status"] == "revoked"
    assert {d["detail"]["status"] for d in replaced["activity"]} == {"stopped"}
    assert_valid(replaced)


def test_a_discarded_draft_is_revoked_not_completed(world):
    draft = ready_plan(world)
    discarded = services.plan_close(plan=draft, by=world.alice, reason="Started over")
    resource = _resource(discarded)
    assert resource["status"] == "revoked"
    assert {d["detail"]["status"] for d in resource["activity"]} == {"cancelled"}
    assert_valid(resource)


def test_a_plan_closed_after_it_was_in_effect_is_completed(world):
    plan = sign_all(ready_plan(world), world)
    closed = services.plan_close(plan=plan, by=world.alice, reason="Case ended")
    resource = _resource(closed)
    assert resource["status"] == "completed" and "end" in resource["period"]
    assert_valid(resource)


def test_every_progress_rating_is_an_r4_goal_achievement_code():
    assert set(fhir.ACHIEVEMENT) == set(Progress.values)
    assert set(fhir.ACHIEVEMENT.values()) <= HL7_CODES[fhir.GOAL_ACHIEVEMENT]
    assert fhir.ACHIEVEMENT[Progress.REVISED] == "not-achieved"


@pytest.mark.parametrize(
    ("rating", "achievement", "lifecycle"),
    [
        ("not_started", "no-progress", "active"),
        ("progressing", "improving", "active"),
        ("achieved", "achieved", "completed"),
        ("revised", "not-achieved", "active"),
        ("discontinued", "not-attainable", "cancelled"),
    ],
)
def test_each_rated_goal_is_valid_r4(world, rating, achievement, lifecycle):
    plan = sign_all(ready_plan(world), world)
    goal = plan.goals.get()
    services.review_record(
        plan=plan,
        by=world.alice,
        reason="scheduled",
        summary="Reviewed",
        outcome="continue",
        ratings={goal.pk: (rating, "")},
    )
    resource = _resource(plan)
    (contained,) = resource["contained"]
    assert contained["achievementStatus"]["coding"][0]["code"] == achievement
    assert contained["lifecycleStatus"] == lifecycle
    assert_valid(resource)
