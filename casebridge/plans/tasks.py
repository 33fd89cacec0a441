"""Background work for care plans: marking unrecorded tasks missed after the grace period."""

from django.conf import settings
from django.tasks import task

from casebridge.plans.services import tasks_sweep


@task()
def sweep_overdue_tasks() -> int:
    """Queued by `casebridge clock` (which `serve` runs); safe to run any number of times and
    to be cut short: the overdue tasks are marked a batch at a time, each batch in its own
    transaction after checking its tasks are still open, so a rerun after a killed run marks
    only what is left and records nothing twice."""
    return tasks_sweep(grace_days=settings.PLAN_TASK_GRACE_DAYS)
