"""`casebridge serve`: the web app under gunicorn plus the background worker, in one command."""

import os
import signal
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casebridge.accounts.demo import DEMO_ORGANISATION, DEMO_PASSWORD, demo_logins

KEEP_ALIVE_SECONDS = 20


def default_concurrency() -> tuple[int, int]:
    """gunicorn's workers and threads for this machine. A page is mostly Python, so more
    processes than cores only queue for the processor; a few threads in each let one request
    run while another waits on the database (measured with bench/load.py: README)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1, 4


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port. gunicorn's workers each open their own
    socket (--reuse-port), so gunicorn itself would not refuse a port in use: its workers would
    fail to listen and be started again for ever, or share the port with another Casebridge
    started on it (another instance's sockets allow sharing too). Asked with a socket that does
    not allow sharing, which no listener of either kind lets bind."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError:
        return False  # a name that does not resolve: gunicorn says so itself
    with socket.socket(family, kind, proto) as probe:
        # A previous run's connections still closing (TIME_WAIT) do not hold the port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return True
    return False


class Command(BaseCommand):
    help = "Serve Casebridge with its background worker (Ctrl-C stops both)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        workers, threads = default_concurrency()
        parser.add_argument(
            "--workers",
            type=int,
            default=workers,
            help=f"Web worker processes (here: {workers}, one per core and one more).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=threads,
            help=f"Threads in each worker (here: {threads}): a request waiting on the database "
            "lets another run.",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the task worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if port_in_use(options["host"], int(options["port"])):
            raise CommandError(
                f"Port {options['port']} on {options['host']} is already in use: another "
                "Casebridge, or another program, is serving there. Stop it, or choose another "
                "port with --port."
            )
        casebridge = [sys.executable, "-m", "casebridge"]
        worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"] and settings.TASKS_BACKEND == "database":
            worker = subprocess.Popen([*casebridge, "db_worker", "--interval", "1"])
        elif not options["no_worker"] and settings.TASKS_BACKEND == "redis":
            worker = subprocess.Popen(
                [*casebridge, "rqworker", "--job-class", "django_tasks_rq.Job", "default"]
            )
        # The clock only queues periodic tasks; without a worker there is nobody to run them.
        clock = subprocess.Popen([*casebridge, "clock"]) if worker is not None else None
        url = f"http://{'localhost' if options['host'] in {'127.0.0.1', '0.0.0.0'} else options['host']}:{options['port']}/"  # noqa: S104
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Casebridge is running at {url}"))
        logins = demo_logins()
        if logins:
            self.stdout.write(
                f"Demo logins for {DEMO_ORGANISATION} (password for all: {DEMO_PASSWORD}):"
            )
            for role, username in logins:
                self.stdout.write(f"  {role:<32} {username}")
        self.stdout.write("Press Ctrl-C to stop.\n")
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="casebridge.settings")
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "casebridge.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--threads",
                str(options["threads"]),
                "--worker-class",
                "gthread",
                # A listening socket for each worker: the kernel spreads new connections over
                # them. On one shared socket the first worker to wake took a whole burst of
                # kept-alive connections and answered them alone (API reads: 160 a second
                # against 340 when spread; bench/api.py).
                "--reuse-port",
                # Browsers keep a connection open between clicks. gunicorn's 2 seconds closed it
                # while the next click was on its way (a reset, seen as an error, under load);
                # gthread watches idle connections without holding a thread for them.
                "--keep-alive",
                str(KEEP_ALIVE_SECONDS),
                "--logger-class",
                "casebridge.web.logmask.AccessLog",
                "--access-logformat",
                '%(t)s "%(m)s %(U)s" %(s)s %(M)sms',
                "--access-logfile",
                "-",
            ],
            env=env,
        )
        # Stopped by a service manager or a script (SIGTERM), as by Ctrl-C: stop what it started.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, clock, worker):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(timeout=20)
