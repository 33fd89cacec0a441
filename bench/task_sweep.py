"""The overdue plan-task sweep (marking missed what nobody recorded within the grace period) at
the sizes asked for, on the databases bench/pages.py builds (the same `generate` data: a plan in
effect with a weekly task for each client past intake).

    .venv/bin/python bench/task_sweep.py                       # SQLite, 100,000 clients
    .venv/bin/python bench/task_sweep.py --database-url postgres://postgres@127.0.0.1:5432/cbg_bench
    .venv/bin/python bench/task_sweep.py --sizes 1000 --records-per-client 2

The sweep is given 5,151 overdue tasks per 100,000 clients (--overdue sets another number):
open tasks not yet overdue, a swept database's next tasks among them, are moved back past the
grace period until there are that many, or as many as the database has open. Then the sweep
runs twice: the first marks them all, the second must mark nothing and write nothing
(idempotent) and shows the cost of a sweep on a quiet day. The first must finish within LIMIT
seconds. Each run adds its timeline entries, audit events and next tasks to the database.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import ROOT, build  # bench/ is not a package: its folder is on the path

LIMIT = 20.0  # seconds for the sweep over 100,000 clients
OVERDUE_PER_100K = 5151  # what the sweep one task at a time took 70 to 84 s over on PostgreSQL


def measure(report: str, overdue_wanted: int | None) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from casebridge.audit.models import AuditEvent
    from casebridge.clients.models import Client, TimelineEntry
    from casebridge.plans.models import PlanTask, TaskStatus
    from casebridge.plans.services import tasks_sweep

    grace = settings.PLAN_TASK_GRACE_DAYS
    cutoff = timezone.localdate() - timedelta(days=grace)
    clients = Client.objects.count()
    wanted = overdue_wanted if overdue_wanted is not None else clients * OVERDUE_PER_100K // 100_000
    open_tasks = PlanTask.objects.filter(status=TaskStatus.OPEN)
    overdue = open_tasks.filter(due_on__lt=cutoff).count()
    if overdue < wanted:
        # Open tasks not yet overdue (a swept database's next tasks among them) fall behind.
        behind = list(
            open_tasks.filter(due_on__gte=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[: wanted - overdue]
        )
        PlanTask.objects.filter(pk__in=behind).update(due_on=cutoff - timedelta(days=3))
        overdue = open_tasks.filter(due_on__lt=cutoff).count()

    def rows() -> tuple[int, int, int]:
        return (
            PlanTask.objects.count(),
            TimelineEntry.objects.count(),
            AuditEvent.objects.count(),
        )

    before = rows()
    with CaptureQueriesContext(connection) as first_queries:
        started = time.perf_counter()
        marked = tasks_sweep(grace_days=grace)
        first_seconds = time.perf_counter() - started
    after_first = rows()
    started = time.perf_counter()
    again = tasks_sweep(grace_days=grace)
    again_seconds = time.perf_counter() - started
    after_again = rows()
    result = {
        "database": connection.vendor,
        "clients": clients,
        "overdue_tasks": overdue,
        "first_sweep_s": round(first_seconds, 2),
        "marked": marked,
        "first_sweep_queries": len(first_queries),
        "tasks_added": after_first[0] - before[0],
        "timeline_entries_added": after_first[1] - before[1],
        "audit_events_added": after_first[2] - before[2],
        "second_sweep_s": round(again_seconds, 2),
        "second_marked": again,
        "second_rows_added": sum(after_again) - sum(after_first),
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))
    Path(report).write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; the size is appended")
    parser.add_argument(
        "--records-per-client",
        type=int,
        default=None,
        help="For a database being built: generate's --records-per-client (its default: 100). "
        "A database built with another number is kept apart (its name says the number).",
    )
    parser.add_argument(
        "--overdue",
        type=int,
        default=None,
        help="Overdue tasks to sweep (default: 5,151 per 100,000).",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.report, args.overdue)
        return
    failed = False
    records = args.records_per_client
    for size in (int(s) for s in args.sizes.split(",")):
        suffix = f"-r{records}" if records is not None else ""
        if args.database_url:
            url = f"{args.database_url}_{size}{suffix.replace('-', '_')}"
            base, name = url.rsplit("/", 1)
            subprocess.run(
                ["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True
            )
        else:
            folder = ROOT / "var" / "bench"
            folder.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{folder / f'clients-{size}{suffix}.sqlite3'}"
        print(f"\n== {size:,} clients ({url.split(':')[0]}) ==")
        build(url, size, records)
        env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="casebridge.settings")
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "sweep.json"
            child = [sys.executable, __file__, "--child", "--report", str(report)]
            if args.overdue is not None:
                child += ["--overdue", str(args.overdue)]
            subprocess.run(child, env=env, check=True)
            found = json.loads(report.read_text())
        if found["first_sweep_s"] > LIMIT:
            print(f"FAIL: the sweep took over {LIMIT:.0f} s")
            failed = True
        if found["second_marked"] or found["second_rows_added"]:
            print("FAIL: the second sweep marked or wrote something")
            failed = True
        if found["marked"] != found["overdue_tasks"]:
            print("FAIL: the sweep left overdue tasks open")
            failed = True
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
