"""The tasks a plan in effect gives people: made when a version takes effect, recorded as done
or missed (by a person, or by the sweep when nobody did), repeated while the plan asks, and
taken over from someone who no longer works with the client.

Work a staff member is named to keep track of goes on their list. Steps the client or the
family take themselves go on the case manager's list as a check-in, so someone accountable
confirms they happened.
"""

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record, audit_record_many
from casebridge.clients.extensions import due_changed, timeline_kind
from casebridge.clients.models import Client, TimelineEntry
from casebridge.clients.queries import works_with
from casebridge.clients.services import timeline_add
from casebridge.plans.models import (
    FREQUENCY_DAYS,
    CarePlan,
    Frequency,
    Intervention,
    PlanTask,
    Responsible,
    SignerRole,
    TaskStatus,
    TimelineKind,
)
from casebridge.plans.services.common import draft_saved
from casebridge.plans.statuses import PlanStatus

TITLE_LENGTH = 300  # PlanTask.title
CHECK_IN = "Check in on: "
# Whose step a check-in is about, as its title says it.
OWN_STEP_WORDS: dict[str, str] = {
    Responsible.CLIENT: "client's own step",
    Responsible.FAMILY: "family's step",
}


def _first_due(intervention: Intervention, today: date) -> date:
    if intervention.first_due_on:
        return max(intervention.first_due_on, today)
    return today + timedelta(days=FREQUENCY_DAYS.get(intervention.frequency, 7))


def _task_title(intervention: Intervention) -> str:
    """The action itself for staff work; a check-in, in plain words, for a step the client or
    the family take ("Check in on: AA every day (client's own step)")."""
    whose = OWN_STEP_WORDS.get(intervention.responsible)
    if whose is None:
        return intervention.action[:TITLE_LENGTH]
    ending = f" ({whose})"
    room = TITLE_LENGTH - len(CHECK_IN) - len(ending)
    return f"{CHECK_IN}{intervention.action[:room]}{ending}"


def _accountable_case_manager(plan: CarePlan, by: User) -> int:
    """Who checks in on the steps the client and the family take: the client's case manager,
    or, with none assigned, whoever signed this version as the case manager."""
    client = plan.client
    signed = (
        plan.signatures.filter(role=SignerRole.CASE_MANAGER)
        .values_list("recorded_by_id", flat=True)
        .first()
    )
    return client.primary_case_manager_id or client.secondary_case_manager_id or signed or by.pk


def tasks_on_activation(plan: CarePlan, by: User) -> None:
    """Open tasks follow their intervention into the new version; dropped ones are cancelled;
    interventions with no open task get their first one."""
    today = timezone.localdate()
    interventions = {i.key: i for i in plan.interventions.all() if i.makes_tasks}
    open_tasks = PlanTask.objects.select_related("intervention").filter(
        client_id=plan.client_id, status=TaskStatus.OPEN
    )
    carried: set[uuid.UUID] = set()
    for task in open_tasks:
        successor = interventions.get(task.intervention.key)
        if successor is None:
            _task_close(task, by, TaskStatus.CANCELLED, "The plan no longer asks for this.")
            continue
        if successor.owner_id != task.intervention.owner_id and successor.owner_id is not None:
            # The new version gives the work to someone else; otherwise whoever holds the task
            # (perhaps after a hand-over) keeps it.
            task.owner_id = successor.owner_id
        task.intervention = successor
        task.title = _task_title(successor)
        task.save(update_fields=["intervention", "owner", "title"])
        carried.add(successor.key)
    done_once = set(
        PlanTask.objects.filter(
            client_id=plan.client_id, intervention__frequency=Frequency.ONCE
        ).values_list("intervention__key", flat=True)
    )
    case_manager_id: int | None = None
    for key, intervention in interventions.items():
        if key in carried or (intervention.frequency == Frequency.ONCE and key in done_once):
            continue  # once-only work already given is not given again by a new version
        owner_id = intervention.owner_id
        if owner_id is None:  # makes_tasks: a step of the client's or the family's
            case_manager_id = case_manager_id or _accountable_case_manager(plan, by)
            owner_id = case_manager_id
        PlanTask.objects.create(
            client_id=plan.client_id,
            intervention=intervention,
            owner_id=owner_id,
            title=_task_title(intervention),
            due_on=_first_due(intervention, today),
        )


def _task_close(
    task: PlanTask, by: User | None, status: str, note: str, organisation_id: int | None = None
) -> None:
    task.status = status
    task.note = note
    task.closed_by = by
    task.closed_at = timezone.now()
    task.save(update_fields=["status", "note", "closed_by", "closed_at"])
    audit_record(
        actor=by,
        action="update",
        client_id=task.client_id,
        object_type="plan_task",
        object_id=task.pk,
        changes={"status": ["open", status]},
        organisation_id=organisation_id,
    )


def task_cancel(task: PlanTask, by: User, note: str) -> None:
    """Close an open task that is no longer asked for (its plan closed), audited."""
    _task_close(task, by, TaskStatus.CANCELLED, note)


def _task_outcome(
    task: PlanTask, by: User | None, status: str, note: str, client: Client
) -> PlanTask | None:
    """Close a locked open task as done or missed, tell the timeline (naming the goal the work
    serves, so it links back to the plan) and give the next one. `by` is None for the sweep."""
    _task_close(task, by, status, note, organisation_id=client.organisation_id)
    timeline_add(
        client=client,
        kind=TimelineKind.PLAN,
        summary=f"Task {'done' if status == TaskStatus.DONE else 'missed'}: {task.title}"[:300],
        detail="\n".join(
            part for part in (task.note, f"Goal: {task.intervention.goal.own_words}") if part
        ),
        actor=by,
    )
    return _next_task(task)


def task_close(*, task: PlanTask, by: User, done: bool, note: str = "") -> PlanTask | None:
    """Mark a task done or missed, tell the timeline, and schedule the next one when the
    intervention repeats and the plan is still in effect. Returns the next task, if any."""
    with transaction.atomic():
        current = (
            PlanTask.objects.select_for_update(of=("self",))
            .select_related("intervention__plan", "intervention__goal")
            .get(pk=task.pk)
        )
        if current.status != TaskStatus.OPEN:
            raise ValidationError("This task is already closed.")
        if not done and not (note or "").strip():
            raise ValidationError({"note": "Say what happened, so the team can follow up."})
        status = TaskStatus.DONE if done else TaskStatus.MISSED
        client = Client.objects.get(pk=current.client_id)
        return _task_outcome(current, by, status, (note or "").strip(), client)


def _next_task(closed: PlanTask) -> PlanTask | None:
    """The next task of a repeating intervention, while its plan is in effect."""
    intervention = closed.intervention
    every = FREQUENCY_DAYS.get(intervention.frequency)
    if every is None or intervention.plan.status != PlanStatus.ACTIVE:
        return None
    today = timezone.localdate()
    due = closed.due_on + timedelta(days=every)
    while due <= today:
        due += timedelta(days=every)
    return PlanTask.objects.create(
        client_id=closed.client_id,
        intervention=intervention,
        owner_id=closed.owner_id,  # whoever has been doing it, after any hand-over
        title=closed.title,
        due_on=due,
    )


# Tasks the sweep marks in one transaction: a run cut short loses at most one batch's work
# (rolled back whole), and no transaction holds many locks for long.
SWEEP_BATCH = 500


def tasks_sweep(
    *, grace_days: int, today: date | None = None, batch_size: int = SWEEP_BATCH
) -> int:
    """Mark missed every open task not recorded `grace_days` after its due date, so the
    timeline tells the truth even when nobody recorded it. Returns how many were marked.

    The overdue tasks are taken in id order, `batch_size` at a time, and each batch is marked
    in its own transaction with the same few statements however many tasks it holds. A run cut
    short keeps the batches it finished, and a rerun finds only the tasks still open, so nothing
    is marked or recorded twice."""
    today = today or timezone.localdate()
    overdue = PlanTask.objects.filter(
        status=TaskStatus.OPEN, due_on__lt=today - timedelta(days=grace_days)
    ).order_by("pk")
    note = f"Not recorded within {grace_days} days of its due date."
    marked = 0
    after = 0
    while True:
        batch = list(overdue.filter(pk__gt=after).values_list("pk", flat=True)[:batch_size])
        if batch:
            with transaction.atomic():
                marked += _sweep_batch(batch, note=note)
        if len(batch) < batch_size:
            return marked
        after = batch[-1]


def _sweep_batch(task_ids: list[int], *, note: str) -> int:
    """Mark missed those of these tasks still open, inside the caller's transaction, writing
    for each what _task_outcome writes for one task closed by nobody: the task, its timeline
    entry, its audit event and the next task of a repeating intervention. One statement each
    for all the tasks, and a few for each organisation's audit chain."""
    tasks = list(
        # Locked, and checked still open: one recorded by a person since it was picked keeps
        # what they recorded.
        PlanTask.objects.select_for_update(of=("self",))
        .select_related("intervention__plan", "intervention__goal")
        .annotate(organisation=F("client__organisation_id"))
        .filter(pk__in=task_ids, status=TaskStatus.OPEN)
        .order_by("pk")
    )
    if not tasks:
        return 0
    closed_at = timezone.now()
    marked = PlanTask.objects.filter(pk__in=[t.pk for t in tasks], status=TaskStatus.OPEN).update(
        status=TaskStatus.MISSED, note=note, closed_by=None, closed_at=closed_at
    )
    if marked != len(tasks):  # the rows are locked: nobody can have closed one since
        raise DatabaseError(f"{len(tasks)} overdue tasks were locked but {marked} marked.")
    due_changed(task.client_id for task in tasks)
    kind = timeline_kind(TimelineKind.PLAN)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            client_id=task.client_id,
            kind=kind.code,
            needs_action=kind.needs_action,
            summary=f"Task missed: {task.title}"[:300],
            detail="\n".join(
                part for part in (note, f"Goal: {task.intervention.goal.own_words}") if part
            ),
            actor=None,
        )
        for task in tasks
    )
    _audit_marked(tasks, {task.pk: task.organisation for task in tasks})
    following = _following_tasks(tasks)
    if following:
        PlanTask.objects.bulk_create(following)
    return marked


def _audit_marked(tasks: Sequence[PlanTask], organisation_of: dict[int, int]) -> None:
    """An audit event for each marked task, as _task_close records it for one."""
    audit_record_many(
        actor=None,
        action="update",
        object_type="plan_task",
        changes={"status": ["open", TaskStatus.MISSED]},
        records=[(organisation_of[task.pk], task.client_id, task.pk) for task in tasks],
    )


def _following_tasks(closed: Sequence[PlanTask]) -> list[PlanTask]:
    """The next task of each repeating intervention whose plan is still in effect, not yet
    saved: the same rule as _next_task."""
    today = timezone.localdate()
    following = []
    for task in closed:
        intervention = task.intervention
        every = FREQUENCY_DAYS.get(intervention.frequency)
        if every is None or intervention.plan.status != PlanStatus.ACTIVE:
            continue
        due = task.due_on + timedelta(days=every)
        while due <= today:
            due += timedelta(days=every)
        following.append(
            PlanTask(
                client_id=task.client_id,
                intervention=intervention,
                owner_id=task.owner_id,
                title=task.title,
                due_on=due,
            )
        )
    return following


def tasks_take_over(*, client: Client, from_owner_id: int, by: User) -> int:
    """Give `by` the open tasks of someone who no longer works with this client (after a
    reassignment, say). Returns how many moved."""
    if from_owner_id == by.pk:
        raise ValidationError("These tasks are already yours.")
    if not works_with(by, client.pk):
        raise ValidationError("Only someone who works with this client can take the tasks over.")
    with transaction.atomic():
        tasks = list(
            PlanTask.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(client=client, owner_id=from_owner_id, status=TaskStatus.OPEN)
        )
        if not tasks:
            return 0
        if works_with(tasks[0].owner, client.pk):
            raise ValidationError(
                f"{tasks[0].owner.display_name} still works with this client; ask them first."
            )
        PlanTask.objects.filter(pk__in=[t.pk for t in tasks]).update(owner=by)
        # A draft being worked on (not yet signed) names the new owner too, so the next
        # version does not hand the work back.
        for draft in CarePlan.objects.select_for_update().filter(
            client=client, status=PlanStatus.DRAFT, locked_at__isnull=True
        ):
            if Intervention.objects.filter(plan=draft, owner_id=from_owner_id).update(owner=by):
                # Someone with the draft open must reload before saving over the new owner.
                draft_saved(draft, by, {"owner": [from_owner_id, by.pk]})
        audit_record(
            actor=by,
            action="update",
            client_id=client.pk,
            # However many tasks change hands, their ids go in the changes, not the id column.
            object_type="plan_task_handover",
            changes={"owner": [from_owner_id, by.pk], "tasks": [t.pk for t in tasks]},
        )
        timeline_add(
            client=client,
            kind=TimelineKind.PLAN,
            summary=f"{len(tasks)} plan task(s) handed from {tasks[0].owner.display_name} "
            f"to {by.display_name}",
            actor=by,
        )
    return len(tasks)
