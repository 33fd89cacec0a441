"""`casebridge clock`: queue the periodic background tasks (settings.PERIODIC_TASKS) once every
SWEEP_EVERY_MINUTES. It only queues; the task worker does the work, so several web machines can
share one worker pool. Any number of clocks may run (one per instance): each round's tasks are
queued by whichever clock claims the round first in the shared database
(casebridge/background/rounds.py). Each periodic task must still be safe to run more than once."""

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import import_string

from casebridge.background.rounds import clock_name, queue_round, rounds_prune

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Queue the periodic background tasks on a schedule (Ctrl-C stops)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Queue this round's tasks (those no other clock has queued) and exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tasks = [(path, import_string(path).enqueue) for path in settings.PERIODIC_TASKS]
        every = max(settings.SWEEP_EVERY_MINUTES, 1)
        me = clock_name()
        while True:
            outcome = queue_round(tasks=tasks, now=timezone.now(), every_minutes=every, by=me)
            for name, error in outcome.failed:
                if options["once"]:
                    raise error
                log.error("Could not queue %s; trying again next round", name, exc_info=error)
            log.info(
                "Round %s: queued %d periodic task(s), %d already queued by another clock",
                outcome.slot.isoformat(),
                len(outcome.queued),
                len(outcome.skipped),
            )
            if options["once"]:
                self.stdout.write(
                    f"Queued {len(outcome.queued)} periodic task(s)"
                    + (
                        f"; {len(outcome.skipped)} already queued this round by another clock."
                        if outcome.skipped
                        else "."
                    )
                )
                return
            try:
                rounds_prune()
            except Exception:  # only housekeeping: never stops the clock
                log.exception("Could not remove old rounds")
            # Wake at the start of the next round, as every other clock does.
            next_round = outcome.slot + timedelta(minutes=every)
            time.sleep(max((next_round - timezone.now()).total_seconds(), 1))
