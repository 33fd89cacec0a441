"""Alerts are live: a change to a client's facts queues one evaluation once it commits, on the
database backend and on Redis (RQ); the periodic sweep catches what time alone makes true;
both are safe to run twice or to be cut short."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus, default_task_backend
from django_tasks_db.models import DBTaskResult

from casebridge.alerts import services
from casebridge.alerts.models import Alert
from casebridge.alerts.services import sweep
from tests.alerts.helpers import check_in, later
from tests.factories import ClientFactory
from tests.redis_db import work_the_queue


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _evaluations():
    return DBTaskResult.objects.filter(task_path__endswith="evaluate_changed_clients")


@pytest.mark.django_db(transaction=True)
def test_a_check_in_with_high_craving_is_an_alert_as_soon_as_it_commits(world):
    check_in(world, craving=9)
    alert = Alert.objects.get(client=world.client, kind="craving")
    assert alert.title.startswith("Craving 9 of 10")


@pytest.mark.django_db(transaction=True)
def test_changes_in_one_transaction_queue_one_evaluation_for_all_the_clients(world, database_tasks):
    with transaction.atomic():
        check_in(world, craving=9)
        check_in(world, craving=8)
        world.engagement_client.save()
    (task,) = _evaluations()
    assert task.args_kwargs["args"] == [sorted([world.client.pk, world.engagement_client.pk])]


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_queues_nothing(world, database_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        check_in(world, craving=9)
        raise RuntimeError("stopped halfway")
    assert not _evaluations().exists()
    with transaction.atomic():  # and the next transaction still queues its own
        check_in(world, craving=9)
    assert _evaluations().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_evaluation(world, database_tasks):
    check_in(world, used_since_last=True, use_detail="Beer")
    assert not Alert.objects.exists()  # queued, not yet run
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    (task,) = _evaluations()
    assert default_task_backend.get_result(str(task.id)).status == TaskResultStatus.SUCCESSFUL
    assert Alert.objects.filter(client=world.client, kind="reported_use").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_runs_the_evaluation(world, rq_settings):
    import django_rq

    check_in(world, used_since_last=True, use_detail="Beer")
    queue = django_rq.get_queue("default")
    assert queue.count == 1
    assert not Alert.objects.exists()
    work_the_queue(queue)
    assert Alert.objects.filter(client=world.client, kind="reported_use").count() == 1


@pytest.mark.django_db
def test_the_sweep_finds_what_time_made_true(world):
    check_in(world, days_ago=5)
    assert sweep().opened == 0
    result = sweep(now=later(days=6))
    assert result.clients == 3  # every client, of every organisation
    assert Alert.objects.filter(client=world.client, kind="missed_check_in").count() == 1


@pytest.mark.django_db
def test_a_sweep_cut_short_keeps_what_it_did_and_the_next_finishes_without_doubles(
    world, monkeypatch
):
    clients = [world.client] + [
        ClientFactory(program=world.program, primary_case_manager=world.alice, stage="monitoring")
        for _ in range(5)
    ]
    for client in clients:
        world.client = client
        check_in(world, used_since_last=True, use_detail="x")
    real = services.evaluate_clients
    calls = []

    def dies_on_the_third_batch(ids, **kwargs):
        calls.append(ids)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real(ids, **kwargs)

    monkeypatch.setattr(services, "evaluate_clients", dies_on_the_third_batch)
    with pytest.raises(SystemExit):
        sweep(batch=2)
    done_first = Alert.objects.count()
    assert 0 < done_first < 6  # part of the clients, not all
    monkeypatch.setattr(services, "evaluate_clients", real)
    sweep(batch=2)
    sweep(batch=2)
    keys = list(Alert.objects.values_list("client_id", "kind", "key"))
    assert len(keys) == len(set(keys))
    assert Alert.objects.filter(kind="reported_use").count() == 6
