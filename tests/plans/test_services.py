"""Care plans: drafted from the assessment, versioned, locked by signature, reviewed, closed,
and the tasks their interventions become."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.plans import queries, services
from casebridge.plans.documents import compare, plan_document
from casebridge.plans.models import CarePlan, PlanRules, PlanTask
from casebridge.plans.statuses import ALLOWED_MOVES, PlanStatus, may_move
from tests.plans.helpers import (
    SIGNATURE,
    in_days,
    ready_plan,
    review_due_both_ways,
    sign_all,
    signed_assessment,
)


def test_needs_rated_moderate_or_high_become_the_plans_needs(world):
    signed_assessment(
        world.client,
        world.alice,
        needs={
            "housing": {"severity": 3, "reason": "Sleeping on a friend's couch"},
            "employment": {"severity": 2, "reason": ""},
            "legal": {"severity": 1, "reason": "Old fine"},
        },
    )
    plan = services.plan_start(client=world.client, by=world.alice)
    statements = list(plan.problems.values_list("need_domain", "statement"))
    assert statements == [
        ("housing", "Housing: Sleeping on a friend's couch"),
        ("employment", "Employment: needs support."),
    ]
    assert plan.sequence == 1 and plan.status == "draft" and plan.level_of_care
    assert AuditEvent.objects.filter(object_type="care_plan", action="create").exists()


def test_only_one_draft_and_one_plan_in_effect(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError, match="already has a draft"):
        services.plan_start(client=world.client, by=world.alice)
    sign_all(plan, world)
    with pytest.raises(ValidationError, match="new version"):
        services.plan_start(client=world.client, by=world.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(
            client=world.client,
            sequence=9,
            status="active",
            activated_at=timezone.now(),
            created_by=world.alice,
        )


@pytest.mark.parametrize("from_status", list(PlanStatus))
@pytest.mark.parametrize("to_status", list(PlanStatus))
def test_status_table(from_status, to_status):
    assert may_move(from_status, to_status) == (to_status in ALLOWED_MOVES[from_status])


def test_concurrent_edits_of_a_draft_are_refused_not_merged(world):
    plan = ready_plan(world)
    problem = plan.problems.get()
    opened_version = plan.version
    services.problem_save(
        plan=plan,
        by=world.alice,
        version=opened_version,
        problem_id=problem.pk,
        statement="Housing: needs a stable place",
        need_domain="housing",
    )
    with pytest.raises(VersionConflict) as conflict:
        services.problem_save(
            plan=plan,
            by=world.sue,
            version=opened_version,
            problem_id=problem.pk,
            statement="Housing: Sue's wording",
            need_domain="housing",
        )
    problem.refresh_from_db()
    assert problem.statement == "Housing: needs a stable place"
    # The refusal says who changed the plan in between, and what.
    (change,) = conflict.value.changes
    assert change.who == "alice"
    assert change.fields["version"] == [opened_version, opened_version + 1]
    assert change.fields["statement"][1] == "Housing: needs a stable place"


def test_a_signature_on_an_old_copy_names_who_changed_the_plan(world):
    plan = ready_plan(world)
    opened_version = plan.version
    services.objective_save(
        plan=plan,
        by=world.sue,
        version=opened_version,
        goal_id=plan.goals.get().pk,
        text="See two flats",
    )
    with pytest.raises(VersionConflict) as conflict:
        services.plan_sign(plan=plan, by=world.alice, version=opened_version, role="case_manager")
    assert [change.who for change in conflict.value.changes] == ["sue"]
    assert not plan.signatures.exists()


def test_signing_needs_a_goal_with_an_action(world):
    signed_assessment(world.client, world.alice, needs={"housing": {"severity": 3, "reason": ""}})
    plan = services.plan_start(client=world.client, by=world.alice)
    with pytest.raises(ValidationError, match="at least one goal"):
        services.plan_sign(plan=plan, by=world.alice, version=plan.version, role="case_manager")


def test_the_first_signature_locks_the_version(world):
    plan = ready_plan(world)
    services.plan_sign(
        plan=plan,
        by=world.alice,
        version=plan.version,
        role="client",
        method="verbal",
        witness_name="Sue Supervisor",
    )
    plan.refresh_from_db()
    assert plan.is_locked and plan.status == "draft"
    goal = plan.goals.get()
    with pytest.raises(services.PlanLocked):
        services.objective_save(
            plan=plan, by=world.alice, version=plan.version, goal_id=goal.pk, text="Sneaky change"
        )
    with pytest.raises(services.PlanLocked):
        services.element_remove(
            plan=plan, by=world.alice, version=plan.version, kind="goal", element_id=goal.pk
        )
    assert plan.objectives.count() == 1 and plan.goals.count() == 1


def test_verbal_agreement_needs_a_witness_and_on_screen_a_drawing(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError) as error:
        services.plan_sign(
            plan=plan, by=world.alice, version=plan.version, role="client", method="verbal"
        )
    assert "witness_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.plan_sign(
            plan=plan, by=world.alice, version=plan.version, role="client", method="on_screen"
        )
    assert "image" in error.value.message_dict
    plan.refresh_from_db()
    assert not plan.is_locked


def test_all_signatures_put_the_plan_in_effect_and_make_tasks(world):
    plan = sign_all(ready_plan(world), world)
    assert plan.status == "active" and plan.activated_at
    task = PlanTask.objects.get(client=world.client)
    assert task.owner == world.alice and task.due_on == in_days(7) and task.status == "open"
    assert world.client.timeline.filter(summary="Care plan version 1 is in effect").exists()


def test_a_program_can_ask_for_a_supervisor_co_signature(world):
    PlanRules.objects.create(program=world.client.program, supervisor_cosign=True)
    plan = sign_all(ready_plan(world), world)
    assert plan.status == "draft"
    with pytest.raises(ValidationError, match="Only a supervisor"):
        services.plan_sign(plan=plan, by=world.bob, version=plan.version, role="supervisor")
    services.plan_sign(plan=plan, by=world.sue, version=plan.version, role="supervisor")
    plan.refresh_from_db()
    assert plan.status == "active"


def test_a_new_version_keeps_every_old_one_and_the_comparison_shows_changes(world):
    v1 = sign_all(ready_plan(world), world)
    v1_document = plan_document(v1)
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="Found a job lead")
    assert (v2.sequence, v2.previous_id, v2.status) == (2, v1.pk, "draft")
    goal = v2.goals.get()
    services.goal_save(
        plan=v2,
        by=world.alice,
        version=v2.version,
        problem_id=goal.problem_id,
        goal_id=goal.pk,
        own_words="I want my own place",
        measurable="Keys in my hand",
        target_date=goal.target_date,
        term="long",
        strength=goal.strength,
    )
    v2.refresh_from_db()
    services.element_remove(
        plan=v2,
        by=world.alice,
        version=v2.version,
        kind="step",
        element_id=v2.objectives.get().pk,
    )
    v2.refresh_from_db()
    services.problem_save(
        plan=v2,
        by=world.alice,
        version=v2.version,
        statement="Work: wants a job",
        need_domain="employment",
    )
    v2.refresh_from_db()
    changes = {(c.kind, c.what, c.title) for c in compare(v1_document, plan_document(v2))}
    assert changes == {
        ("need", "added", "Work: wants a job"),
        ("goal", "changed", "I want my own place"),
        ("step", "dropped", "Apply for housing"),
    }
    v1.refresh_from_db()
    assert v1.status == "active" and plan_document(v1) == v1_document
    sign_all(v2, world)
    v1.refresh_from_db()
    assert v1.status == "superseded" and plan_document(v1)["problems"] == v1_document["problems"]
    assert CarePlan.objects.filter(client=world.client).count() == 2


def test_open_tasks_follow_their_action_into_the_new_version(world):
    v1 = sign_all(ready_plan(world), world)
    task = PlanTask.objects.get()
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="Tidy up")
    sign_all(v2, world)
    task.refresh_from_db()
    assert task.status == "open" and task.intervention.plan_id == v2.pk
    assert PlanTask.objects.count() == 1


def test_dropping_an_action_cancels_its_open_tasks(world):
    v1 = sign_all(ready_plan(world), world)
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="Housing found")
    services.element_remove(
        plan=v2,
        by=world.alice,
        version=v2.version,
        kind="action",
        element_id=v2.interventions.get().pk,
    )
    v2.refresh_from_db()
    services.intervention_save(
        plan=v2,
        by=world.alice,
        version=v2.version,
        goal_id=v2.goals.get().pk,
        action="Check in about the new flat",
        responsible="coach",
        frequency="once",
        owner=world.cody,
    )
    v2.refresh_from_db()
    sign_all(v2, world)
    statuses = dict(PlanTask.objects.values_list("title", "status"))
    assert statuses == {
        "Go through housing listings together": "cancelled",
        "Check in about the new flat": "open",
    }


def test_done_and_missed_tasks_reach_the_timeline_and_repeat(world):
    sign_all(ready_plan(world), world)
    task = PlanTask.objects.get()
    with pytest.raises(ValidationError):
        services.task_close(task=task, by=world.alice, done=False, note="")
    following = services.task_close(task=task, by=world.alice, done=False, note="Client was ill")
    assert following.due_on == task.due_on + timedelta(days=7)
    missed = world.client.timeline.get(summary__startswith="Task missed:")
    assert missed.detail == "Client was ill\nGoal: I want my own place"
    services.task_close(task=following, by=world.alice, done=True)
    assert world.client.timeline.filter(summary__startswith="Task done:").exists()
    with pytest.raises(ValidationError, match="already closed"):
        services.task_close(task=following, by=world.alice, done=True)


def test_a_once_only_action_makes_one_task(world):
    sign_all(ready_plan(world, frequency="once"), world)
    assert services.task_close(task=PlanTask.objects.get(), by=world.alice, done=True) is None


def test_a_review_rates_every_goal_and_can_carry_the_plan_into_a_new_version(world):
    plan = sign_all(ready_plan(world), world)
    goal = plan.goals.get()
    with pytest.raises(ValidationError) as error:
        services.review_record(
            plan=plan,
            by=world.alice,
            reason="scheduled",
            summary="Going well",
            outcome="continue",
            ratings={},
        )
    assert f"goal_{goal.pk}_rating" in error.value.message_dict
    review, new_plan = services.review_record(
        plan=plan,
        by=world.alice,
        reason="scheduled",
        summary="Viewing flats",
        outcome="revise",
        ratings={goal.pk: ("progressing", "Two viewings booked")},
    )
    assert new_plan.sequence == 2 and new_plan.status == "draft"
    assert review.ratings.get().rating == "progressing"
    progress = queries.latest_progress(new_plan)
    assert progress[new_plan.goals.get().key].note == "Two viewings booked"


def test_closing_a_plan_cancels_its_tasks(world):
    plan = sign_all(ready_plan(world), world)
    services.plan_close(plan=plan, by=world.alice, reason="Case concluded")
    plan.refresh_from_db()
    assert plan.status == "closed"
    assert PlanTask.objects.get().status == "cancelled"
    with pytest.raises(services.PlanLocked):
        services.plan_close(plan=plan, by=world.alice, reason="again")


def test_review_due_on_schedule_and_when_the_level_of_care_changes(world):
    PlanRules.objects.create(program=world.client.program, review_every_days=30)
    plan = sign_all(ready_plan(world), world)
    due = review_due_both_ways(world.client)
    assert due.due_on == timezone.localdate(plan.activated_at) + timedelta(days=30)
    signed_assessment(world.client, world.alice, ratings=(4, 0, 0, 0, 0, 0))
    due = review_due_both_ways(world.client)
    assert due.due_on == timezone.localdate() and "Level of care changed to 4" in due.because


def test_overdue_review_shows_as_a_due_item(world):
    plan = sign_all(ready_plan(world), world)
    CarePlan.objects.filter(pk=plan.pk).update(activated_at=timezone.now() - timedelta(days=100))
    items = queries.plans_due([world.client.pk])[world.client.pk]
    review = next(item for item in items if item.label == "Care plan review")
    assert review.is_overdue(timezone.localdate())


def test_a_signed_draft_can_be_withdrawn_into_a_new_draft(world):
    plan = ready_plan(world)
    services.plan_sign(
        plan=plan,
        by=world.alice,
        version=plan.version,
        role="client",
        method="on_screen",
        image=SIGNATURE,
    )
    new = services.plan_revise(plan=plan, by=world.alice, reason="Client wants another goal")
    plan.refresh_from_db()
    assert plan.status == "closed" and new.status == "draft" and not new.is_locked
    assert plan.signatures.count() == 1 and new.goals.count() == 1


def test_an_owner_must_be_staff_of_the_organisation(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError) as error:
        services.intervention_save(
            plan=plan,
            by=world.alice,
            version=plan.version,
            goal_id=plan.goals.get().pk,
            action="x",
            responsible="case_manager",
            frequency="weekly",
            owner=world.charlie,
        )
    assert "owner" in error.value.message_dict


def test_a_drawing_that_is_not_a_picture_is_refused(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError) as error:
        services.plan_sign(
            plan=plan,
            by=world.alice,
            version=plan.version,
            role="client",
            method="on_screen",
            image="data:image/png;base64,bm90IGEgcGljdHVyZQ==",
        )
    assert "could not be read" in error.value.message_dict["image"][0]


def test_the_sweep_marks_unrecorded_tasks_missed_after_the_grace_period(world):
    sign_all(ready_plan(world), world)
    task = PlanTask.objects.get()
    PlanTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=6))
    assert services.tasks_sweep(grace_days=7) == 0
    PlanTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=8))
    assert services.tasks_sweep(grace_days=7) == 1
    task.refresh_from_db()
    assert task.status == "missed" and task.closed_by is None
    entry = world.client.timeline.get(summary__startswith="Task missed:")
    assert entry.actor is None and "Not recorded within 7 days" in entry.detail
    following = PlanTask.objects.get(status="open")
    assert following.due_on > timezone.localdate()
    assert AuditEvent.objects.filter(
        object_type="plan_task", object_id=str(task.pk), actor__isnull=True
    ).exists()
    assert services.tasks_sweep(grace_days=7) == 0


def test_the_clock_queues_the_sweep(world, settings):
    from django.core.management import call_command

    settings.PLAN_TASK_GRACE_DAYS = 0
    sign_all(ready_plan(world), world)
    PlanTask.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    call_command("clock", "--once")
    assert PlanTask.objects.filter(status="missed").count() == 1


def test_one_person_cannot_give_both_staff_signatures(world):
    PlanRules.objects.create(program=world.client.program, supervisor_cosign=True)
    plan = ready_plan(world)
    services.plan_sign(
        plan=plan,
        by=world.sue,
        version=plan.version,
        role="client",
        method="verbal",
        witness_name="Front desk",
    )
    plan.refresh_from_db()
    services.plan_sign(plan=plan, by=world.sue, version=plan.version, role="supervisor")
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="co-signed as supervisor"):
        services.plan_sign(plan=plan, by=world.sue, version=plan.version, role="case_manager")
    services.plan_sign(plan=plan, by=world.alice, version=plan.version, role="case_manager")
    plan.refresh_from_db()
    assert plan.status == "active"


def test_a_verbal_agreement_keeps_no_picture(world):
    plan = ready_plan(world)
    signature = services.plan_sign(
        plan=plan,
        by=world.alice,
        version=plan.version,
        role="client",
        method="verbal",
        witness_name="Front desk",
        image="javascript:alert(1)",
    )
    assert signature.image == ""


def test_once_only_work_already_done_is_not_given_again_by_a_new_version(world):
    v1 = sign_all(ready_plan(world, frequency="once"), world)
    services.task_close(task=PlanTask.objects.get(), by=world.alice, done=True)
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="Unchanged")
    sign_all(v2, world)
    assert not PlanTask.objects.filter(status="open").exists()


def test_closing_the_plan_in_effect_closes_the_draft_that_would_replace_it(world):
    v1 = sign_all(ready_plan(world), world)
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="Next steps")
    services.plan_close(plan=v1, by=world.alice, reason="Client moved away")
    v2.refresh_from_db()
    assert v2.status == "closed" and "Client moved away" in v2.end_reason
    with pytest.raises(services.PlanLocked):
        services.plan_sign(plan=v2, by=world.alice, version=v2.version, role="case_manager")


def test_a_scheduled_review_overdue_before_a_level_change_stays_overdue(world):
    PlanRules.objects.create(program=world.client.program, review_every_days=30)
    plan = sign_all(ready_plan(world), world)

    # Noon on local days: sixty times 24 hours back can land on another local day when a
    # daylight saving change lies between.
    def noon(days_back):
        day = timezone.localdate() - timedelta(days=days_back)
        return timezone.make_aware(datetime.combine(day, time(12)))

    CarePlan.objects.filter(pk=plan.pk).update(activated_at=noon(60), created_at=noon(61))
    signed_assessment(world.client, world.alice, ratings=(4, 0, 0, 0, 0, 0))
    due = review_due_both_ways(world.client)
    assert due.due_on == timezone.localdate() - timedelta(days=30)
    assert due.because == "Every 30 days"


def test_a_level_change_while_the_plan_was_being_signed_calls_for_a_review(world):
    plan = ready_plan(world)
    signed_assessment(world.client, world.alice, ratings=(4, 0, 0, 0, 0, 0))
    sign_all(plan, world)
    due = review_due_both_ways(world.client)
    assert due.due_on == timezone.localdate() and due.because.startswith("Level of care")


def test_a_task_owner_must_work_with_the_client(world):
    plan = ready_plan(world)
    with pytest.raises(ValidationError) as error:
        services.intervention_save(
            plan=plan,
            by=world.alice,
            version=plan.version,
            goal_id=plan.goals.get().pk,
            action="x",
            responsible="case_manager",
            frequency="weekly",
            owner=world.bob,
        )
    assert "does not work with this client" in error.value.message_dict["owner"][0]
