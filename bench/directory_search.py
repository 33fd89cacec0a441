"""Server time of the resource directory search with 10,000 services: the whole page (the view,
its queries and the template, through Django's test client, so no network) and the search
query alone, for each way of searching, median of --repeat runs after one warm-up.

    .venv/bin/python bench/directory_search.py                # SQLite, var/bench/
    .venv/bin/python bench/directory_search.py --database-url postgres://postgres@127.0.0.1:5432/cb_directory_bench
    .venv/bin/python bench/directory_search.py --services 20000 --repeat 50

The directory is built once (generate's directory_generate: bulk rows, as the HSDS import
writes them, around Dayton, Ohio) and reused. The budget is 100 ms of server time for a page;
the run fails (exit status 1) when a median is over it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30, help="Timed runs of each search.")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (made if missing)")
    args = parser.parse_args()
    if args.database_url:
        url = args.database_url
        base, name = url.rsplit("/", 1)
        subprocess.run(
            ["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True
        )
    else:
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / f'directory-{args.services}.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    # A server keeps its database connections (DATABASE_CONN_MAX_AGE): without it each page
    # would also pay for opening one, which is not the search's time.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    # The checkout this file is in, not whichever one the virtualenv installed.
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    run(args.services, args.repeat, url.split(":")[0])


def run(size: int, repeat: int, vendor: str) -> None:
    import random
    from datetime import date

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client as Browser
    from django.utils import timezone

    from casebridge.accounts.models import Organisation, Program, Role, User
    from casebridge.clients.models import Client
    from casebridge.directory import queries
    from casebridge.directory.geography import point_of_zip
    from casebridge.directory.models import Service, TaxonomyTerm

    call_command("migrate", verbosity=0)
    organisation, _ = Organisation.objects.get_or_create(
        name="Directory Benchmark Agency", defaults={"case_number_prefix": "DB"}
    )
    have = Service.objects.filter(organisation=organisation).count()
    if have < size:
        from casebridge.demo.management.commands.generate import directory_generate

        started = time.perf_counter()
        with transaction.atomic():
            directory_generate(
                organisation=organisation,
                count=size - have,
                rng=random.Random(size),
                now=timezone.now(),
            )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"built {size - have:,} services in {time.perf_counter() - started:.1f} s")
    program, _ = Program.objects.get_or_create(organisation=organisation, name="Outpatient")
    staff, created = User.objects.get_or_create(
        username="bench-directory",
        defaults={"organisation": organisation, "role": Role.CASE_MANAGER, "password": "!"},
    )
    if created:
        staff.programs.set([program])
    client = Client.objects.filter(organisation=organisation).first() or Client.objects.create(
        organisation=organisation,
        program=program,
        case_number="DB-2026-000001",
        legal_first_name="Bench",
        legal_last_name="Client",
        date_of_birth=date(1990, 1, 1),
        address="1420 N Main St, Dayton, OH 45405",
        referral_source="self",
        case_management_model="clinical",
        primary_case_manager=staff,
        registered_by=staff,
    )
    treatment = TaxonomyTerm.objects.get(organisation=None, code="treatment")
    medicaid = TaxonomyTerm.objects.get(organisation=None, code="medicaid")
    near = point_of_zip("45405")
    searches: list[tuple[str, dict[str, object], queries.Search, int]] = [
        ("any service, page 1", {"q": ""}, queries.Search(), 1),
        ("any service, page 40", {"q": "", "page": 40}, queries.Search(), 40),
        ("words", {"q": "recovery"}, queries.Search(text="recovery"), 1),
        (
            "category (and narrower)",
            {"category": treatment.pk},
            queries.Search(category=treatment),
            1,
        ),
        ("language", {"language": "es"}, queries.Search(language="es"), 1),
        ("payment", {"payment": medicaid.pk}, queries.Search(payment=medicaid), 1),
        ("open now", {"open_now": "on"}, queries.Search(open_at=timezone.localtime()), 1),
        ("distance from a client", {"client": client.pk}, queries.Search(near=near), 1),
        (
            "within 10 miles of a client",
            {"client": client.pk, "within": 10},
            queries.Search(near=near, within_miles=10),
            1,
        ),
        (
            "all of them at once",
            {
                "q": "clinic",
                "category": treatment.pk,
                "language": "es",
                "payment": medicaid.pk,
                "open_now": "on",
                "client": client.pk,
                "within": 25,
            },
            queries.Search(
                text="clinic",
                category=treatment,
                language="es",
                payment=medicaid,
                open_at=timezone.localtime(),
                near=near,
                within_miles=25,
            ),
            1,
        ),
    ]
    browser = Browser(HTTP_HOST="localhost")
    browser.force_login(staff)
    total = Service.objects.filter(organisation=organisation).count()
    print(
        f"\n{total:,} services, {vendor}, median of {repeat} runs (ms, server time; "
        f"DATABASE_CONN_MAX_AGE={os.environ.get('DATABASE_CONN_MAX_AGE')})\n"
    )
    print(f"{'search':<30}{'found':>7}{'queries':>9}{'page':>9}{'p95':>8}{'query':>9}")
    over = []
    for name, params, search, page_number in searches:
        response = browser.get("/directory/", params)  # warm-up
        assert response.status_code == 200, (name, response.status_code)
        # Counted by a wrapper round every query: the test client's request signals empty
        # Django's own query log.
        executed = []

        def counted(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            browser.get("/directory/", params)
        page_times, query_times = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            browser.get("/directory/", params)
            page_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            found = queries.search_page(organisation=organisation, search=search, page=page_number)
            query_times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(page_times)
        p95 = statistics.quantiles(page_times, n=20)[-1] if repeat >= 2 else median
        if median > BUDGET_MS:
            over.append(name)
        print(
            f"{name:<30}{found.count:>7,}{len(executed):>9}"
            f"{median:>9.1f}{p95:>8.1f}{statistics.median(query_times):>9.1f}"
        )
    if over:
        print(f"\nOver {BUDGET_MS:.0f} ms: {', '.join(over)}")
        sys.exit(1)
    print(f"\nEvery search page within {BUDGET_MS:.0f} ms.")


if __name__ == "__main__":
    main()
