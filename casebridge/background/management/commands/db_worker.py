"""`casebridge db_worker`: django-tasks-db's worker, plus a heartbeat so that the tasks of a
worker that dies are picked up again (casebridge/background/workers.py). Same options."""

from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from casebridge.background.workers import Heartbeat


class Command(DatabaseWorkerCommand):
    help = (
        "Run a database background worker. It beats every TASKS_HEARTBEAT_SECONDS and queues "
        "again the tasks of workers silent for TASKS_WORKER_TIMEOUT_SECONDS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(
            worker_id=options["worker_id"],
            every_seconds=settings.TASKS_HEARTBEAT_SECONDS,
            timeout_seconds=settings.TASKS_WORKER_TIMEOUT_SECONDS,
            max_attempts=settings.TASKS_MAX_ATTEMPTS,
        )
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
