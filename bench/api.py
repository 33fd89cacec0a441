"""Reads per second from the care plans API (and any other JSON read) with 10 concurrent
callers, from gunicorn as `casebridge serve` runs it, on a database built by bench/pages.py.

    .venv/bin/python bench/api.py --database-url sqlite:///var/bench/clients-1000.sqlite3
    .venv/bin/python bench/api.py --database-url postgres://postgres@127.0.0.1:5432/cbg_bench_1000

The callers are wrk (Debian's package) when the machine has it, else threads in this process
(which then share the processor with the server: the figure is lower than the server's own).
Each call carries an API token of bench-cm's and reads one of bench-cm's clients' plans, each
call a different client in turn. The goal: at least TARGET reads a second per core.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from serving import served

ROOT = Path(__file__).resolve().parent.parent
TARGET = 200  # reads a second, per core the server has


def token(out: Path) -> None:
    """In a child process against the database: a token for bench-cm and its clients' ids."""
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from casebridge.accounts.services import api_token_create
    from casebridge.clients.models import Client

    bench = get_user_model().objects.get(username="bench-cm")
    _, raw = api_token_create(user=bench, name="API benchmark", days=1)
    ids = (
        Client.objects.filter(primary_case_manager=bench)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    out.write_text(raw + "\n" + ",".join(str(pk) for pk in ids))


def with_threads(port: int, raw: str, paths: list[str], seconds: int, callers: int) -> float:
    import http.client

    done = [0] * callers
    failed: list[int] = []
    stop = time.monotonic() + seconds

    def caller(me: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        turn = me
        while time.monotonic() < stop:
            connection.request(
                "GET", paths[turn % len(paths)], headers={"Authorization": f"Bearer {raw}"}
            )
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failed.append(response.status)
            done[me] += 1
            turn += callers

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(callers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise SystemExit(f"{len(failed)} calls failed, e.g. {failed[0]}")
    return sum(done) / (time.monotonic() - started)


def with_wrk(port: int, raw: str, paths: list[str], seconds: int, callers: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        listed = ", ".join(f'"{path}"' for path in paths)
        script.write(
            f"paths = {{{listed}}}\nturn = 0\n"
            "request = function()\n  turn = turn + 1\n"
            f'  return wrk.format("GET", paths[(turn % #paths) + 1], {{Authorization = "Bearer {raw}"}})\n'
            "end\n"
            "done = function(summary, latency, requests)\n"
            "  io.write(string.format('non2xx %d\\n', summary.errors.status))\nend\n"
        )
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(callers), "-d", f"{seconds}s", "-s", script.name,
         f"http://127.0.0.1:{port}/"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    print(out)
    bad = int(re.search(r"non2xx (\d+)", out).group(1))  # type: ignore[union-attr]
    if bad:
        raise SystemExit(f"{bad} calls did not answer 200")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--callers", type=int, default=10)
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (serve's default)."
    )
    parser.add_argument("--threads", type=int, default=0, help="Threads per worker (serve's).")
    parser.add_argument("--path", default="/api/v1/clients/{id}/plans/", help="What to read.")
    parser.add_argument("--token-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = dict(os.environ, DATABASE_URL=args.database_url)
    env.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    if args.token_file:
        token(Path(args.token_file))
        return
    with tempfile.TemporaryDirectory() as folder:
        made = Path(folder) / "token"
        subprocess.run(
            [sys.executable, __file__, "--database-url", args.database_url, "--token-file", str(made)],
            env=env, check=True, cwd=ROOT,
        )  # fmt: skip
        raw, ids = made.read_text().splitlines()
    paths = [args.path.format(id=pk) for pk in ids.split(",")]
    with served(env, workers=args.workers, threads=args.threads) as port:
        measure = with_wrk if shutil.which("wrk") else with_threads
        measure(port, raw, paths[:5], 2, args.callers)  # warm every worker up
        rate = measure(port, raw, paths, args.seconds, args.callers)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    per_core = rate / (cores or 1)
    print(
        f"{rate:.0f} reads/s with {args.callers} callers; {per_core:.0f} per core ({cores} cores)"
    )
    if per_core < TARGET:
        print(f"UNDER: the goal is at least {TARGET} reads a second per core")
        sys.exit(1)


if __name__ == "__main__":
    main()
