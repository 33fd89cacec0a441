"""Fifty case managers at once: locust against gunicorn as `casebridge serve` runs it, on a
database built by bench/pages.py (or generate), reporting the median, p95 and p99 response
times and the errors.

    .venv/bin/pip install -e '.[bench]'          # locust, once
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/cbg_bench_100000
    .venv/bin/python bench/load.py --database-url sqlite:///var/bench/clients-100000.sqlite3 \\
        --users 50 --run-time 120 --workers 4 --threads 2

Each simulated person is one of the generated case managers, signed in (a session made in the
database, as signing in would), and works their own caseload with 1 to 3 seconds between steps:
mostly reading (My Day, the caseload, a search, a client's overview, timeline, check-ins, care
plan and calendar, My tasks), sometimes writing (a check-in: about one step in twelve).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from serving import served

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 300


def sessions(count: int, out: Path) -> None:
    """Runs in a child process against the database: signs in `count` case managers who have
    clients and writes their session keys and client ids for the locust users."""
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client as Browser

    from casebridge.clients.models import Client

    people = []
    staff = get_user_model()
    managers = (
        staff.objects.filter(username__startswith="synthetic-cm-", is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: count * 2]
    )
    for manager_id in managers:
        clients = list(
            Client.objects.filter(primary_case_manager_id=manager_id)
            .exclude(stage="conclusion")
            .order_by("pk")
            .values_list("pk", "legal_last_name")[:60]
        )
        if not clients:
            continue
        browser = Browser()
        browser.force_login(staff.objects.get(pk=manager_id))
        people.append(
            {
                "session": browser.cookies["sessionid"].value,
                "clients": [pk for pk, _ in clients],
                "names": sorted({name for _, name in clients}),
            }
        )
        if len(people) == count:
            break
    out.write_text(json.dumps(people))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", type=int, default=120, help="Seconds of load.")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (serve's default)."
    )
    parser.add_argument("--threads", type=int, default=0, help="Threads per worker (serve's).")
    parser.add_argument("--sessions", help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = dict(os.environ, DATABASE_URL=args.database_url)
    env.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    # Plain HTTP on this machine: cookies marked Secure would never be sent back.
    env["SECURE_COOKIES"] = "false"
    if args.sessions:
        sessions(args.users, Path(args.sessions))
        return
    with tempfile.TemporaryDirectory() as folder:
        people = Path(folder) / "people.json"
        subprocess.run(
            [sys.executable, __file__, "--database-url", args.database_url, "--users",
             str(args.users), "--sessions", str(people)],
            env=env, check=True, cwd=ROOT,
        )  # fmt: skip
        with served(env, workers=args.workers, threads=args.threads) as port:
            stats = Path(folder) / "load"
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                 "--headless", "--users", str(args.users), "--spawn-rate", str(args.users / 10),
                 "--run-time", f"{args.run_time}s", "--host", f"http://127.0.0.1:{port}",
                 "--csv", str(stats), "--only-summary", "--loglevel", "WARNING"],
                env=dict(env, BENCH_PEOPLE=str(people)), check=False, cwd=ROOT,
            )  # fmt: skip
        with open(f"{stats}_stats.csv") as handle:
            rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(f"\n{'request':<28}{'count':>8}{'fails':>7}{'median':>8}{'p95':>7}{'p99':>7}  (ms)")
    for row in rows:
        print(
            f"{row['Name'][:28]:<28}{row['Request Count']:>8}{row['Failure Count']:>7}"
            f"{row['50%']:>8}{row['95%']:>7}{row['99%']:>7}"
        )
    p95, failures = float(total["95%"]), int(total["Failure Count"])
    rate = float(total["Requests/s"])
    print(f"\n{args.users} users: {rate:.1f} requests/s, p95 {p95:.0f} ms, {failures} errors")
    if p95 > TARGET_P95_MS or failures:
        print(f"OVER: the target is p95 at most {TARGET_P95_MS} ms and no errors")
        sys.exit(1)


if __name__ == "__main__":
    main()
