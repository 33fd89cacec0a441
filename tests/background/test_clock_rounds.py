"""Several clocks (one per instance) queue each periodic task once per round, through a row in
the shared database; the next round queues it again."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import task

from casebridge.background.models import PeriodicRound
from casebridge.background.rounds import queue_round, round_start, rounds_prune

RUNS: list[str] = []
NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@task()
def noted_sweep() -> None:
    RUNS.append("sweep")


@pytest.fixture
def periodic(settings):
    RUNS.clear()
    settings.PERIODIC_TASKS = [f"{__name__}.noted_sweep"]
    settings.SWEEP_EVERY_MINUTES = 60
    return [(f"{__name__}.noted_sweep", noted_sweep.enqueue)]


def test_a_round_is_the_same_for_every_clock_within_it():
    assert round_start(now=NOON + timedelta(minutes=59), every_minutes=60) == NOON
    assert round_start(now=NOON + timedelta(minutes=60), every_minutes=60) == NOON + timedelta(
        hours=1
    )
    assert round_start(now=NOON + timedelta(minutes=7), every_minutes=5) == NOON + timedelta(
        minutes=5
    )


def test_two_clocks_in_the_same_round_queue_once(db, periodic):
    first = queue_round(tasks=periodic, now=NOON, every_minutes=60, by="web-a:1")
    second = queue_round(
        tasks=periodic, now=NOON + timedelta(minutes=30), every_minutes=60, by="web-b:1"
    )
    assert first.queued == [f"{__name__}.noted_sweep"] and first.skipped == []
    assert second.queued == [] and second.skipped == [f"{__name__}.noted_sweep"]
    assert RUNS == ["sweep"]
    assert PeriodicRound.objects.get().queued_by == "web-a:1"


def test_the_next_round_queues_again(db, periodic):
    queue_round(tasks=periodic, now=NOON, every_minutes=60, by="web-a:1")
    queue_round(tasks=periodic, now=NOON + timedelta(minutes=1), every_minutes=60, by="web-b:1")
    later = queue_round(
        tasks=periodic, now=NOON + timedelta(hours=1), every_minutes=60, by="web-b:1"
    )
    assert later.queued == [f"{__name__}.noted_sweep"]
    assert RUNS == ["sweep", "sweep"]
    assert PeriodicRound.objects.count() == 2


def test_a_queue_that_refuses_leaves_the_round_for_the_next_try(db, periodic):
    def refused() -> None:
        raise ConnectionError("the queue is away")

    name = f"{__name__}.noted_sweep"
    failed = queue_round(tasks=[(name, refused)], now=NOON, every_minutes=60, by="web-a:1")
    assert [task_name for task_name, _ in failed.failed] == [name] and failed.queued == []
    assert not PeriodicRound.objects.exists()
    retried = queue_round(tasks=periodic, now=NOON, every_minutes=60, by="web-b:1")
    assert retried.queued == [name] and RUNS == ["sweep"]


def test_two_clock_commands_in_the_same_round_run_the_task_once(db, periodic):
    first, second = StringIO(), StringIO()
    call_command("clock", "--once", stdout=first)
    call_command("clock", "--once", stdout=second)
    assert RUNS == ["sweep"]
    assert first.getvalue().strip() == "Queued 1 periodic task(s)."
    assert "already queued this round by another clock" in second.getvalue()


def test_old_rounds_are_forgotten(db, periodic):
    queue_round(tasks=periodic, now=NOON - timedelta(days=40), every_minutes=60, by="web-a:1")
    queue_round(tasks=periodic, now=NOON, every_minutes=60, by="web-a:1")
    assert rounds_prune(now=NOON) == 1
    assert list(PeriodicRound.objects.values_list("slot", flat=True)) == [NOON]


@pytest.mark.django_db(transaction=True)
def test_clocks_racing_in_parallel_queue_once(periodic):
    """Four clocks at once, each in its own connection and transaction (on PostgreSQL they
    really overlap; SQLite takes them one at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is not shared between threads")

    def one_clock(number: int) -> list[str]:
        try:
            return queue_round(
                tasks=periodic, now=NOON, every_minutes=60, by=f"web-{number}"
            ).queued
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        queued = [name for names in pool.map(one_clock, range(4)) for name in names]
    assert len(queued) == 1 and RUNS == ["sweep"]
    assert PeriodicRound.objects.count() == 1
