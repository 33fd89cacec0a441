"""Which Redis database a test may empty. The suite runs in several processes side by side
(pytest-xdist), so each process gets databases of its own: one for the queue tests, one for the
killed-worker tests, counting down from 15. Databases 0 and 1 stay the app's."""

import os

REDIS = os.environ.get("TEST_REDIS", "redis://127.0.0.1:6379")
MOST_PROCESSES = 7  # 15 down to 2


def _process_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw") or 0)
    if index >= MOST_PROCESSES:
        raise RuntimeError(f"The Redis tests support at most {MOST_PROCESSES} test processes.")
    return index


def queue_tests_url() -> str:
    return f"{REDIS}/{15 - 2 * _process_index()}"


def killed_worker_tests_url() -> str:
    return f"{REDIS}/{14 - 2 * _process_index()}"


def work_the_queue(queue) -> None:
    """Run what the queue holds in this process, as `casebridge rqworker --burst` would run it,
    then stop: the app's worker with RQ's SimpleWorker in front of it, so no work-horse is
    forked (the job sees the test's data) and the heartbeat is SimpleWorker's."""
    from django_tasks_rq import Job
    from rq import SimpleWorker

    from casebridge.background.redis_queue import Worker

    class InProcess(SimpleWorker, Worker):  # SimpleWorker first: its job runs here, unforked
        pass

    InProcess([queue], connection=queue.connection, job_class=Job).work(burst=True)
