"""RQ (TASKS_BACKEND=redis) set up so that a job whose worker dies comes back.

RQ already notices both ways a worker can die mid-job, but by default gives the job up:
- the work-horse (the forked process running the job) is killed, by the OOM killer say: the
  worker sees it go and fails the job, retrying it only if the job carries a `Retry`;
- the whole worker (or its machine) is lost: the job stays in the queue's StartedJobRegistry
  until its heartbeat expires, and the next registry clean-up by any worker treats it as
  abandoned, again retrying it only if it carries a `Retry`.

django-tasks-rq enqueues without a `Retry`, so both end FAILED. `RetryingQueue` (settings
RQ["QUEUE_CLASS"]) gives every job `Retry(max=TASKS_MAX_ATTEMPTS - 1)`. `Worker` (settings
RQ["WORKER_CLASS"], used by `casebridge rqworker`) makes the second case take about
TASKS_WORKER_TIMEOUT_SECONDS rather than RQ's fixed 60 seconds after the last heartbeat plus a
clean-up every 10 minutes. A retry runs at once (no interval), so no RQ scheduler is needed. A
retry also follows an ordinary exception; every task is idempotent (outbox.py), so that is safe.
"""

from typing import Any

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import Worker as RQWorker
from rq.job import Job, Retry


class RetryingQueue(DjangoRQ):
    """An RQ queue whose jobs are tried up to TASKS_MAX_ATTEMPTS times."""

    def create_job(self, *args: Any, **kwargs: Any) -> Job:
        if kwargs.get("retry") is None and settings.TASKS_MAX_ATTEMPTS > 1:
            kwargs["retry"] = Retry(max=settings.TASKS_MAX_ATTEMPTS - 1)
        return super().create_job(*args, **kwargs)


class Worker(RQWorker):
    """RQ's worker, beating every TASKS_HEARTBEAT_SECONDS, taking a job as abandoned once its
    worker has been silent for TASKS_WORKER_TIMEOUT_SECONDS, and cleaning up that often."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("job_monitoring_interval", max(settings.TASKS_HEARTBEAT_SECONDS, 1))
        kwargs.setdefault("maintenance_interval", max(settings.TASKS_WORKER_TIMEOUT_SECONDS, 1))
        super().__init__(*args, **kwargs)

    def subscribe(self) -> None:
        # As RQ's, with the listener for commands (stop, kill the work-horse) waking every second
        # rather than every sixty: a worker asked to stop joins that listener, and one that had
        # already read the reply to its unsubscribe waited out the whole turn, a minute.
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]  # RQ: None until set
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker waits this long for a job before it looks at the registries again.
        return max(1, min(super().dequeue_timeout, settings.TASKS_WORKER_TIMEOUT_SECONDS))

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # As RQ's, with TASKS_WORKER_TIMEOUT_SECONDS instead of its fixed 60 seconds of grace.
        until_next_beat: float = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            until_next_beat = min(job.timeout - working_time, until_next_beat)
        return int(until_next_beat) + max(settings.TASKS_WORKER_TIMEOUT_SECONDS, 1)
