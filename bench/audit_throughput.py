"""Audit events written per second by several people at once, against PostgreSQL.

Every audited page writes one audit event, so this is the ceiling for audited pages. Each
worker is its own process with its own database connection (a member of staff with a browser
tab), writing `audit_record` as fast as it can for a few seconds; by default each works for a
different organisation.

    .venv/bin/python bench/audit_throughput.py
    .venv/bin/python bench/audit_throughput.py --workers 16 --seconds 10
    .venv/bin/python bench/audit_throughput.py --organisations 1   # everyone in one agency
    .venv/bin/python bench/audit_throughput.py --hold-ms 5  # the service's transaction goes on
    .venv/bin/python bench/audit_throughput.py --async-commit  # waits on locks, not the disk

`--hold-ms` keeps each transaction open that long after the event is written, as a service does
when it audits first and saves more afterwards. The benchmark builds a fresh database (named by
`--database-url`, whose name must contain "bench"), migrates it, and drops it afterwards unless
`--keep` is given: audit rows cannot be deleted, so it never writes to a database you use.
"""

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casebridge_bench_audit"


def _maintenance_url(database_url: str) -> tuple[str, str]:
    """The same server's `postgres` database, and the name of the benchmark's own database."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("--database-url must name a PostgreSQL database, e.g. " + DEFAULT_URL)
    if "bench" not in name:
        # It is dropped and made again: never let a typo point this at a real database.
        raise SystemExit("The benchmark's database name must contain 'bench' (it is recreated).")
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def _recreate(database_url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    maintenance, name = _maintenance_url(database_url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _environment(database_url: str, checkpoint_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="casebridge.settings",
        # Checkpoints of this throwaway trail must not land among the real ones.
        AUDIT_CHECKPOINT_DIR=checkpoint_dir,
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def _worker(
    organisation_id: int,
    seconds: float,
    hold_ms: float,
    ready: Any,
    start: Any,
    results: Any,
) -> None:
    """One person: write audit events until the time is up; report how many."""
    import django

    django.setup()
    from django.db import connection, transaction

    from casebridge.audit.services import audit_record

    def write(n: int) -> None:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="view",
                organisation_id=organisation_id,
                client_id=organisation_id * 1_000_000 + n,
                object_type="client",
                object_id=n,
                remote_addr="10.0.0.1",
            )
            if hold_ms:
                time.sleep(hold_ms / 1000)

    write(0)  # connect and warm up before the clock starts
    ready.put(organisation_id)
    start.wait()
    written = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        write(written + 1)
        written += 1
    connection.close()
    results.put(written)


def _verify() -> str:
    """Runs in a child process: does the trail still verify after the concurrent writes?"""
    import django

    django.setup()
    from casebridge.audit.services import audit_verify

    problems = audit_verify()
    return "yes" if not problems else f"NO ({len(problems)} problems, first: {problems[0]})"


def _verify_child(results: Any) -> None:
    results.put(_verify())


def run(*, workers: int, organisations: int, seconds: float, hold_ms: float) -> float:
    ctx = multiprocessing.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    start = ctx.Event()
    processes = [
        ctx.Process(
            target=_worker,
            args=(1 + i % organisations, seconds, hold_ms, ready, start, results),
        )
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    began = time.perf_counter()
    start.set()
    total = sum(results.get(timeout=seconds + 120) for _ in processes)
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join()
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--workers", type=int, default=8, help="people writing at once")
    parser.add_argument(
        "--organisations",
        type=int,
        default=0,
        help="organisations they work for (default: one each)",
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--hold-ms", type=float, default=0.0)
    parser.add_argument(
        "--async-commit",
        action="store_true",
        help="commit without waiting for the disk (synchronous_commit=off), to see lock waits alone",
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    organisations = args.organisations or args.workers

    _maintenance_url(args.database_url)  # refuses a database that is not the benchmark's
    checkpoint_dir = tempfile.mkdtemp(prefix="audit-bench-checkpoints-")
    os.environ.update(_environment(args.database_url, checkpoint_dir))
    if args.async_commit:
        os.environ["PGOPTIONS"] = (
            os.environ.get("PGOPTIONS", "") + " -c synchronous_commit=off"
        ).strip()
    sys.path.insert(0, str(ROOT))
    _recreate(args.database_url)
    try:
        subprocess.run(
            [sys.executable, "-m", "casebridge", "migrate", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=os.environ.copy(),
            check=True,
        )
        per_second = run(
            workers=args.workers,
            organisations=organisations,
            seconds=args.seconds,
            hold_ms=args.hold_ms,
        )
        ctx = multiprocessing.get_context("spawn")
        verdict = ctx.Queue()
        checker = ctx.Process(target=_verify_child, args=(verdict,))
        checker.start()
        intact = verdict.get(timeout=600)
        checker.join()
    finally:
        shutil.rmtree(checkpoint_dir, ignore_errors=True)
        if not args.keep:
            _recreate(args.database_url, drop_only=True)
    print(
        f"{args.workers} workers, {organisations} organisation(s), {args.seconds:g} s, "
        f"hold {args.hold_ms:g} ms{', async commit' if args.async_commit else ''}: "
        f"{per_second:,.0f} audit events/second; chain verifies: {intact}"
    )


if __name__ == "__main__":
    main()
