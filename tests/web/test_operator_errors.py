"""What an operator sees when the database is wrong or away: one line that says what to fix,
and, while it is away, "try again" answers (503) that an API caller can read as JSON."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client as HttpClient
from django.urls import reverse

from tests.plans.helpers import ready_plan


def _casebridge(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "casebridge", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("database_url", "says"),
    [
        ("postgress://casebridge@localhost/casebridge", "not a database address"),
        (
            "postgres://casebridge:hunter2-secret@127.0.0.1:1/casebridge",
            "cannot reach its database",
        ),
    ],
)
@pytest.mark.parametrize("command", [["serve", "--port", "8799"], ["migrate", "--check"]])
def test_a_wrong_database_url_is_one_plain_line(command, database_url, says):
    result = _casebridge(*command, database_url=database_url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0]
    assert "hunter2-secret" not in result.stderr + result.stdout


@pytest.fixture
def unguarded_client():
    """A test client that lets the app answer an error instead of raising it into the test."""
    return HttpClient(raise_request_exception=False)


def _database_away(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_the_api_answers_json_503_while_the_database_is_away(unguarded_client, world):
    plan = ready_plan(world)
    unguarded_client.force_login(world.alice)
    url = reverse("api_plan_item", kwargs={"client_id": world.client.pk, "plan_id": plan.pk})
    with mock.patch("casebridge.plans.api.plan_document", side_effect=_database_away):
        response = unguarded_client.get(url)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unavailable"
    assert int(response["Retry-After"]) > 0


def test_a_page_says_try_again_while_the_database_is_away(unguarded_client, world):
    unguarded_client.force_login(world.alice)
    with mock.patch("casebridge.clients.views.queries.timeline_page", side_effect=_database_away):
        response = unguarded_client.get(
            reverse("client_timeline", kwargs={"client_id": world.client.pk})
        )
    assert response.status_code == 503
    assert "cannot reach its database" in response.content.decode()
    assert "Rivera" not in response.content.decode()


def test_any_other_api_failure_is_json_too(unguarded_client, world):
    plan = ready_plan(world)
    unguarded_client.force_login(world.alice)
    url = reverse("api_plan_item", kwargs={"client_id": world.client.pk, "plan_id": plan.pk})
    with mock.patch("casebridge.plans.api.plan_document", side_effect=RuntimeError("bug")):
        response = unguarded_client.get(url)
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
