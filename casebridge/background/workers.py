"""Database task workers beat a heartbeat; the tasks of a worker that stopped beating are queued
again.

django-tasks-db claims a task by marking it RUNNING with the worker's id and `started_at`, then
runs it outside any transaction. It has no lease, heartbeat or retry, so a task whose worker was
killed stays RUNNING forever. This module adds the smallest mechanism on top of its table,
without changing how it claims tasks:

- every worker (our `db_worker`) keeps a WorkerHeartbeat row fresh every
  TASKS_HEARTBEAT_SECONDS from a background thread, and deletes it when it stops cleanly;
- every worker, on the same thread, runs `recover_abandoned_tasks`: a RUNNING task whose last
  worker has not beaten for TASKS_WORKER_TIMEOUT_SECONDS (or, for a worker that never beat,
  whose start is that old) is set back to READY, for any worker to claim again. A task already
  claimed TASKS_MAX_ATTEMPTS times is marked FAILED instead, so a task that kills its worker
  every time does not loop for ever.

Tasks must be idempotent (outbox.py): a requeued task may have done part of its work. Clocks of
the worker machines are compared, so keep them in sync (NTP).
"""

import logging
import os
import platform
import threading
import time
from datetime import timedelta

from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from casebridge.background.models import WorkerHeartbeat

log = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The worker running a task stopped (killed, crashed, its machine lost) too many times."""


def beat(*, worker_id: str) -> None:
    """Say that `worker_id` is alive now."""
    now = timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now):
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"beat_at": now},
            create_defaults={
                "beat_at": now,
                "started_at": now,
                "host": platform.node()[:255],
                "pid": os.getpid(),
            },
        )


def recover_abandoned_tasks(*, timeout_seconds: int, max_attempts: int) -> int:
    """Queue again (or fail, after `max_attempts` claims) the RUNNING tasks whose worker is
    dead. Safe to run from every worker at once: each change is a compare-and-set on the claim
    (status RUNNING with the same `started_at`). Returns how many tasks were recovered."""
    cutoff = timezone.now() - timedelta(seconds=timeout_seconds)
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    recovered = 0
    running = DBTaskResult.objects.running().values_list("id", "worker_ids", "started_at")
    for task_id, worker_ids, started_at in running:
        worker_id = worker_ids[-1] if worker_ids else None
        last_sign_of_life = beats.get(worker_id, started_at) if worker_id else started_at
        if last_sign_of_life is not None and last_sign_of_life >= cutoff:
            continue
        claim = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        attempts = len(worker_ids)
        if attempts >= max_attempts:
            error = WorkerLost(
                f"Its worker stopped while running it, {attempts} time(s); not tried again."
            )
            changed = claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__qualname__}: {error}\n",
                return_value=None,
            )
            if changed:
                log.error(
                    "Task %s: worker %s stopped while running it; failed after %d attempt(s)",
                    task_id,
                    worker_id,
                    attempts,
                )
        else:
            changed = claim.update(status=TaskResultStatus.READY)
            if changed:
                log.warning(
                    "Task %s: worker %s stopped while running it; queued again (attempt %d of %d)",
                    task_id,
                    worker_id,
                    attempts + 1,
                    max_attempts,
                )
        recovered += changed
    # Forget workers dead for a while; their tasks have been dealt with above.
    WorkerHeartbeat.objects.filter(beat_at__lt=cutoff - timedelta(seconds=timeout_seconds)).delete()
    return recovered


class Heartbeat:
    """The thread that keeps one worker's heartbeat fresh and recovers dead workers' tasks."""

    def __init__(
        self, *, worker_id: str, every_seconds: int, timeout_seconds: int, max_attempts: int
    ) -> None:
        self.worker_id = worker_id
        self.every_seconds = max(every_seconds, 1)
        self.timeout_seconds = timeout_seconds
        self.max_attempts = max_attempts
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._next_recovery = 0.0

    def start(self) -> None:
        # The first beat comes before the worker claims anything, so no task of ours is ever
        # seen without a heartbeat; the first recovery lets a fresh worker pick up at once.
        self._tick()
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and forget this worker: a clean stop leaves no task running."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.every_seconds + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:  # the database may be what stopped us; the timeout covers it
            log.exception("Worker %s: could not remove its heartbeat", self.worker_id)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.every_seconds):
                close_old_connections()
                self._tick()
        finally:
            connections.close_all()  # this thread's own connections

    def _tick(self) -> None:
        # Beat first: a worker that was paused must not take itself for dead.
        try:
            beat(worker_id=self.worker_id)
            # Looking for dead workers' tasks reads the task table: twice per time-out is enough.
            if time.monotonic() >= self._next_recovery:
                self._next_recovery = time.monotonic() + self.timeout_seconds / 2
                recover_abandoned_tasks(
                    timeout_seconds=self.timeout_seconds, max_attempts=self.max_attempts
                )
        except Exception:  # a missed beat is survivable; a dead heartbeat thread is not
            log.exception("Worker %s: heartbeat failed; trying again", self.worker_id)
