"""A worker killed in the middle of a task (SIGKILL: the OOM killer, a lost machine) loses no
work and sends nothing twice, on both task backends.

The tests start real workers as subprocesses against the test database (copied to a file and
back when it is SQLite in memory, shared as is on PostgreSQL), hold the break-the-glass email
at the mail server (tests/web/mail_gate.py), kill the process sending it, and check that the
supervisors get exactly one email once the task has come back. Heartbeat and time-out are
cut to a second or two so each test takes seconds.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus, default_task_backend

from casebridge.access.services import break_glass_grant
from tests.redis_db import killed_worker_tests_url
from tests.shared_database import SharedDatabase

ROOT = Path(__file__).resolve().parents[2]
REASON = "Client called in crisis; Alice is off"
WAIT_SECONDS = 120  # far above what a passing test needs, even on a slow machine
# What the workers in these tests run with: beat every second, dead after two silent ones.
FAST = {"TASKS_HEARTBEAT_SECONDS": "1", "TASKS_WORKER_TIMEOUT_SECONDS": "2"}

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(what: str, condition: Callable[[], Any], logs: Callable[[], str] = lambda: "") -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up after {WAIT_SECONDS}s waiting for {what}\n{logs()}")


class MailGate:
    """The stand-in mail server's folder and hold file (tests/web/mail_gate.py)."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path / "mail"
        self.hold = tmp_path / "hold"
        self.held = tmp_path / "hold.held"

    def arm(self) -> None:
        self.hold.touch()

    def held_pid(self, logs: Callable[[], str]) -> int:
        """The process id of the worker now hanging in the middle of sending."""
        text = _wait_for(
            "a worker to start sending",
            lambda: self.held.exists() and self.held.read_text(encoding="utf-8").strip(),
            logs,
        )
        return int(text)

    def emails(self) -> list[Message]:
        if not self.folder.exists():
            return []
        return [message_from_bytes(f.read_bytes()) for f in sorted(self.folder.glob("*.eml"))]


class Workers:
    """Worker subprocesses started by a test, all killed when it ends."""

    def __init__(self, tmp_path: Path, database: SharedDatabase, gate: MailGate) -> None:
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            **FAST,
            "DJANGO_SETTINGS_MODULE": "casebridge.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database.url,
            "REDIS_URL": killed_worker_tests_url(),
            "EMAIL_BACKEND": "tests.web.mail_gate.EmailBackend",
            "MAIL_GATE_DIR": str(gate.folder),
            "MAIL_GATE_HOLD": str(gate.hold),
            "CASEBRIDGE_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "dying-workers-test",
            "DEBUG": "false",
        }
        self.started: list[subprocess.Popen[bytes]] = []
        self.pids_to_kill: list[int] = []

    def start(self, backend: str) -> subprocess.Popen[bytes]:
        if backend == "database":
            command = ["db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"]
        else:
            command = ["rqworker", "--job-class", "django_tasks_rq.Job", "default"]
        log = (self.tmp_path / f"worker-{len(self.started) + 1}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "casebridge", *command],
            cwd=ROOT,
            env={**self.env, "TASKS_BACKEND": backend},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started.append(process)
        return process

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted(self.tmp_path.glob("worker-*.log"))
        )

    def stop_all(self) -> None:
        for pid in self.pids_to_kill:
            with contextlib.suppress(ProcessLookupError):  # it may be gone already
                os.kill(pid, signal.SIGKILL)
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def gate(tmp_path: Path) -> MailGate:
    return MailGate(tmp_path)


@pytest.fixture
def workers(tmp_path: Path, shared_database: SharedDatabase, gate: MailGate) -> Iterator[Workers]:
    started = Workers(tmp_path, shared_database, gate)
    yield started
    started.stop_all()


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def redis_tasks(settings: Any) -> Iterator[None]:
    import redis

    connection = redis.Redis.from_url(killed_worker_tests_url())
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": killed_worker_tests_url()}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    yield
    connection.flushdb()


def _grant_emergency_access(world: Any) -> Any:
    """Bob breaks the glass; the notification task is queued when the grant commits."""
    return break_glass_grant(
        user=world.bob, client_id=world.client.pk, program_id=world.program.pk, reason=REASON
    )


def _the_notification_task_id() -> str:
    from django_tasks_db.models import DBTaskResult

    return str(DBTaskResult.objects.get(task_path__endswith="notify_supervisors_of_break_glass").id)


def _assert_supervisors_emailed_exactly_once(gate: MailGate, world: Any, grant: Any) -> None:
    emails = gate.emails()
    assert len(emails) == 1
    assert emails[0]["To"] == world.sue.email
    assert f"access reference {grant.pk}" in emails[0].get_payload()
    from casebridge.background.models import EmailDelivery

    delivery = EmailDelivery.objects.get()
    assert delivery.key == f"break_glass:{grant.pk}"
    assert delivery.sent_at is not None
    # The killed attempt counted, and the resend used the Message-ID kept from it.
    assert delivery.attempts == 2
    assert emails[0]["Message-ID"] == delivery.message_id


def test_a_database_worker_killed_mid_task_leaves_it_to_another_that_emails_once(
    world, database_tasks, shared_database, workers, gate
):
    grant = _grant_emergency_access(world)
    task_id = _the_notification_task_id()
    gate.arm()
    shared_database.push()
    first = workers.start("database")
    assert gate.held_pid(workers.logs) == first.pid
    workers.kill(first.pid)
    first.wait()

    shared_database.pull()
    stranded = default_task_backend.get_result(task_id)
    assert stranded.status == TaskResultStatus.RUNNING
    assert gate.emails() == []

    second = workers.start("database")

    def finished() -> bool:
        shared_database.pull()
        return default_task_backend.get_result(task_id).status == TaskResultStatus.SUCCESSFUL

    _wait_for("the task to be run again", finished, workers.logs)
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=10)
    shared_database.pull()

    result = default_task_backend.get_result(task_id)
    assert result.return_value == 1
    assert len(result.worker_ids) == 2  # the dead worker's claim, then the new one's
    _assert_supervisors_emailed_exactly_once(gate, world, grant)


def _rq_job(result_id: str) -> Any:
    import django_rq
    from django_tasks_rq import Job

    return Job.fetch(result_id, connection=django_rq.get_connection("default"))


def _the_rq_notification_id() -> str:
    import django_rq

    [job_id] = django_rq.get_queue("default").job_ids
    return str(job_id)


def test_an_rq_work_horse_killed_mid_task_is_retried_and_emails_once(
    world, redis_tasks, shared_database, workers, gate
):
    grant = _grant_emergency_access(world)
    result_id = _the_rq_notification_id()
    assert _rq_job(result_id).retries_left == 2  # TASKS_MAX_ATTEMPTS=3 runs in all
    gate.arm()
    shared_database.push()
    worker = workers.start("redis")
    horse = gate.held_pid(workers.logs)
    workers.pids_to_kill.append(horse)
    assert horse != worker.pid  # RQ runs each job in a forked work-horse
    workers.kill(horse)

    _wait_for(
        "the job to be retried and finish",
        lambda: default_task_backend.get_result(result_id).status == TaskResultStatus.SUCCESSFUL,
        workers.logs,
    )
    assert worker.poll() is None  # the worker itself lived on and retried the job
    workers.stop_all()
    shared_database.pull()
    _assert_supervisors_emailed_exactly_once(gate, world, grant)


def test_an_rq_worker_lost_with_its_work_horse_leaves_the_job_to_another_that_emails_once(
    world, redis_tasks, shared_database, workers, gate
):
    grant = _grant_emergency_access(world)
    result_id = _the_rq_notification_id()
    gate.arm()
    shared_database.push()
    first = workers.start("redis")
    horse = gate.held_pid(workers.logs)
    workers.pids_to_kill.append(horse)
    # The whole worker goes, as when its machine is lost: the horse and its parent.
    workers.kill(horse)
    workers.kill(first.pid)
    first.wait()
    assert default_task_backend.get_result(result_id).status == TaskResultStatus.RUNNING

    workers.start("redis")
    _wait_for(
        "another worker to take the abandoned job up",
        lambda: default_task_backend.get_result(result_id).status == TaskResultStatus.SUCCESSFUL,
        workers.logs,
    )
    workers.stop_all()
    shared_database.pull()
    _assert_supervisors_emailed_exactly_once(gate, world, grant)


# The same guarantees, checked in this process where no worker needs to die.


def test_a_rerun_after_the_email_was_sent_sends_nothing(world, database_tasks, settings):
    """The state a worker killed after sending but before recording success leaves behind:
    the email marked sent, the task RUNNING under a worker nobody has heard from."""
    from django_tasks_db.models import DBTaskResult

    grant = _grant_emergency_access(world)
    task_id = _the_notification_task_id()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert len(mail.outbox) == 1
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=["a-worker-that-died"],
        started_at=grant.granted_at,
    )
    settings.TASKS_WORKER_TIMEOUT_SECONDS = 0
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    result = default_task_backend.get_result(task_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 0  # ran again, sent nothing
    assert len(mail.outbox) == 1


def test_a_task_whose_worker_keeps_dying_is_failed_not_retried_for_ever(
    world, database_tasks, settings
):
    from django_tasks_db.models import DBTaskResult

    grant = _grant_emergency_access(world)
    task_id = _the_notification_task_id()
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=["died-1", "died-2", "died-3"],
        started_at=grant.granted_at,
    )
    settings.TASKS_WORKER_TIMEOUT_SECONDS = 0
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    result = default_task_backend.get_result(task_id)
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "casebridge.background.workers.WorkerLost"
    assert mail.outbox == []


def test_a_live_workers_task_is_left_alone(world, database_tasks, settings):
    from django_tasks_db.models import DBTaskResult

    from casebridge.background.workers import beat, recover_abandoned_tasks

    grant = _grant_emergency_access(world)
    task_id = _the_notification_task_id()
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["busy"], started_at=grant.granted_at
    )
    beat(worker_id="busy")
    assert recover_abandoned_tasks(timeout_seconds=60, max_attempts=3) == 0
    assert default_task_backend.get_result(task_id).status == TaskResultStatus.RUNNING


def test_the_window_a_crash_between_sending_and_recording_it_resends_the_same_message(
    world, settings
):
    """At least once: if the worker dies after the mail server accepted the email but before
    it was marked sent, the rerun sends it again, with the same Message-ID so that mail
    systems can recognise the copy."""
    from casebridge.access.tasks import notify_supervisors_of_break_glass
    from casebridge.background.models import EmailDelivery

    settings.MAILERS = {"default": {"BACKEND": "tests.web.test_dying_workers.DiesAfterSending"}}
    with pytest.raises(SystemExit):
        notify_supervisors_of_break_glass.call(grant_id=7, program_id=world.program.pk)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert notify_supervisors_of_break_glass.call(grant_id=7, program_id=world.program.pk) == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]
    assert EmailDelivery.objects.get(key="break_glass:7").attempts == 2
    assert notify_supervisors_of_break_glass.call(grant_id=7, program_id=world.program.pk) == 0
    assert len(mail.outbox) == 2


class DiesAfterSending:
    """A mail backend whose process dies right after the mail server took the message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.core.mail.backends.locmem import EmailBackend

        self.delivered = EmailBackend(*args, **kwargs)

    def send_messages(self, messages: Any) -> int:
        self.delivered.send_messages(messages)
        raise SystemExit("killed")


# The alert sweep: killed halfway on either backend, the rerun finishes it with no doubles.

SWEPT_CLIENTS = 150  # at one client a transaction (30-100 ms each), seconds to land the kill in


def _clients_who_said_they_used(world: Any) -> None:
    """Clients whose last check-in reports use: each is one alert for the sweep to find. The
    check-ins are written in bulk (no signal), and the evaluations registering the clients
    queued are dropped: only the sweep finds the alerts."""
    from django.utils import timezone

    from casebridge.monitoring.models import CheckIn
    from tests.factories import ClientFactory

    clients = [
        ClientFactory(program=world.program, primary_case_manager=world.alice, stage="monitoring")
        for _ in range(SWEPT_CLIENTS)
    ]
    CheckIn.objects.bulk_create(
        CheckIn(
            client=client,
            checked_in_at=timezone.now(),
            mood=5,
            craving=2,
            used_since_last=True,
            use_detail="x",
            sleep="well",
            recorded_by=world.cody,
        )
        for client in clients
    )
    from django.conf import settings

    if settings.TASKS["default"]["BACKEND"].endswith("RQBackend"):
        import django_rq

        django_rq.get_queue("default").empty()
    else:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()


def _alerts_found(shared_database: SharedDatabase) -> int:
    from casebridge.alerts.models import Alert

    shared_database.pull()
    return Alert.objects.filter(kind="reported_use").count()


def _assert_swept_once(shared_database: SharedDatabase) -> None:
    from casebridge.alerts.models import Alert

    shared_database.pull()
    names = list(Alert.objects.values_list("client_id", "kind", "key"))
    assert len(names) == len(set(names))
    assert Alert.objects.filter(kind="reported_use").count() == SWEPT_CLIENTS


@pytest.fixture
def slow_sweep(workers: Workers) -> None:
    # One client per transaction, so that the sweep is caught halfway.
    workers.env["ALERTS_SWEEP_BATCH"] = "1"


def test_a_database_worker_killed_halfway_through_the_alert_sweep_leaves_no_double(
    world, database_tasks, shared_database, workers, slow_sweep
):
    from casebridge.alerts.tasks import sweep_alerts

    _clients_who_said_they_used(world)
    result = sweep_alerts.enqueue()
    shared_database.push()
    first = workers.start("database")
    _wait_for("the sweep to find some", lambda: _alerts_found(shared_database) > 0, workers.logs)
    workers.kill(first.pid)
    first.wait()
    assert _alerts_found(shared_database) < SWEPT_CLIENTS  # killed halfway

    second = workers.start("database")

    def finished() -> bool:
        shared_database.pull()
        return default_task_backend.get_result(result.id).status == TaskResultStatus.SUCCESSFUL

    _wait_for("the sweep to be run again", finished, workers.logs)
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=10)
    _assert_swept_once(shared_database)


def test_an_rq_work_horse_killed_halfway_through_the_alert_sweep_leaves_no_double(
    world, redis_tasks, shared_database, workers, slow_sweep
):
    from casebridge.alerts.tasks import sweep_alerts

    _clients_who_said_they_used(world)
    result = sweep_alerts.enqueue()
    shared_database.push()
    worker = workers.start("redis")

    def work_horses() -> list[str]:
        found = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True)
        return found.stdout.split()

    # RQ runs each job in a forked work-horse: it is the one to kill.
    _wait_for("the job to start in a work-horse", work_horses, workers.logs)
    _wait_for("the sweep to find some", lambda: _alerts_found(shared_database) > 0, workers.logs)
    # The horses at work now: one seen earlier may have run a shorter job and gone since.
    horses = _wait_for("the sweep's work-horse", work_horses, workers.logs)
    workers.pids_to_kill += [int(horse) for horse in horses]
    for horse in horses:
        with contextlib.suppress(ProcessLookupError):  # it ended between the look and the kill
            workers.kill(int(horse))
    assert _alerts_found(shared_database) < SWEPT_CLIENTS  # killed halfway
    _wait_for(
        "the job to be retried and finish",
        lambda: default_task_backend.get_result(result.id).status == TaskResultStatus.SUCCESSFUL,
        workers.logs,
    )
    workers.stop_all()
    _assert_swept_once(shared_database)
