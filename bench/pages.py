"""Server time and queries per request for the caseload and client pages, at 1,000 and 100,000
clients in the database (bench-cm's caseload is 50 in both). A supervisor of every program,
bench-sup, lists the whole organisation's caseload: the worst case for sorting by urgency.

    .venv/bin/python bench/pages.py                      # SQLite files under var/bench/
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/cb_bench
    .venv/bin/python bench/pages.py --sizes 1000         # one size only
    .venv/bin/python bench/pages.py --records-per-client 40   # when building a database

Every page is also given as a multiple of the floor: a signed-in page that draws the layout
and nothing else (/bench/floor/, served only with BENCHMARK_FLOOR on, as here). `--http` fetches
the pages over HTTP from gunicorn as `casebridge serve` runs it, as well as in-process:

    .venv/bin/python bench/pages.py --http --workers 2

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
from typing import Any

from serving import served

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 1.2  # a page at the largest size, against the smallest
FLOOR = "floor"
FLOOR_LIMIT = 3.0  # over HTTP, a page against the floor


def measure(repeat: int, report: str, http_workers: int) -> None:
    """Runs inside the child process, with DATABASE_URL pointing at the built database."""
    # The checkout this file is in, not whichever one the virtualenv installed: a script's
    # own folder (bench/) is what Python puts first on the path.
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from casebridge.accounts.models import Role
    from casebridge.clients.extensions import TABS
    from casebridge.clients.models import Client
    from casebridge.coaching.models import CoachingRules

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
    mine = Client.objects.filter(primary_case_manager=bench).order_by("pk")
    # A client with the same kinds of records at both sizes, so each tab reads and shows the
    # same things at both: people around them (family, others in their life), contacts with
    # their family and a coach, and no referral (a tab skips reading what a client without it
    # cannot have; of bench-cm's clients, some at 1,000 have a referral too and none at 100,000).
    alike = (
        mine.filter(
            collaterals__isnull=False, family_contacts__isnull=False, coaching__isnull=False
        )
        .exclude(referrals__isnull=False)
        .distinct()
    )
    client_id = (
        # Without a plan in effect too where one can be had (of the few alike, one at 1,000 on
        # SQLite had one: its care plan tab read the plan's parts, 25 queries against 15).
        alike.exclude(plans__status="active").values_list("pk", flat=True).first()
        or alike.values_list("pk", flat=True).first()
        or mine.filter(collaterals__isnull=False).values_list("pk", flat=True).first()
        or mine.values_list("pk", flat=True)[0]
    )
    # The coaching tab draws the form that assigns a coach at both sizes: the client's program
    # lets its case managers assign (generate chooses this per program at random).
    CoachingRules.objects.update_or_create(
        program_id=Client.objects.get(pk=client_id).program_id,
        defaults={"case_managers_assign": True},
    )
    planned_id = mine.filter(plans__status="active").values_list("pk", flat=True)[0]
    # A name someone on the caseload has, so the search finds people as it would in use.
    surname = mine.values_list("legal_last_name", flat=True)[0]
    team = Client.objects.restrict(supervisor, include_emergency=False).count()
    long_id, short_id = long_and_short_timelines(bench)
    pages: dict[str, str | tuple[str, dict[str, str]]] = {
        FLOOR: "/bench/floor/",
        "caseload (50 clients)": "/caseload/",
        "caseload by name": "/caseload/?sort=name",
        "caseload overdue only": ("/caseload/", {"overdue": "on"}),
        "caseload search": ("/caseload/", {"q": surname}),
        f"team caseload ({team:,})": "/caseload/",
        "team by name": "/caseload/?sort=name",
        "team by next due": "/caseload/?sort=next_due",
        "team overdue only": ("/caseload/", {"overdue": "on"}),
        "team search": ("/caseload/", {"q": surname}),
        "team page": "/team/",
        "client overview": f"/clients/{client_id}/",
        "client timeline": f"/clients/{client_id}/timeline/",
        "timeline of 10 entries": f"/clients/{short_id}/timeline/",
        f"timeline of {LONG_TIMELINE:,} entries": f"/clients/{long_id}/timeline/",
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
        "interventions": "/interventions/",
        "coaching today": "/coaching/today/",
    }
    # Every other tab a client's record has (each capability registers its own).
    listed = {url for url in pages.values() if isinstance(url, str)}
    for tab in TABS:
        url = reverse(tab.url_name, args=[client_id])
        if url not in listed:
            pages[f"{tab.label.lower()} tab"] = url
    total = Client.objects.count()
    print(
        f"clients in database: {total:,}; bench-cm caseload: {mine.count()}; "
        f"connection: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
    )

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
    counts: dict[str, int] = {}  # of those, how many only count a list's rows
    for _ in range(repeat):
        for name, url in pages.items():
            connection.queries_log.clear()  # it keeps 9,000: a full log would capture none
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = fetch(name, url)
                times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)  # type: ignore[attr-defined]
            queries[name] = len(captured)
            counts[name] = sum(
                q["sql"].startswith("SELECT COUNT(*)") for q in captured.captured_queries
            )
            in_sql[name].append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    over_http: dict[str, float] = {}
    if http_workers:
        cookies = {
            "cm": browser.cookies["sessionid"].value,
            "team": team_browser.cookies["sessionid"].value,
        }
        over_http = fetch_over_http(pages, cookies, repeat, http_workers)
    results = {}
    floor = statistics.median(times[FLOOR])
    http_floor = over_http.get(FLOOR)
    print(
        f"{'page':<24}{'median ms':>10}{'p90 ms':>9}{'sql ms':>8}{'queries':>9}{'x floor':>9}",
        end="",
    )
    print(f"{'http ms':>9}{'x floor':>9}" if over_http else "")
    for name, taken in times.items():
        taken.sort()
        p90 = taken[max(0, int(len(taken) * 0.9) - 1)]
        median, sql = statistics.median(taken), statistics.median(in_sql[name])
        results[name] = {
            "median": median,
            "p90": p90,
            "sql": sql,
            "queries": queries[name],
            "counts": counts[name],
        }
        line = (
            f"{name:<24}{median:>10.1f}{p90:>9.1f}{sql:>8.1f}{queries[name]:>9}"
            f"{median / floor:>9.1f}"
        )
        if name in over_http and http_floor:
            results[name]["http"] = over_http[name]
            line += f"{over_http[name]:>9.1f}{over_http[name] / http_floor:>9.1f}"
        print(line)
    Path(report).write_text(json.dumps({"clients": total, "pages": results}))


LONG_TIMELINE = 10_000


def long_and_short_timelines(bench: Any) -> tuple[int, int]:
    """Two of bench-cm's clients, one with LONG_TIMELINE timeline entries and one with 10 (made
    once, the first time a database is measured; written in one instant, the hardest case for
    paging by time): the timeline must open as fast for both."""
    from casebridge.clients.models import Client, TimelineEntry

    mine = list(
        Client.objects.filter(primary_case_manager=bench)
        .order_by("-pk")
        .values_list("pk", flat=True)[:2]
    )
    long_id, short_id = mine
    for client_id, wanted in ((long_id, LONG_TIMELINE), (short_id, 10)):
        have = TimelineEntry.objects.filter(client_id=client_id).count()
        if have > wanted:
            keep = TimelineEntry.objects.filter(client_id=client_id).order_by("-at", "-pk")[:wanted]
            TimelineEntry.objects.filter(client_id=client_id).exclude(
                pk__in=list(keep.values_list("pk", flat=True))
            ).delete()
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    client_id=client_id,
                    kind="note",
                    needs_action="read_clinical",
                    summary=f"Contact note {n}",
                    actor_id=bench.pk,
                )
                for n in range(max(0, wanted - have))
            ],
            batch_size=2000,
        )
    return long_id, short_id


def fetch_over_http(
    pages: dict[str, str | tuple[str, dict[str, str]]],
    sessions: dict[str, str],
    repeat: int,
    workers: int,
) -> dict[str, float]:
    """Each page's median wall time over HTTP (ms), from gunicorn started as `serve` starts it,
    on one kept-alive connection per person, the pages in turn round after round."""
    import http.client
    from urllib.parse import urlencode

    with served(workers=workers) as port:
        connections = {who: http.client.HTTPConnection("127.0.0.1", port) for who in sessions}
        tokens: dict[str, str] = {}

        def get(who: str, target: str, body: dict[str, str] | None = None) -> int:
            headers = {"Host": "localhost", "Cookie": f"sessionid={sessions[who]}"}
            if tokens.get(who):
                headers["Cookie"] += f"; csrftoken={tokens[who]}"
            if body is not None:
                headers["X-CSRFToken"] = tokens[who]
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            for attempt in (1, 2):
                try:
                    connections[who].request(
                        "GET" if body is None else "POST",
                        target,
                        None if body is None else urlencode(body),
                        headers=headers,
                    )
                    response = connections[who].getresponse()
                    break
                except (ConnectionError, http.client.HTTPException):
                    # gunicorn closes a kept-alive connection idle for a few seconds (while
                    # the other person's pages were fetched): open another and ask again.
                    connections[who].close()
                    connections[who] = http.client.HTTPConnection("127.0.0.1", port)
                    if attempt == 2:
                        raise
            for header, value in response.getheaders():
                if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                    tokens[who] = value.split(";", 1)[0].split("=", 1)[1]
            response.read()
            return response.status

        def one(name: str, target: str | tuple[str, dict[str, str]]) -> int:
            who = "team" if name.startswith("team") else "cm"
            if isinstance(target, tuple):
                return get(who, target[0], target[1])
            return get(who, target)

        for who in sessions:  # a form page first, for the CSRF cookie a search posts with
            get(who, "/caseload/")
        for name, target in pages.items():
            one(name, target)  # warm up
        taken: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(repeat):
            for name, target in pages.items():
                started = time.perf_counter()
                status = one(name, target)
                taken[name].append((time.perf_counter() - started) * 1000)
                assert status == 200, (name, status)
        return {name: statistics.median(values) for name, values in taken.items()}


def compare(sizes: list[int], reports: dict[int, dict]) -> bool:
    """The largest size against the smallest, page by page, and each page against the floor;
    False when a page takes more than LIMIT times as long at the largest size or more queries,
    or (over HTTP) more than FLOOR_LIMIT times the floor."""
    small, large = sizes[0], sizes[-1]
    first, last = reports[small]["pages"], reports[large]["pages"]
    http = all("http" in row for row in first.values())
    print(f"\n== {large:,} against {small:,} clients (median ms; sql ms; queries per request) ==")
    header = f"{'page':<24}{small:>9,}{large:>10,}{'ratio':>7}{'sql ms':>16}{'queries':>10}"
    header += f"{'x floor':>9}" + (f"{'http ms':>16}{'x floor':>9}" if http else "")
    print(header)
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
        times_floor = other["median"] / last[FLOOR]["median"]
        line = (
            f"{name:<24}{row['median']:>9.1f}{other['median']:>10.1f}{ratio:>7.2f}"
            f"{sql:>16}{counted:>10}{times_floor:>9.1f}"
        )
        problems = []
        if ratio > LIMIT:
            problems.append(f"{ratio:.2f}x at {large:,}")
        if _listed(other) != _listed(row) or abs(other["queries"] - row["queries"]) > 1:
            problems.append("queries grow")
        if http:
            http_floor = max(
                row["http"] / first[FLOOR]["http"], other["http"] / last[FLOOR]["http"]
            )
            line += f"{row['http']:>8.1f}/{other['http']:<7.1f}{http_floor:>9.1f}"
            if http_floor > FLOOR_LIMIT:
                problems.append(f"{http_floor:.1f}x the floor")
        if name != FLOOR:
            held &= not problems
            line += "  ok" if not problems else "  OVER: " + ", ".join(problems)
        print(line)
    print(
        f"(limits: {LIMIT}x from {small:,} to {large:,}, the same queries but for one count of "
        f"a paged list's rows, and over HTTP {FLOOR_LIMIT}x the floor)"
    )
    return held


def _listed(row: dict) -> int:
    """A page's queries but those that only count a list's rows: a list that ends on the page
    it shows is not counted (casebridge/paging.py), so a list of one page at one size and of
    two at another differs by that one count, and by no more."""
    return row["queries"] - row.get("counts", 0)


def merged(rounds: list[dict]) -> dict:
    """Several rounds' reports as one: each figure the median of the rounds' medians."""
    pages = {}
    for name in rounds[0]["pages"]:
        rows = [r["pages"][name] for r in rounds]
        pages[name] = {
            key: statistics.median(row[key] for row in rows)
            for key in rows[0]
            if key not in ("queries", "counts")
        } | {key: max(row.get(key, 0) for row in rows) for key in ("queries", "counts")}
    return {"clients": rounds[0]["clients"], "pages": pages}


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
        # A team of at least 30 case managers: a page of the Team page is 25 people, so a small
        # database's supervisor pages then show as many people as a large one's.
        generate = [*cb, "generate", "--clients", str(size - have), "--min-case-managers", "30"]
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
        "--rounds",
        type=int,
        default=2,
        help="The sizes take turns this many times (each round fetches repeat/rounds times), "
        "so a busy spell on the machine falls on every size alike.",
    )
    parser.add_argument(
        "--records-per-client",
        type=int,
        default=None,
        help="For a database being built: generate's --records-per-client (its default: 100).",
    )
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL; the size is appended to the name"
    )
    parser.add_argument(
        "--folder", default=str(ROOT / "var" / "bench"), help="Where SQLite databases are kept."
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="Also fetch every page over HTTP from gunicorn, as `casebridge serve` runs it.",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for --http.")
    parser.add_argument("--json", default="", help="Also write the figures to this file.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.repeat, args.report, args.workers if args.http else 0)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    urls = {}
    for size in sizes:
        if args.database_url:
            url = f"{args.database_url}_{size}"
            base, name = url.rsplit("/", 1)
            subprocess.run(
                ["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True
            )
        else:
            folder = Path(args.folder)
            folder.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{folder / f'clients-{size}.sqlite3'}"
        print(f"\n== {size:,} clients ({url.split(':')[0]}) ==")
        build(url, size, args.records_per_client)
        urls[size] = url
    rounds: dict[int, list[dict]] = {size: [] for size in sizes}
    each = max(1, args.repeat // max(1, args.rounds))
    for turn in range(max(1, args.rounds)):
        for size in sizes:
            print(f"\n== {size:,} clients, round {turn + 1} of {args.rounds} ==")
            env = dict(
                os.environ,
                DATABASE_URL=urls[size],
                DJANGO_SETTINGS_MODULE="casebridge.settings",
                BENCHMARK_FLOOR="1",
            )
            with tempfile.TemporaryDirectory() as folder:
                report = Path(folder) / "pages.json"
                child = [sys.executable, __file__, "--child", "--repeat", str(each)]
                if args.http:
                    child += ["--http", "--workers", str(args.workers)]
                subprocess.run([*child, "--report", str(report)], env=env, check=True)
                rounds[size].append(json.loads(report.read_text()))
    reports = {size: merged(rounds[size]) for size in sizes}
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1))
    if len(sizes) > 1 and not compare(sizes, reports):
        sys.exit(1)


if __name__ == "__main__":
    main()
