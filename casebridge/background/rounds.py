"""The clock's rounds: each periodic task is queued once per round, however many clocks run.

A round is a slot of SWEEP_EVERY_MINUTES counted from the Unix epoch, so every clock, on every
machine, agrees which round it is. Before queueing a task a clock inserts a PeriodicRound row
for (task, round); the unique constraint lets one insert succeed and the clocks that come
second skip the task. The row and the queueing are one transaction: when the queue refuses the
task, the row goes too, and the next try (by any clock) queues it.
"""

import os
import platform
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from casebridge.background.models import PeriodicRound

# Rows older than this are removed: they only ever answer "was this round queued?".
KEEP_ROUNDS_FOR = timedelta(days=30)


@dataclass
class RoundOutcome:
    slot: datetime
    queued: list[str]
    skipped: list[str]
    # Tasks the queue refused this time, with why: the round stays open for them.
    failed: list[tuple[str, Exception]]


def round_start(*, now: datetime, every_minutes: int) -> datetime:
    """The start of the round `now` falls in (rounds of `every_minutes`, from the epoch)."""
    length = max(every_minutes, 1) * 60
    seconds = int(now.timestamp()) // length * length
    return datetime.fromtimestamp(seconds, tz=UTC)


def clock_name() -> str:
    return f"{platform.node()}:{os.getpid()}"[:255]


def queue_once(*, task: str, slot: datetime, enqueue: Callable[[], object], by: str) -> bool:
    """Queue `task` for the round starting at `slot` unless a clock has already; True if this
    call queued it. An error from `enqueue` is raised, and leaves the round unclaimed."""
    try:
        with transaction.atomic():
            PeriodicRound.objects.create(task=task, slot=slot, queued_by=by)
            enqueue()
    except IntegrityError:
        return False
    return True


def queue_round(
    *, tasks: Iterable[tuple[str, Callable[[], object]]], now: datetime, every_minutes: int, by: str
) -> RoundOutcome:
    """Queue each (name, enqueue) for the round `now` falls in, where no clock has yet. A busy
    or unreachable queue (or database) fails that task alone; the others are still queued."""
    slot = round_start(now=now, every_minutes=every_minutes)
    outcome = RoundOutcome(slot=slot, queued=[], skipped=[], failed=[])
    for name, enqueue in tasks:
        try:
            queued = queue_once(task=name, slot=slot, enqueue=enqueue, by=by)
        except Exception as error:
            outcome.failed.append((name, error))
            continue
        (outcome.queued if queued else outcome.skipped).append(name)
    return outcome


def rounds_prune(*, now: datetime | None = None) -> int:
    """Forget rounds older than KEEP_ROUNDS_FOR; returns how many rows went."""
    cutoff = (now or timezone.now()) - KEEP_ROUNDS_FOR
    deleted, _ = PeriodicRound.objects.filter(slot__lt=cutoff).delete()
    return deleted
