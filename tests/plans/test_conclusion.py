"""Concluding a case ends what still runs for the client: the plan in effect closes, its open
tasks are cancelled and no more are made (a concluded client used to keep getting monthly
tasks), the obligations it asked for leave the calendar. Reopening keeps every bit of history."""

from datetime import timedelta

from django.utils import timezone

from casebridge.clients.models import Client
from casebridge.clients.services import case_move_stage
from casebridge.plans.models import CarePlan, PlanTask, TaskStatus
from casebridge.plans.services.followup import tasks_sweep
from casebridge.plans.statuses import PlanStatus
from tests.plans.helpers import ready_plan, sign_all


def _conclude(world, reason="Moved out of state"):
    client = Client.objects.get(pk=world.client.pk)
    return case_move_stage(
        client=client, to_stage="conclusion", by=world.alice, reason=reason, version=client.version
    )


def test_concluding_closes_the_plan_and_cancels_its_open_tasks(world):
    plan = sign_all(ready_plan(world, owner=world.alice, frequency="monthly"), world)
    assert PlanTask.objects.filter(client=world.client, status=TaskStatus.OPEN).exists()
    _conclude(world)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert plan.end_reason == "The case was concluded: Moved out of state"
    assert not PlanTask.objects.filter(client=world.client, status=TaskStatus.OPEN).exists()
    cancelled = PlanTask.objects.filter(client=world.client, status=TaskStatus.CANCELLED)
    assert cancelled.exists()


def test_a_concluded_client_gets_no_new_tasks_from_the_sweep(world):
    sign_all(ready_plan(world, owner=world.alice, frequency="monthly"), world)
    PlanTask.objects.filter(client=world.client).update(
        due_on=timezone.localdate() - timedelta(days=30)
    )
    _conclude(world)
    tasks_sweep(grace_days=3)
    assert not PlanTask.objects.filter(client=world.client, status=TaskStatus.OPEN).exists()


def test_a_draft_waiting_to_replace_the_plan_is_discarded_too(world):
    from casebridge.plans.services import plan_revise

    plan = sign_all(ready_plan(world), world)
    draft = plan_revise(plan=plan, by=world.alice, reason="Next steps")
    _conclude(world)
    assert CarePlan.objects.get(pk=draft.pk).status == PlanStatus.CLOSED


def test_reopening_keeps_the_history(world):
    plan = sign_all(ready_plan(world, owner=world.alice, frequency="monthly"), world)
    entries = world.client.timeline.count()
    closed = _conclude(world)
    reopened = case_move_stage(
        client=closed, to_stage="assessment", by=world.alice, reason="Back", version=closed.version
    )
    assert reopened.stage == "assessment" and reopened.closed_at is None
    assert world.client.timeline.count() > entries  # nothing removed, the moves added
    assert CarePlan.objects.get(pk=plan.pk).status == PlanStatus.CLOSED  # kept as it was
    assert PlanTask.objects.filter(client=world.client, status=TaskStatus.CANCELLED).exists()
