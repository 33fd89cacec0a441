"""Server time and queries per request for the caseload and client pages, at 1,000 and 100,000
clients in the database (bench-cm's caseload is 50 in both). A supervisor of every program,
bench-sup, lists the whole organisation's caseload: the worst case for sorting by urgency.

    .venv/bin/python bench/pages.py                      # SQLite files under var/bench/
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/cb_bench
    .venv/bin/python bench/pages.py --sizes 1000         # one size only
    .venv/bin/python bench/pages.py --records-per-client 40   # when building a database

Each size runs in its own process against its own database, built once and reused (a database
built with other records per client is not rebuilt: give it another name). The pages are fetched
in turn, round after round, so a burst of other work on the machine falls on all of them alike.
With more than one size, a comparison follows: each page's time at the largest size against the
smallest, and its queries at each; the caseload pages must stay within LIMIT times and in the
same number of queries.
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

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 1.2  # the caseload at the largest size, against the smallest
BOUND = ("caseload", "team")  # the pages held to LIMIT (the caseload, a person's and a team's)


def measure(repeat: int, report: str) -> None:
    """Runs inside the child process, with DATABASE_URL pointing at the built database."""
    # The checkout this file is in, not whichever one the virtualenv installed: a script's
    # own folder (bench/) is what Python puts first on the path.
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext

    from casebridge.accounts.models import Role
    from casebridge.clients.models import Client

    staff = get_user_model()
    bench = staff.objects.get(username="bench-cm")
    supervisor, created = staff.objects.get_or_create(
        username="bench-sup",
        defaults={
            "first_name": "Bench",
            "last_name": "Supervisor",
            "organisation": bench.organisation,
            "role": Role.SUPERVISOR,
            "password": "!",  # nobody signs in as this one
        },
    )
    if created:
        supervisor.programs.set(bench.programs.all())
    browser = Browser(HTTP_HOST="localhost")
    browser.force_login(bench)
    team_browser = Browser(HTTP_HOST="localhost")
    team_browser.force_login(supervisor)
    client_id = (
        Client.objects.filter(primary_case_manager=bench)
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    planned_id = (
        Client.objects.filter(primary_case_manager=bench, plans__status="active")
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    team = Client.objects.restrict(supervisor, include_emergency=False).count()
    pages: dict[str, str | tuple[str, dict[str, str]]] = {
        "caseload (50 clients)": "/caseload/",
        "caseload by name": "/caseload/?sort=name",
        "caseload overdue only": ("/caseload/", {"overdue": "on"}),
        "caseload search": ("/caseload/", {"q": "smith"}),
        f"team caseload ({team:,})": "/caseload/",
        "team by name": "/caseload/?sort=name",
        "team by next due": "/caseload/?sort=next_due",
        "team overdue only": ("/caseload/", {"overdue": "on"}),
        "client overview": f"/clients/{client_id}/",
        "client timeline": f"/clients/{client_id}/timeline/",
        "client calendar": f"/clients/{client_id}/calendar/",
        "recovery tab": f"/clients/{client_id}/recovery/",
        "contact log": f"/clients/{client_id}/contact-log/",
        "check-ins": f"/clients/{client_id}/check-ins/",
        "care plan": f"/clients/{planned_id}/plan/",
        "my tasks": "/tasks/",
        "my calendar": "/calendar/",
        "levels of care": f"/clients/{client_id}/care-levels/",
        "discharge tab": f"/clients/{client_id}/discharge/",
        "follow-up tab": f"/clients/{client_id}/follow-up/",
        "follow-ups due": "/follow-ups/",
        "my day": "/my-day/",
        "team today": "/team/today/",
        "team continuity": "/continuity/measures/?period=all",
    }
    total = Client.objects.count()
    print(
        f"clients in database: {total:,}; bench-cm caseload: {Client.objects.filter(primary_case_manager=bench).count()}"
    )
    print(f"{'page':<24}{'median ms':>10}{'p90 ms':>9}{'sql ms':>8}{'queries':>9}")

    def fetch(name: str, target: str | tuple[str, dict[str, str]]) -> object:
        person = team_browser if name.startswith("team") else browser
        if isinstance(target, tuple):  # a search is posted: names never go in URLs
            return person.post(*target)
        return person.get(target)

    for name, url in pages.items():
        fetch(name, url)  # warm up
    times: dict[str, list[float]] = {name: [] for name in pages}
    in_sql: dict[str, list[float]] = {name: [] for name in pages}  # the database's share
    queries: dict[str, int] = {}
    for _ in range(repeat):
        for name, url in pages.items():
            connection.queries_log.clear()  # it keeps 9,000: a full log would capture none
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = fetch(name, url)
                times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries[name] = len(captured)
            in_sql[name].append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    results = {}
    for name, taken in times.items():
        taken.sort()
        p90 = taken[max(0, int(len(taken) * 0.9) - 1)]
        median, sql = statistics.median(taken), statistics.median(in_sql[name])
        results[name] = {"median": median, "p90": p90, "sql": sql, "queries": queries[name]}
        print(f"{name:<24}{median:>10.1f}{p90:>9.1f}{sql:>8.1f}{queries[name]:>9}")
    Path(report).write_text(json.dumps({"clients": total, "pages": results}))


def compare(sizes: list[int], reports: dict[int, dict]) -> bool:
    """The largest size against the smallest, page by page; False when a caseload page takes
    more than LIMIT times as long, or more queries."""
    small, large = sizes[0], sizes[-1]
    first, last = reports[small]["pages"], reports[large]["pages"]
    print(f"\n== {large:,} against {small:,} clients (median ms; sql ms; queries per request) ==")
    print(f"{'page':<24}{small:>9,}{large:>10,}{'ratio':>7}{'sql ms':>16}{'queries':>12}")
    held = True
    for name, row in first.items():
        # The team pages are named with the team's size, which differs between sizes.
        other = last.get(name) or next(
            (v for k, v in last.items() if k.split(" (")[0] == name.split(" (")[0]), None
        )
        if other is None:
            continue
        ratio = other["median"] / row["median"]
        counted = f"{row['queries']} / {other['queries']}"
        sql = f"{row['sql']:.1f} / {other['sql']:.1f}"
        verdict = ""
        if name.startswith(BOUND):
            ok = ratio <= LIMIT and other["queries"] == row["queries"]
            held &= ok
            verdict = "  ok" if ok else f"  OVER (limit {LIMIT}x, same queries)"
        print(
            f"{name:<24}{row['median']:>9.1f}{other['median']:>10.1f}{ratio:>7.2f}"
            f"{sql:>16}{counted:>12}{verdict}"
        )
    return held


def build(database_url: str, size: int, records_per_client: int | None) -> None:
    env = dict(os.environ, DATABASE_URL=database_url)
    cb = [sys.executable, "-m", "casebridge"]
    subprocess.run([*cb, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    probe = subprocess.run(
        [
            *cb,
            "shell",
            "-c",
            "from casebridge.clients.models import Client; print(Client.objects.count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    have = int(probe.stdout.strip().splitlines()[-1])
    if have < size:
        # generate works out what the caseload sorts by (next contact due, open safety concern)
        # as saving each client would, and vacuums and analyses what it wrote.
        generate = [*cb, "generate", "--clients", str(size - have)]
        if records_per_client is not None:
            generate += ["--records-per-client", str(records_per_client)]
        started = time.perf_counter()
        subprocess.run(generate, env=env, check=True, cwd=ROOT)
        print(f"generated {size - have:,} clients in {time.perf_counter() - started:,.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=20, help="Fetches of each page.")
    parser.add_argument(
        "--records-per-client",
        type=int,
        default=None,
        help="For a database being built: generate's --records-per-client (its default: 100).",
    )
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL; the size is appended to the name"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.repeat, args.report)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    reports: dict[int, dict] = {}
    for size in sizes:
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
        build(url, size, args.records_per_client)
        env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="casebridge.settings")
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "pages.json"
            child = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
            subprocess.run([*child, "--report", str(report)], env=env, check=True)
            reports[size] = json.loads(report.read_text())
    if len(sizes) > 1 and not compare(sizes, reports):
        sys.exit(1)


if __name__ == "__main__":
    main()
