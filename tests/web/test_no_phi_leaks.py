"""Client details never reach logs, URLs or error pages."""

import logging

import pytest
from django.test import Client as Browser

from casebridge.clients import views


def test_a_day_of_work_logs_nothing_about_the_client(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(world.alice)
    client.get("/caseload/", {"q": "Rivera"})
    client.get(f"/clients/{world.client.pk}/")
    client.post(
        f"/clients/{world.client.pk}/stage/",
        {"to_stage": "review", "reason": "Rivera doing well", "version": 1},
    )
    client.post("/clients/new/", {"legal_first_name": "Rivera"})  # invalid: errors, no save
    client.get("/clients/999999/")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for detail in ("Rivera", "Jamie", world.client.phone, world.client.date_of_birth.isoformat()):
        assert detail not in logged


def test_redirects_after_saving_carry_ids_not_names(client, world):
    client.force_login(world.alice)
    response = client.post(
        f"/clients/{world.client.pk}/stage/",
        {"to_stage": "review", "reason": "Review due", "version": 1},
    )
    assert response.url == f"/clients/{world.client.pk}/"


def test_a_crash_shows_a_plain_page_without_the_clients_details(world, monkeypatch, caplog):
    def explode(request, client_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.queries, "client_page", lambda *a, **k: explode(None, None))
    browser = Browser(raise_request_exception=False)
    browser.force_login(world.alice)
    with caplog.at_level(logging.ERROR):
        response = browser.get(f"/clients/{world.client.pk}/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Rivera" not in body and "Jamie" not in body and "boom" not in body


@pytest.mark.parametrize("setting", ["DEBUG"])
def test_debug_is_off_by_default(setting):
    from casebridge import settings as project_settings

    assert getattr(project_settings, setting) is False
