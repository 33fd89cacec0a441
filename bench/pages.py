"""Server time and queries per request for the caseload and client pages, at 1,000 and 100,000
clients in the database (bench-cm's caseload is 50 in both). A supervisor of every program,
bench-sup, lists the whole organisation's caseload: the worst case for sorting by urgency.

    .venv/bin/python bench/pages.py                      # SQLite files under var/bench/
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/cb_bench
    .venv/bin/python bench/pages.py --sizes 1000         # one size only

Each size runs in its own process against its own database, built once and reused.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(repeat: int) -> None:
    """Runs inside the child process, with DATABASE_URL pointing at the built database."""
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
        "care plan": f"/clients/{planned_id}/plan/",
        "my tasks": "/tasks/",
    }
    total = Client.objects.count()
    print(
        f"clients in database: {total:,}; bench-cm caseload: {Client.objects.filter(primary_case_manager=bench).count()}"
    )
    print(f"{'page':<24}{'median ms':>10}{'p90 ms':>9}{'queries':>9}")

    def fetch(name: str, target: str | tuple[str, dict[str, str]]) -> object:
        person = team_browser if name.startswith("team") else browser
        if isinstance(target, tuple):  # a search is posted: names never go in URLs
            return person.post(*target)
        return person.get(target)

    for name, url in pages.items():
        fetch(name, url)  # warm up
        times = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = fetch(name, url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        times.sort()
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"{name:<24}{statistics.median(times):>10.1f}{p90:>9.1f}{queries:>9}")


def build(database_url: str, size: int) -> None:
    env = dict(os.environ, DATABASE_URL=database_url)
    cb = [sys.executable, "-m", "casebridge"]
    subprocess.run([*cb, "migrate", "-v0"], env=env, check=True)
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
    )
    have = int(probe.stdout.strip().splitlines()[-1])
    if have < size:
        subprocess.run([*cb, "generate", "--clients", str(size - have)], env=env, check=True)
        # Generated rows are written in bulk: work out what the caseload sorts by (next contact
        # due, open safety concern) as saving each client would have.
        refresh = (
            "from casebridge.clients.models import Client; Client.objects.refresh_caseload_facts()"
        )
        subprocess.run([*cb, "shell", "-c", refresh], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL; the size is appended to the name"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.repeat)
        return
    for size in [int(s) for s in args.sizes.split(",")]:
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
        build(url, size)
        env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="casebridge.settings")
        subprocess.run(
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat)], env=env, check=True
        )


if __name__ == "__main__":
    main()
