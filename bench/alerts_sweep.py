"""The alert sweep over every client, and one client's evaluation (what runs right after a
change commits), at the sizes asked for, on the databases bench/pages.py builds (the same
`generate` data: check-ins, screens, appointments, plans, referrals, consents ...).

    .venv/bin/python bench/alerts_sweep.py                       # SQLite, 1,000 and 100,000
    .venv/bin/python bench/alerts_sweep.py --database-url postgres://postgres@127.0.0.1:5432/cbg_bench
    .venv/bin/python bench/alerts_sweep.py --sizes 1000

Each size: the alerts are emptied, then the sweep runs twice: the first finds everything, the
second must find nothing new (idempotent) and shows the cost of a sweep on a quiet day. Then one
client's evaluation is timed (median of 200 clients), whole (the transaction, the writes, the
notifications) and its rule work alone. The sweep must finish within LIMIT seconds and one
client's rule work within CLIENT_LIMIT milliseconds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import ROOT, build  # bench/ is not a package: its folder is on the path

LIMIT = 60.0  # seconds for a sweep of every client
CLIENT_LIMIT = 20.0  # milliseconds of one client's rule work (reading the facts, finding)


def measure(report: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casebridge.alerts.models import Alert, Notification
    from casebridge.alerts.services import evaluate_clients, sweep
    from casebridge.clients.models import Client

    Notification.objects.all().delete()
    Alert.objects.all().delete()
    total = Client.objects.count()
    started = time.perf_counter()
    first = sweep()
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = sweep()
    again_seconds = time.perf_counter() - started
    ids = list(Client.objects.order_by("?").values_list("pk", flat=True)[:200])
    one: list[float] = []
    rule_work: list[float] = []
    queries = 0
    from casebridge.alerts import services

    found = services.find

    def timed_find(ctx):  # the rules' own work: reading the facts and finding
        t0 = time.perf_counter()
        result = found(ctx)
        rule_work.append((time.perf_counter() - t0) * 1000)
        return result

    services.find = timed_find
    for pk in ids:
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            evaluate_clients([pk])
            one.append((time.perf_counter() - t0) * 1000)
        queries = max(queries, len(captured))
    result = {
        "clients": total,
        "first_sweep_s": round(first_seconds, 1),
        "alerts_opened": first.opened,
        "second_sweep_s": round(again_seconds, 1),
        "second_opened": again.opened,
        "one_client_ms": round(statistics.median(one), 1),
        "one_client_p90_ms": round(sorted(one)[int(len(one) * 0.9) - 1], 1),
        "one_client_queries": queries,
        "one_client_rule_work_ms": round(statistics.median(rule_work), 1),
    }
    print(json.dumps(result, indent=2))
    Path(report).write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; the size is appended")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.report)
        return
    failed = False
    for size in (int(s) for s in args.sizes.split(",")):
        if args.database_url:
            url = f"{args.database_url}_{size}"
            base, name = url.rsplit("/", 1)
            subprocess.run(
                ["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True
            )
        else:
            folder = ROOT / "var" / "bench"
            folder.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{folder / f'clients-{size}.sqlite3'}"
        print(f"\n== {size:,} clients ({url.split(':')[0]}) ==")
        build(url, size, None)
        env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="casebridge.settings")
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "sweep.json"
            subprocess.run(
                [sys.executable, __file__, "--child", "--report", str(report)], env=env, check=True
            )
            found = json.loads(report.read_text())
        if found["first_sweep_s"] > LIMIT or found["second_opened"]:
            print(f"FAIL: the sweep took over {LIMIT:.0f} s or opened alerts twice")
            failed = True
        if found["one_client_rule_work_ms"] > CLIENT_LIMIT:
            print(f"FAIL: one client's evaluation took over {CLIENT_LIMIT:.0f} ms")
            failed = True
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
