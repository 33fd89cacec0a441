"""Steps the client or the family take themselves ("AA every day", "Family attends Al-Anon")
become something tracked: when the plan takes effect the client's case manager gets a task to
check in on each, on the action's own schedule, and recording it tells the timeline."""

from datetime import timedelta

from django.utils import timezone

from casebridge.plans import services
from casebridge.plans.models import PlanTask
from tests.plans.helpers import in_days, ready_plan, sign_all


def _add_action(plan, world, *, action, responsible, frequency, owner=None, first_due_on=None):
    services.intervention_save(
        plan=plan,
        by=world.alice,
        version=plan.version,
        goal_id=plan.goals.get().pk,
        action=action,
        responsible=responsible,
        frequency=frequency,
        owner=owner,
        first_due_on=first_due_on,
    )
    plan.refresh_from_db()
    return plan


def _check_ins(world):
    return PlanTask.objects.filter(client=world.client, title__startswith="Check in on:")


def test_a_clients_own_step_gives_the_case_manager_a_check_in(world):
    plan = _add_action(
        ready_plan(world), world, action="AA every day", responsible="client", frequency="daily"
    )
    sign_all(plan, world)
    task = _check_ins(world).get()
    assert task.title == "Check in on: AA every day (client's own step)"
    assert task.owner == world.alice  # the client's case manager, who is accountable
    assert task.due_on == in_days(1)  # the same schedule a staff member's daily action has
    assert task.status == "open"


def test_a_familys_step_gives_the_case_manager_a_check_in(world):
    plan = _add_action(
        ready_plan(world),
        world,
        action="Family attends Al-Anon",
        responsible="family",
        frequency="weekly",
    )
    sign_all(plan, world)
    task = _check_ins(world).get()
    assert task.title == "Check in on: Family attends Al-Anon (family's step)"
    assert (task.owner, task.due_on) == (world.alice, in_days(7))


def test_a_step_to_take_as_needed_has_no_schedule_to_check_against(world):
    plan = _add_action(
        ready_plan(world),
        world,
        action="Call the sponsor when cravings hit",
        responsible="client",
        frequency="as_needed",
    )
    sign_all(plan, world)
    assert not _check_ins(world).exists()


def test_a_check_in_starts_on_the_first_due_date_given(world):
    plan = _add_action(
        ready_plan(world),
        world,
        action="Start the IOP intake paperwork",
        responsible="client",
        frequency="once",
        first_due_on=in_days(3),
    )
    sign_all(plan, world)
    assert _check_ins(world).get().due_on == in_days(3)


def test_recording_a_check_in_tells_the_timeline_and_gives_the_next(world):
    plan = _add_action(
        ready_plan(world), world, action="AA every day", responsible="client", frequency="daily"
    )
    sign_all(plan, world)
    task = _check_ins(world).get()
    following = services.task_close(task=task, by=world.alice, done=True, note="Went 6 of 7")
    assert world.client.timeline.filter(
        summary="Task done: Check in on: AA every day (client's own step)",
        detail="Went 6 of 7\nGoal: I want my own place",
    ).exists()
    assert following.title == task.title and following.owner == world.alice
    assert following.due_on == task.due_on + timedelta(days=1)


def test_a_check_in_follows_its_step_into_the_next_version(world):
    plan = _add_action(
        ready_plan(world), world, action="AA every day", responsible="client", frequency="daily"
    )
    v1 = sign_all(plan, world)
    task = _check_ins(world).get()
    v2 = sign_all(services.plan_revise(plan=v1, by=world.alice, reason="Next"), world)
    task.refresh_from_db()
    assert task.status == "open" and task.intervention.plan_id == v2.pk
    assert _check_ins(world).count() == 1


def test_with_no_case_manager_assigned_the_one_who_signed_as_case_manager_checks_in(world):
    plan = _add_action(
        ready_plan(world), world, action="AA every day", responsible="client", frequency="daily"
    )
    world.client.primary_case_manager = None
    world.client.save()
    services.plan_sign(
        plan=plan,
        by=world.alice,
        version=plan.version,
        role="client",
        method="verbal",
        witness_name="Front desk",
    )
    plan.refresh_from_db()
    services.plan_sign(plan=plan, by=world.sue, version=plan.version, role="case_manager")
    assert _check_ins(world).get().owner == world.sue


def test_a_staff_member_named_to_keep_track_of_a_clients_step_keeps_it(world):
    plan = _add_action(
        ready_plan(world),
        world,
        action="Go to two meetings a week",
        responsible="client",
        frequency="weekly",
        owner=world.cody,
    )
    sign_all(plan, world)
    task = _check_ins(world).get()
    assert task.owner == world.cody
    assert task.title == "Check in on: Go to two meetings a week (client's own step)"


def test_staff_work_keeps_its_plain_title(world):
    sign_all(ready_plan(world), world)
    assert PlanTask.objects.get().title == "Go through housing listings together"
    assert not _check_ins(world).exists()
    assert PlanTask.objects.get().due_on == timezone.localdate() + timedelta(days=7)
