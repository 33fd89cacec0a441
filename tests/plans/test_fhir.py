"""A care plan version as FHIR R4: CarePlan with contained Goals, activities pointing at their
goal, the versions linked, and the Part 2 security label on the resource."""

from django.urls import reverse

from casebridge.plans import fhir, queries, services
from tests.plans.helpers import ready_plan, sign_all


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
