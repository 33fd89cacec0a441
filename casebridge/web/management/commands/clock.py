"""`casebridge clock`: queue the periodic background tasks (settings.PERIODIC_TASKS) every
SWEEP_EVERY_MINUTES. It only queues; the task worker does the work, so several web machines can
share one worker pool. Each periodic task must be safe to run more than once."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Queue the periodic background tasks on a schedule (Ctrl-C stops)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Queue them once and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        tasks = [import_string(path) for path in settings.PERIODIC_TASKS]
        while True:
            for periodic in tasks:
                periodic.enqueue()
            if options["once"]:
                self.stdout.write(f"Queued {len(tasks)} periodic task(s).")
                return
            time.sleep(settings.SWEEP_EVERY_MINUTES * 60)
