"""Casebridge as several instances on one machine, and the checks that they share everything.

    .venv/bin/python bench/cluster.py
    .venv/bin/python bench/cluster.py --database-url postgres://postgres@127.0.0.1:5432/cbg_cluster

Starts, against one PostgreSQL database (made afresh), one Redis database number (emptied
first) and one S3-compatible store (a local moto_server):
    two web instances, A and B   `casebridge serve --no-worker --port P` (gunicorn)
    two RQ workers               `casebridge rqworker --job-class django_tasks_rq.Job default`
    two clocks                   `casebridge clock`
    a round-robin proxy          in this script, in front of A and B
Every process gets a var/ directory of its own, so nothing it keeps on disk is seen by another.
Then it checks, over real HTTP: a demo case manager signs in on A and the session works on B and
through the proxy; a consent's signature scan uploaded through A lands in the bucket (and on no
instance's disk) and opens through B; a lock-out made on A holds on B; and with both clocks
started at the same moment every periodic task runs exactly once in the round. It prints each
step, stops everything it started, and exits 1 if any check failed.
"""

import argparse
import contextlib
import http.client
import http.cookiejar
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BUCKET = "casebridge-cluster"
DEMO_USER = "casemanager"
SCAN = b"%PDF-1.4\n% a signed consent form, uploaded through instance A\n%%EOF\n"
PERIODIC_WAIT_SECONDS = 180
# Periodic tasks that the work itself also queues, so they may run more often than the clock
# queues them.
QUEUED_BY_THE_WORK_TOO = {
    "casebridge.alerts.tasks.send_alert_notifications": (
        "queued by the work itself (a new alert's notifications)"
    ),
}
STARTED = time.monotonic()


class CheckFailed(Exception):
    pass


def step(text: str) -> None:
    print(f"-- [{time.monotonic() - STARTED:4.0f}s] {text}", flush=True)


def ok(text: str) -> None:
    print(f"   ok: {text}", flush=True)


def check(condition: bool, text: str) -> None:
    if not condition:
        raise CheckFailed(text)
    ok(text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailed(f"a process meant to listen on {port} exited ({process.returncode})")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(0.3)
    raise CheckFailed(f"nothing answered on port {port} within {seconds:.0f}s")


class Processes:
    """Every process this script starts, each in a process group of its own so that stopping
    it also stops what it started (serve's gunicorn and its workers)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process))
        print(f"   started {name} (pid {process.pid}): {' '.join(command[-6:])}", flush=True)
        return process

    def stop_all(self) -> None:
        for _name, process in reversed(self.running):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for name, process in reversed(self.running):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            print(f"   stopped {name}", flush=True)
        self.running.clear()


def run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CheckFailed(f"{' '.join(command[2:])} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


# --- The proxy: round robin over the web instances, standard library only ---------------------


def start_proxy(port: int, backends: list[tuple[str, int]]) -> ThreadingHTTPServer:
    turns = itertools.cycle(backends)
    lock = threading.Lock()

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            with lock:
                name, backend_port = next(turns)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                key: value
                for key, value in self.headers.items()
                if key.lower() not in {"connection", "keep-alive", "proxy-connection"}
            }
            headers["X-Forwarded-For"] = self.client_address[0]
            upstream = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
            finally:
                upstream.close()
            self.send_response_only(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in {"connection", "transfer-encoding", "content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("X-Served-By", name)
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_HEAD = _forward

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- A person's browser: cookies, CSRF, forms ----------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(
        self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def csrf_from(self, url: str) -> str:
        status, _headers, page = self.request(url)
        if status != 200:
            raise CheckFailed(f"GET {url} answered {status}")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not found:
            raise CheckFailed(f"no CSRF token on {url}")
        return found.group(1).decode()

    def post_form(self, url: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        fields = {"csrfmiddlewaretoken": self.csrf_from(url), **fields}
        body = urllib.parse.urlencode(fields).encode()
        return self.request(
            url, body, {"Content-Type": "application/x-www-form-urlencoded", "Referer": url}
        )

    def post_multipart(
        self, url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
    ) -> tuple[int, dict[str, str], bytes]:
        fields = {"csrfmiddlewaretoken": self.csrf_from(url), **fields}
        boundary = secrets.token_hex(16)
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (file_name, content, content_type) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            url,
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url},
        )

    def sign_in(self, base: str, username: str, password: str) -> int:
        status, _headers, _page = self.post_form(
            f"{base}/account/login/", {"username": username, "password": password}
        )
        return status


# --- The shared services --------------------------------------------------------------------


def fresh_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise CheckFailed(f"{name!r} is not a plain database name")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def empty_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def periodic_runs(redis_url: str) -> tuple[Counter[str], list[str]]:
    """How many times each task ran to the end on the RQ queue, and the tasks that failed."""
    import redis
    from rq import Queue
    from rq.job import Job

    connection = redis.Redis.from_url(redis_url)
    queue = Queue("default", connection=connection)
    finished = Job.fetch_many(queue.finished_job_registry.get_job_ids(), connection=connection)
    failed = Job.fetch_many(queue.failed_job_registry.get_job_ids(), connection=connection)
    return (
        Counter(job.func_name for job in finished if job is not None),
        [job.func_name for job in failed if job is not None],
    )


# --- The run ----------------------------------------------------------------------------------


def cluster(options: argparse.Namespace) -> None:
    work = ROOT / "var" / "cluster"
    shutil.rmtree(work, ignore_errors=True)
    (work / "logs").mkdir(parents=True)
    processes = Processes(work / "logs")
    proxy: ThreadingHTTPServer | None = None
    ports = {name: free_port() for name in ("a", "b", "proxy", "s3")}
    redis_url = f"redis://127.0.0.1:6379/{options.redis_db}"
    s3_endpoint = f"http://127.0.0.1:{ports['s3']}"
    shared = {
        "DATABASE_URL": options.database_url,
        "TASKS_BACKEND": "redis",
        "REDIS_URL": redis_url,
        "CACHE_URL": redis_url,
        "CACHE_KEY_PREFIX": "casebridge-cluster",
        "FILE_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": "cluster",
        "S3_SECRET_ACCESS_KEY": "cluster-secret",
        "S3_REGION": "us-east-1",
        "S3_ADDRESSING_STYLE": "path",
        # One set of keys for every instance: a session signed on A is read on B.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY": secrets.token_urlsafe(32),
        "SECURE_COOKIES": "false",  # plain HTTP on this machine
        "SWEEP_EVERY_MINUTES": "60",
        "DJANGO_SETTINGS_MODULE": "casebridge.settings",
    }

    def env_for(name: str) -> dict[str, str]:
        var = work / name
        var.mkdir(exist_ok=True)
        return {**os.environ, **shared, "CASEBRIDGE_VAR_DIR": str(var)}

    casebridge = [PYTHON, "-m", "casebridge"]
    try:
        step(f"PostgreSQL: a fresh database ({options.database_url})")
        fresh_database(options.database_url)
        ok("created")
        step(f"Redis: database {options.redis_db} emptied ({redis_url})")
        empty_redis(redis_url)
        ok("emptied")

        step(f"S3: moto_server on {s3_endpoint}, bucket {BUCKET}")
        moto = shutil.which("moto_server", path=str(Path(PYTHON).parent)) or "moto_server"
        s3_process = processes.start(
            "s3", [moto, "-H", "127.0.0.1", "-p", str(ports["s3"])], env_for("s3")
        )
        wait_for_port(ports["s3"], s3_process)
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=s3_endpoint,
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        ok("bucket made")

        step("Migrate and load the demo data (once, from here)")
        run([*casebridge, "migrate", "--no-input", "-v", "0"], env_for("setup"))
        run([*casebridge, "seed-demo"], env_for("setup"))
        ok(f"demo logins, password {options.password}")

        step("Two web instances, two RQ workers")
        web = {}
        for name in ("a", "b"):
            web[name] = processes.start(
                f"web-{name}",
                [*casebridge, "serve", "--no-worker", "--port", str(ports[name]), "--workers", "2"],
                env_for(f"web-{name}"),
            )
        for number in (1, 2):
            processes.start(
                f"worker-{number}",
                [*casebridge, "rqworker", "--job-class", "django_tasks_rq.Job", "default"],
                env_for(f"worker-{number}"),
            )
        for name in ("a", "b"):
            wait_for_port(ports[name], web[name])
        proxy = start_proxy(ports["proxy"], [("A", ports["a"]), ("B", ports["b"])])
        a = f"http://127.0.0.1:{ports['a']}"
        b = f"http://127.0.0.1:{ports['b']}"
        front = f"http://127.0.0.1:{ports['proxy']}"
        ok(f"A at {a}, B at {b}, the proxy at {front}")

        step(f"Sign in as {DEMO_USER} on A; the session works on B and through the proxy")
        person = Browser()
        check(person.sign_in(a, DEMO_USER, options.password) == 302, "A signed the person in")
        status, _headers, _page = person.request(f"{b}/my-day/")
        check(status == 200, f"B shows My Day with the session made on A ({status})")
        served = []
        for _ in range(4):
            status, headers, _page = person.request(f"{front}/my-day/")
            check(status == 200, f"the proxy answered 200 from {headers.get('X-Served-By')}")
            served.append(headers.get("X-Served-By"))
        check(set(served) == {"A", "B"}, f"the proxy took turns: {' '.join(map(str, served))}")

        step("A consent's signature scan uploaded through A, opened through B")
        _status, _headers, caseload = person.request(f"{a}/caseload/")
        client_ids = list(dict.fromkeys(re.findall(rb"/clients/(\d+)/", caseload)))
        check(bool(client_ids), f"{len(client_ids)} clients on the caseload")
        client_id = int(client_ids[0])
        status, headers, _page = person.post_multipart(
            f"{a}/clients/{client_id}/consents/new/",
            {"language": "en", "signature_method": "uploaded"},
            {"signature_scan": ("signed consent.pdf", SCAN, "application/pdf")},
        )
        location = headers.get("Location", "")
        found = re.search(r"/consents/(\d+)/$", location)
        check(status == 302 and found is not None, f"A saved the consent ({status} {location})")
        assert found is not None
        consent_id = int(found.group(1))
        keys = [entry["Key"] for entry in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        scans = [key for key in keys if key.startswith("consents/")]
        check(len(scans) == 1, f"the bucket holds the scan: {scans}")
        stored = s3.get_object(Bucket=BUCKET, Key=scans[0])
        check(stored["Body"].read() == SCAN, "the bucket's object is the uploaded file")
        check(stored.get("ServerSideEncryption") == "AES256", "the store encrypts it (SSE AES256)")
        grants = s3.get_object_acl(Bucket=BUCKET, Key=scans[0])["Grants"]
        check(
            [grant["Permission"] for grant in grants] == ["FULL_CONTROL"],
            "the object is private (the owner's grant alone)",
        )
        on_disk = [path for path in work.rglob("consent-scan*") if path.is_file()]
        check(not on_disk, "no instance keeps the scan on its own disk")
        status, _headers, content = person.request(
            f"{b}/clients/{client_id}/consents/{consent_id}/scan/"
        )
        check(status == 200 and content == SCAN, f"B streams the scan back ({status})")
        stranger = Browser()
        status, headers, _content = stranger.request(
            f"{b}/clients/{client_id}/consents/{consent_id}/scan/"
        )
        check(
            status == 302 and "/account/login/" in headers.get("Location", ""),
            "no session, no scan",
        )

        step("A lock-out made on A holds on B")
        guesser = Browser()
        for _ in range(5):
            guesser.sign_in(a, "coach", "not-the-password")
        late = Browser()
        check(late.sign_in(b, "coach", options.password) == 429, "B refuses the locked account")

        step("Two clocks start at the same moment; each periodic task runs once")
        # Runs before the clocks start (the sign-in and the upload queue work of their own).
        before, _failed = periodic_runs(redis_url)
        clocks = [
            processes.start(f"clock-{number}", [*casebridge, "clock"], env_for(f"clock-{number}"))
            for number in (1, 2)
        ]
        expected = set(options.periodic_tasks)
        deadline = time.monotonic() + PERIODIC_WAIT_SECONDS
        runs: Counter[str] = Counter()
        failed: list[str] = []
        while time.monotonic() < deadline:
            runs, failed = periodic_runs(redis_url)
            runs -= before
            if set(runs) | set(failed) >= expected:
                break
            time.sleep(1)
        # A little longer: a second run, had one been queued, would show now.
        time.sleep(10)
        runs, failed = periodic_runs(redis_url)
        runs -= before
        check(all(clock.poll() is None for clock in clocks), "both clocks are running")
        rounds = rounds_claimed(env_for("setup"))
        for task in sorted(expected):
            check(rounds.get(task, 0) == 1, f"{task} was queued in 1 round by 1 clock")
            if task in QUEUED_BY_THE_WORK_TOO:
                check(
                    runs[task] >= 1,
                    f"{task} ran {runs[task]} time(s) since the clocks started: once from "
                    f"the clock, any other {QUEUED_BY_THE_WORK_TOO[task]}",
                )
            else:
                check(runs[task] == 1, f"{task} ran {runs[task]} time")
        failed = [task for task in failed if task in expected]
        check(not failed, f"no periodic task failed {failed or ''}".strip())
        logs = "".join(
            (work / "logs" / f"clock-{number}.log").read_text(errors="replace") for number in (1, 2)
        )
        said = re.findall(r"Round \S+: queued (\d+) periodic task\(s\), (\d+) already", logs)
        check(
            len(said) == 2 and sum(int(queued) for queued, _skipped in said) == len(expected),
            "between them the clocks queued each task once: "
            + "; ".join(f"one queued {q} and skipped {s}" for q, s in said),
        )
    finally:
        step("Stopping everything this script started")
        if proxy is not None:
            proxy.shutdown()
            print("   stopped the proxy", flush=True)
        processes.stop_all()


def rounds_claimed(env: dict[str, str]) -> dict[str, int]:
    """Rounds claimed per task, read from the shared database by `casebridge shell`."""
    output = run(
        [
            PYTHON,
            "-m",
            "casebridge",
            "shell",
            "-c",
            "from casebridge.background.models import PeriodicRound\n"
            "for row in PeriodicRound.objects.values('task', 'slot', 'queued_by'):\n"
            "    print('round', row['task'], row['slot'].isoformat(), row['queued_by'])",
        ],
        env,
    )
    counts: Counter[str] = Counter()
    for line in output.splitlines():
        if not line.startswith("round "):
            continue
        _round, task, slot, by = line.split(" ", 3)
        counts[task] += 1
        print(f"   round {slot}: {task} queued by clock {by}", flush=True)
    return dict(counts)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cbg_cluster")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number to use.")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebridge.settings")
    import django

    django.setup()
    from casebridge.accounts.demo import DEMO_PASSWORD

    options.password = DEMO_PASSWORD
    from django.conf import settings

    options.periodic_tasks = list(settings.PERIODIC_TASKS)
    try:
        cluster(options)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", flush=True)
        return 1
    print(f"All checks passed in {time.monotonic() - STARTED:.0f}s.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
