"""`casebridge clock`: queue the periodic background tasks (settings.PERIODIC_TASKS) every
SWEEP_EVERY_MINUTES. It only queues; the task worker does the work, so several web machines can
share one worker pool. Each periodic task must be safe to run more than once."""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Queue the periodic background tasks on a schedule (Ctrl-C stops)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Queue them once and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        tasks = [import_string(path) for path in settings.PERIODIC_TASKS]
        pause = max(settings.SWEEP_EVERY_MINUTES, 1) * 60
        while True:
            queued = 0
            for periodic in tasks:
                try:
                    periodic.enqueue()
                    queued += 1
                except Exception:  # a busy or unreachable queue must not stop the clock
                    if options["once"]:
                        raise
                    log.exception("Could not queue %s; trying again next round", periodic.name)
            if options["once"]:
                self.stdout.write(f"Queued {queued} periodic task(s).")
                return
            time.sleep(pause)
