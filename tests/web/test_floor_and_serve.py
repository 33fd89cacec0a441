"""The benchmarks' floor page exists only when a benchmark turns it on, and `serve` sizes
gunicorn to the machine."""

import importlib

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import casebridge.urls
from casebridge.web.management.commands.serve import default_concurrency


def test_the_floor_page_is_not_served_unless_a_benchmark_asks(client, world):
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    client.force_login(world.alice)
    assert client.get("/bench/floor/").status_code == 404


@pytest.fixture
def floor_on():
    with override_settings(BENCHMARK_FLOOR=True):
        importlib.reload(casebridge.urls)
        clear_url_caches()
        yield
    importlib.reload(casebridge.urls)
    clear_url_caches()


def test_the_floor_page_draws_the_layout_for_someone_signed_in(client, world, floor_on):
    assert client.get("/bench/floor/").status_code == 302  # signed out: to the sign-in page
    client.force_login(world.alice)
    page = client.get("/bench/floor/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<main" in body and "<h1>Floor</h1>" in body
    # Nothing of any client: the floor is the layout and nothing else.
    assert world.client.legal_last_name not in body


def test_serve_runs_a_worker_per_core_and_one_more_with_threads(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert default_concurrency() == (3, 4)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert default_concurrency() == (9, 4)


def _free_port_and_database(database):
    """A port nothing listens on, and the environment of the suite's migrated test database
    (migrating a fresh one takes most of a minute)."""
    import os
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database.push()
    return port, dict(os.environ, DATABASE_URL=database.url)


def test_stopping_serve_stops_the_web_server_it_started(shared_database):
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    port, env = _free_port_and_database(shared_database)
    serve = subprocess.Popen(
        [sys.executable, "-m", "casebridge", "serve", "--no-worker", "--port", str(port),
         "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("serve did not answer")
        # A connection kept open between clicks still answers after a person's pause (gunicorn
        # closed it after 2 seconds, resetting the next click under load).
        import http.client

        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        kept.request("GET", "/healthz")
        assert kept.getresponse().read() is not None
        time.sleep(4)
        kept.request("GET", "/healthz")
        assert kept.getresponse().status == 200
        kept.close()
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        time.sleep(1)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
        except OSError:
            pass  # nothing answers: gunicorn went with it
        else:
            raise AssertionError("gunicorn still answers after serve was stopped")
    finally:
        if serve.poll() is None:
            serve.kill()


def _listening_sockets(port: int) -> int:
    """Sockets listening on this port of 127.0.0.1, from the kernel's own table."""
    from pathlib import Path

    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1
        for row in rows
        if row.split()[1] == f"0100007F:{port:04X}" and row.split()[3] == "0A"  # LISTEN
    )


def test_each_web_worker_listens_on_its_own_socket(shared_database):
    """Each worker has its own listening socket (SO_REUSEPORT), so the kernel spreads new
    connections across them; on one shared socket the first worker to wake took every kept-alive
    connection of a burst and answered them alone while the others idled."""
    import subprocess
    import sys
    import time
    import urllib.request

    port, env = _free_port_and_database(shared_database)
    serve = subprocess.Popen(
        [sys.executable, "-m", "casebridge", "serve", "--no-worker", "--port", str(port),
         "--workers", "3"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            if _listening_sockets(port) == 3:
                break
            time.sleep(0.3)
        assert _listening_sockets(port) == 3
        # A worker listens before it has loaded the app: on a busy machine (the suite's own
        # processes beside three workers starting at once) the first answer takes a while.
        answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60)
        assert answer.status == 200
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_serve_refuses_a_port_something_already_listens_on(shared_database):
    """With a socket per worker, gunicorn would not refuse a port in use: its workers would fail
    to listen and be started again for ever (or share the port with another instance)."""
    import socket
    import subprocess
    import sys

    _, env = _free_port_and_database(shared_database)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        try:
            ended = subprocess.run(
                [sys.executable, "-m", "casebridge", "serve", "--no-worker", "--port", str(port),
                 "--workers", "1"],
                env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise AssertionError("serve kept running on a port already in use") from None
    assert ended.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in ended.stderr
