"""Background work goes through Django's Tasks API on both real backends: the database backend
with its worker, and RQ on Redis."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus, default_task_backend

from casebridge.access.tasks import notify_supervisors_of_break_glass
from tests.redis_db import work_the_queue


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_stores_the_task_and_the_worker_runs_it(world, settings):
    # The worker commits and closes its connection as it would in its own process.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    result = notify_supervisors_of_break_glass.enqueue(grant_id=1, program_id=world.program.pk)
    assert result.status == TaskResultStatus.READY
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    finished = default_task_backend.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == 1
    assert [m.to for m in mail.outbox] == [[world.sue.email]]


def test_the_redis_backend_queues_the_task_for_an_rq_worker(world, rq_settings):
    import django_rq

    result = notify_supervisors_of_break_glass.enqueue(grant_id=1, program_id=world.program.pk)
    assert mail.outbox == []
    queue = django_rq.get_queue("default")
    assert queue.count == 1
    work_the_queue(queue)
    assert default_task_backend.get_result(result.id).status == TaskResultStatus.SUCCESSFUL
    assert [m.to for m in mail.outbox] == [[world.sue.email]]


def test_a_redis_worker_asked_to_stop_stops_within_seconds(rq_settings):
    """RQ's listener for commands waits in turns of a minute. Once it has read the reply to the
    worker's unsubscribe it waits for a subscription again, and stopping the worker joins it:
    this is that moment, made certain rather than left to thread timing."""
    import time

    import django_rq

    from casebridge.background.redis_queue import Worker

    queue = django_rq.get_queue("default")
    worker = Worker([queue], connection=queue.connection)
    worker.subscribe()
    worker.pubsub.unsubscribe()
    deadline = time.monotonic() + 10
    while worker.pubsub.subscribed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not worker.pubsub.subscribed
    time.sleep(0.2)  # the listener is back waiting for a subscription
    started = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - started < 5
    assert not worker.pubsub_thread.is_alive()
