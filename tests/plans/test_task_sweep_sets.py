"""The overdue-task sweep marks tasks missed in sets: a batch of tasks at a time, each batch in
its own transaction with the same statements however many tasks it holds, writing exactly what
marking each task on its own wrote (the task, its timeline entry, its audit event, the next
task of a repeating intervention)."""

import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casebridge.audit.models import AuditChainHead, AuditEvent
from casebridge.audit.services import audit_verify
from casebridge.clients.extensions import due_source_changed
from casebridge.clients.models import TimelineEntry
from casebridge.plans.models import CarePlan, Goal, Intervention, PlanTask, Problem, TaskStatus
from casebridge.plans.services import followup
from casebridge.plans.services.followup import task_close, tasks_sweep
from casebridge.plans.statuses import PlanStatus
from tests.factories import ClientFactory

GRACE = 7


def _days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def _intervention(client, owner, *, frequency="weekly", status=PlanStatus.ACTIVE):
    """A plan with one goal and one action, written directly (the sweep is what is tested)."""
    plan = CarePlan.objects.create(
        client=client,
        sequence=CarePlan.objects.filter(client=client).count() + 1,
        status=status,
        activated_at=timezone.now(),
        created_by=owner,
    )
    problem = Problem.objects.create(plan=plan, need_domain="housing", statement="Housing.")
    goal = Goal.objects.create(
        plan=plan,
        problem=problem,
        own_words="I want a place of my own",
        measurable="A signed lease",
        target_date=timezone.localdate() + timedelta(days=90),
    )
    return Intervention.objects.create(
        plan=plan,
        goal=goal,
        action="Go through housing listings together",
        responsible="case_manager",
        owner=owner,
        frequency=frequency,
    )


def _tasks(intervention, count, *, overdue_by=GRACE + 3, title=""):
    return PlanTask.objects.bulk_create(
        PlanTask(
            client_id=intervention.plan.client_id,
            intervention=intervention,
            owner_id=intervention.owner_id,
            title=title or f"{intervention.action} ({n + 1})",
            due_on=_days_ago(overdue_by + n % 5),
        )
        for n in range(count)
    )


def _sweep_one_task_at_a_time(grace_days):
    """The sweep as it was: each overdue task locked, marked and followed up on its own."""
    cutoff = timezone.localdate() - timedelta(days=grace_days)
    overdue = PlanTask.objects.filter(status=TaskStatus.OPEN, due_on__lt=cutoff)
    for task_id in list(overdue.values_list("pk", flat=True)):
        with transaction.atomic():
            task = (
                PlanTask.objects.select_for_update(of=("self",))
                .select_related("intervention__plan", "intervention__goal", "client")
                .get(pk=task_id)
            )
            note = f"Not recorded within {grace_days} days of its due date."
            followup._task_outcome(task, None, TaskStatus.MISSED, note, task.client)


def _last_id(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _records(tasks_before, timeline_after, audit_after):
    """What a sweep wrote, without the ids and times that differ from one run to the next."""
    tasks = PlanTask.objects.filter(pk__in=tasks_before)
    following = PlanTask.objects.exclude(pk__in=tasks_before)
    entries = TimelineEntry.objects.filter(pk__gt=timeline_after)
    events = AuditEvent.objects.filter(pk__gt=audit_after)
    return {
        "tasks": sorted(
            (t.pk, t.status, t.note, t.closed_by_id, t.closed_at is not None) for t in tasks
        ),
        "following": sorted(
            (t.client_id, t.intervention_id, t.owner_id, t.title, t.due_on, t.status, t.note)
            for t in following
        ),
        "timeline": sorted(
            (e.client_id, e.kind, e.needs_action, e.summary, e.detail, e.actor_id) for e in entries
        ),
        "audit": sorted(
            (
                e.object_id,
                e.client_id,
                e.organisation_id,
                e.chain,
                e.actor_id,
                e.actor_username,
                e.action,
                e.object_type,
                json.dumps(e.changes, sort_keys=True),
                e.remote_addr,
                e.scheme,
                e.key_id,
            )
            for e in events
        ),
    }


@pytest.fixture
def overdue(world):
    """Overdue tasks of every kind the sweep meets, in two organisations, and two it leaves."""
    weekly = _intervention(world.client, world.alice)
    _tasks(weekly, 3)
    _tasks(weekly, 1, overdue_by=45)
    _tasks(weekly, 1, title=("A very long piece of work " * 12)[:300])  # the summary is cut
    once = _intervention(world.engagement_client, world.alice, frequency="once")
    _tasks(once, 2)
    ended = _intervention(
        ClientFactory(program=world.program, primary_case_manager=world.bob),
        world.bob,
        frequency="monthly",
        status=PlanStatus.CLOSED,
    )
    _tasks(ended, 1)
    daily = _intervention(world.foreign_client, world.charlie, frequency="daily")
    _tasks(daily, 2)
    within_grace = _tasks(weekly, 1, overdue_by=GRACE - 2)[0]
    done = _tasks(weekly, 1)[0]
    PlanTask.objects.filter(pk=done.pk).update(status=TaskStatus.DONE, closed_at=timezone.now())
    return {"within_grace": within_grace, "done": done, "overdue": 10}


def test_marking_in_sets_writes_what_marking_each_task_wrote(overdue):
    tasks_before = set(PlanTask.objects.values_list("pk", flat=True))
    timeline_after, audit_after = _last_id(TimelineEntry), _last_id(AuditEvent)
    with transaction.atomic():
        _sweep_one_task_at_a_time(GRACE)
        one_at_a_time = _records(tasks_before, timeline_after, audit_after)
        transaction.set_rollback(True)
    assert PlanTask.objects.filter(status=TaskStatus.MISSED).count() == 0

    assert tasks_sweep(grace_days=GRACE, batch_size=3) == overdue["overdue"]

    in_sets = _records(tasks_before, timeline_after, audit_after)
    assert in_sets == one_at_a_time
    assert len(in_sets["timeline"]) == len(in_sets["audit"]) == overdue["overdue"]
    # Weekly and daily work comes back (3 + 1 + 1 weekly, 2 daily); once-only work and work of
    # a plan no longer in effect does not.
    assert len(in_sets["following"]) == 7
    assert all(due > timezone.localdate() for *_, due, _, _ in in_sets["following"])
    assert audit_verify() == []
    for head in AuditChainHead.objects.exclude(last_seq=0):
        newest = AuditEvent.objects.filter(chain=head.chain).order_by("-seq").first()
        assert (head.last_event_id, head.last_hash) == (newest.pk, newest.hash)


def test_tasks_still_within_grace_or_already_recorded_are_left_alone(overdue):
    tasks_sweep(grace_days=GRACE, batch_size=4)
    assert PlanTask.objects.get(pk=overdue["within_grace"].pk).status == TaskStatus.OPEN
    assert PlanTask.objects.get(pk=overdue["done"].pk).status == TaskStatus.DONE
    assert not AuditEvent.objects.filter(
        object_id__in=[str(overdue["within_grace"].pk), str(overdue["done"].pk)]
    ).exists()


def test_a_rerun_marks_nothing_and_records_nothing(overdue):
    assert tasks_sweep(grace_days=GRACE, batch_size=4) == overdue["overdue"]
    counts = (PlanTask.objects.count(), TimelineEntry.objects.count(), AuditEvent.objects.count())
    assert tasks_sweep(grace_days=GRACE, batch_size=4) == 0
    assert tasks_sweep(grace_days=GRACE) == 0
    assert counts == (
        PlanTask.objects.count(),
        TimelineEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_task_recorded_after_the_sweep_picked_it_keeps_what_the_person_recorded(
    world, monkeypatch
):
    intervention = _intervention(world.client, world.alice, frequency="once")
    picked = _tasks(intervention, 3)
    mark = followup._sweep_batch

    def alice_records_one_first(*args, **kwargs):
        task_close(task=picked[1], by=world.alice, done=True, note="Went through them by phone")
        return mark(*args, **kwargs)

    monkeypatch.setattr(followup, "_sweep_batch", alice_records_one_first)
    assert tasks_sweep(grace_days=GRACE) == 2

    recorded = PlanTask.objects.get(pk=picked[1].pk)
    assert recorded.status == TaskStatus.DONE and recorded.closed_by == world.alice
    assert recorded.note == "Went through them by phone"
    assert (
        AuditEvent.objects.filter(object_type="plan_task", object_id=str(recorded.pk)).count() == 1
    )
    assert world.client.timeline.filter(summary__startswith="Task done:").count() == 1
    assert world.client.timeline.filter(summary__startswith="Task missed:").count() == 2


def test_a_batch_takes_the_same_statements_for_300_tasks_as_for_30(world):
    # The organisation's audit chain is started first, so both measured runs find it started.
    _tasks(_intervention(world.client, world.alice), 1)
    assert tasks_sweep(grace_days=GRACE) == 1

    def statements_for(count, client):
        _tasks(_intervention(client, world.alice), count)
        with CaptureQueriesContext(connection) as captured:
            assert tasks_sweep(grace_days=GRACE, batch_size=500) == count
        return len(captured)

    few = statements_for(30, world.engagement_client)
    many = statements_for(
        300, ClientFactory(program=world.program, primary_case_manager=world.alice)
    )
    assert few == many
    assert many < 25


def test_a_run_cut_short_keeps_its_finished_batches_and_a_rerun_does_the_rest(world, monkeypatch):
    _tasks(_intervention(world.client, world.alice, frequency="weekly"), 30)
    mark = followup._sweep_batch
    batches = []

    def killed_in_the_second_batch(*args, **kwargs):
        batches.append(mark(*args, **kwargs))
        if len(batches) == 2:
            raise RuntimeError("the worker was stopped")
        return batches[-1]

    monkeypatch.setattr(followup, "_sweep_batch", killed_in_the_second_batch)
    with pytest.raises(RuntimeError):
        tasks_sweep(grace_days=GRACE, batch_size=10)

    def written():
        return (
            PlanTask.objects.filter(status=TaskStatus.MISSED).count(),
            PlanTask.objects.filter(
                status=TaskStatus.OPEN, due_on__gt=timezone.localdate()
            ).count(),
            TimelineEntry.objects.filter(summary__startswith="Task missed:").count(),
            AuditEvent.objects.filter(object_type="plan_task").count(),
        )

    assert written() == (10, 10, 10, 10)
    monkeypatch.undo()
    assert tasks_sweep(grace_days=GRACE, batch_size=10) == 20
    assert written() == (30, 30, 30, 30)
    assert audit_verify() == []


@pytest.mark.parametrize("model", [PlanTask, TimelineEntry, AuditEvent])
def test_nothing_listens_for_saves_of_what_the_sweep_writes_in_bulk(model):
    """Bulk writes send no signals. Marking one task at a time saved each row and no receiver
    (the alerts' re-evaluation among them) listened, so none is lost; one that starts listening
    must be given the marked clients by the sweep too. The one listener there is, the due
    stamp's for plan tasks, is: the sweep renews the stamps itself (tests/clients/
    test_due_kept.py)."""
    due_stamp = f"clients.due.{model._meta.label}.True"
    renewing = post_save.disconnect(sender=model, dispatch_uid=due_stamp)
    try:
        assert renewing == (model is PlanTask)
        assert not pre_save.has_listeners(model)
        assert not post_save.has_listeners(model)
    finally:
        if renewing:
            post_save.connect(due_source_changed, sender=model, dispatch_uid=due_stamp)
