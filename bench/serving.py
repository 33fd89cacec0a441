"""The app served as `casebridge serve` serves it (gunicorn, web only: no task worker, no
clock) on a free port of 127.0.0.1, for the benchmarks that measure it over HTTP."""

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def served(
    env: Mapping[str, str] | None = None,
    *,
    workers: int | None = None,
    threads: int | None = None,
    wait_seconds: float = 60,
) -> Iterator[int]:
    """Start serving, wait until /healthz answers, give the port; stop it afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "casebridge", "serve", "--no-worker", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    server = subprocess.Popen(
        command,
        env=None if env is None else dict(env),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("serve stopped before it answered") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
