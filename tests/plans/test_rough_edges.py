"""Rough edges a case manager hit: keeping the plan after a reassessment takes the new level."""

from datetime import timedelta

from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.plans import services
from casebridge.plans.models import CarePlan, PlanRules
from tests.plans.helpers import ready_plan as draft_plan
from tests.plans.helpers import review_due_both_ways, sign_all, signed_assessment


def review(plan, world, outcome):
    goal = plan.goals.get()
    return services.review_record(
        plan=plan,
        by=world.alice,
        reason="level_of_care",
        summary="Reassessed",
        outcome=outcome,
        ratings={goal.pk: ("progressing", "")},
    )


def test_keeping_the_plan_after_a_reassessment_takes_the_new_level_of_care(client, world):
    PlanRules.objects.create(program=world.client.program, review_every_days=30)
    plan = sign_all(draft_plan(world), world)
    assert plan.level_of_care == "2.1"
    signed_assessment(world.client, world.alice, ratings=(4, 0, 0, 0, 0, 0))
    review(plan, world, "continue")
    plan.refresh_from_db()
    assert plan.level_of_care == "4" and plan.status == "active"
    due = review_due_both_ways(world.client)
    assert due.because == "Every 30 days"
    assert due.due_on == timezone.localdate() + timedelta(days=30)
    assert AuditEvent.objects.filter(
        object_type="care_plan", object_id=str(plan.pk), changes__level_of_care=["2.1", "4"]
    ).exists()
    assert world.client.timeline.filter(summary__endswith="level of care now 4").exists()
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/plan/").content.decode()
    assert "<dt>Level of care</dt><dd>4</dd>" in page


def test_a_keep_review_with_no_new_level_leaves_the_plan_as_it_was(world):
    plan = sign_all(draft_plan(world), world)
    review(plan, world, "continue")
    plan.refresh_from_db()
    assert plan.level_of_care == "2.1"
    assert not AuditEvent.objects.filter(object_type="care_plan", changes__has_key="level_of_care")


def test_a_revise_review_leaves_the_new_level_to_the_new_version(world):
    plan = sign_all(draft_plan(world), world)
    signed_assessment(world.client, world.alice, ratings=(4, 0, 0, 0, 0, 0))
    _, new_plan = review(plan, world, "revise")
    assert CarePlan.objects.get(pk=plan.pk).level_of_care == "2.1"
    assert new_plan.level_of_care == "4"
