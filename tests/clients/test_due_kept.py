"""A client's due items are kept between pages, filed under the client's due stamp: every way a
due item can change (a form, a sweep writing in bulk, a program's setting, the clock) shows on
the next page, and every table a due provider reads is one whose changes renew the stamp."""

import re
from datetime import timedelta

from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casebridge.access.policy import role_actions
from casebridge.alerts.services import evaluate_clients
from casebridge.assessments.models import InstrumentSchedule
from casebridge.clients.extensions import DUE_CACHE, DUE_PROVIDERS, DUE_SOURCES, due_items
from casebridge.clients.models import Client
from casebridge.monitoring.models import ContactNoteRules
from casebridge.monitoring.services.appointments import appointment_schedule
from casebridge.plans.models import PlanTask, TaskStatus
from casebridge.plans.services.followup import tasks_sweep
from tests.monitoring.helpers import days_ago, write_note
from tests.plans.helpers import ready_plan, sign_all


def _kept(client_id, actions):
    """The due items as a page would show them now (kept or not) and as asked afresh."""
    stamp = Client.objects.values_list("due_stamp", flat=True).get(pk=client_id)
    kept = due_items([client_id], actions, stamps={client_id: stamp})[client_id]
    fresh = due_items([client_id], actions)[client_id]
    return kept, fresh


def _overview(browser, world):
    return browser.get(reverse("client_overview", kwargs={"client_id": world.client.pk}))


def test_a_second_look_at_a_client_asks_the_database_fewer_questions(client, world):
    client.force_login(world.alice)
    caches[DUE_CACHE].clear()
    with CaptureQueriesContext(connection) as first:
        _overview(client, world)
    with CaptureQueriesContext(connection) as second:
        _overview(client, world)
    # Seven or more providers' questions are not asked the second time.
    assert len(second) <= len(first) - 7


def test_a_note_written_after_a_look_shows_on_the_next_page(client, world):
    client.force_login(world.alice)
    assert "Contact note to sign" not in _overview(client, world).content.decode()
    write_note(world.client, world.alice, contact_at=days_ago(1))
    assert "Contact note to sign" in _overview(client, world).content.decode()


def test_a_program_setting_changes_every_clients_due_day_at_once(world):
    actions = role_actions(world.alice)
    rules = ContactNoteRules.objects.create(program=world.program, late_after_days=3)
    write_note(world.client, world.alice, contact_at=days_ago(1))
    kept, fresh = _kept(world.client.pk, actions)
    assert kept == fresh
    rules.late_after_days = 5
    rules.save()
    kept, fresh = _kept(world.client.pk, actions)
    assert kept == fresh
    [note] = [item for item in kept if item.label == "Contact note to sign"]
    assert note.due_on == timezone.localdate() - timedelta(days=1) + timedelta(days=5)


def test_a_new_instrument_schedule_shows_for_the_programs_clients(world):
    actions = role_actions(world.alice)
    before, _ = _kept(world.client.pk, actions)
    InstrumentSchedule.objects.create(program=world.program, instrument="phq9", every_days=30)
    after, fresh = _kept(world.client.pk, actions)
    assert after == fresh
    assert len(after) == len(before) + 1


def test_the_task_sweep_marking_tasks_missed_shows_at_once(world):
    actions = role_actions(world.alice)
    sign_all(ready_plan(world, owner=world.alice, frequency="monthly"), world)
    PlanTask.objects.filter(client=world.client).update(
        due_on=timezone.localdate() - timedelta(days=30)
    )
    Client.objects.filter(pk=world.client.pk).renew_due_stamps()  # as the update above would
    before, _ = _kept(world.client.pk, actions)
    assert any(item.label.startswith("Plan task") for item in before)
    assert tasks_sweep(grace_days=3) >= 1
    assert PlanTask.objects.filter(client=world.client, status=TaskStatus.MISSED).exists()
    after, fresh = _kept(world.client.pk, actions)
    assert after == fresh
    assert after != before


def test_an_alert_raised_by_the_sweep_shows_at_once(world):
    actions = role_actions(world.alice)
    write_note(world.client, world.alice, sign=True, contact_at=days_ago(60))
    Client.objects.filter(pk=world.client.pk).update(last_contact_at=days_ago(60))
    before, _ = _kept(world.client.pk, actions)
    evaluate_clients([world.client.pk])
    after, fresh = _kept(world.client.pk, actions)
    assert after == fresh
    assert any(item.label.startswith("Alert") for item in after)
    assert not any(item.label.startswith("Alert") for item in before)


def test_a_series_of_appointments_made_in_one_go_shows_at_once(world):
    actions = role_actions(world.alice)
    before, _ = _kept(world.client.pk, actions)
    start = timezone.now() + timedelta(days=1)
    appointment_schedule(
        client=world.client,
        by=world.alice,
        kind="housing",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        recurrence="weekly",
        until=timezone.localdate() + timedelta(days=30),
    )
    after, fresh = _kept(world.client.pk, actions)
    assert after == fresh
    assert len(after) == len(before) + 1


def test_an_appointment_that_is_over_asks_whether_the_client_went_within_minutes(
    world, monkeypatch
):
    actions = role_actions(world.alice)
    now = timezone.now()
    appointment_schedule(
        client=world.client,
        by=world.alice,
        kind="housing",
        starts_at=now + timedelta(minutes=1),
        ends_at=now + timedelta(minutes=30),
    )
    before, _ = _kept(world.client.pk, actions)
    assert not any("record whether" in item.label for item in before)
    later = now + timedelta(minutes=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after, _ = _kept(world.client.pk, actions)
    assert any("record whether" in item.label for item in after)


def test_every_table_a_due_provider_reads_renews_the_stamp_when_it_changes(world):
    """A provider reading a table nobody watches would show stale due items: each provider is
    run on a client with a plan, and the tables its questions name must all be watched (the
    client's own row renews the stamp on every save; a program is only joined through)."""
    sign_all(ready_plan(world, owner=world.alice), world)
    write_note(world.client, world.alice, contact_at=days_ago(1))
    tables = {model._meta.db_table: model for model in apps.get_models()}
    watched = {model._meta.db_table for model in DUE_SOURCES} | {
        Client._meta.db_table,
        "accounts_program",
    }
    actions = frozenset(role_actions(world.alice))
    for registered in DUE_PROVIDERS:
        with CaptureQueriesContext(connection) as asked:
            if registered.per_viewer:
                registered.provider([world.client.pk], actions)  # type: ignore[call-arg]
            else:
                registered.provider([world.client.pk])  # type: ignore[call-arg]
        named = {
            table
            for query in asked.captured_queries
            for table in re.findall(r'"(\w+)"', query["sql"])
            if table in tables
        }
        assert named, registered.provider
        assert named <= watched, (registered.provider.__name__, named - watched)


def test_what_is_kept_for_one_viewer_is_never_shown_to_one_who_may_see_less(client, world):
    write_note(world.client, world.alice, contact_at=days_ago(1))
    sign_all(ready_plan(world, owner=world.alice), world)
    client.force_login(world.alice)
    assert "Contact note to sign" in _overview(client, world).content.decode()
    client.force_login(world.cody)  # the coach: neither notes nor the plan are theirs to open
    body = _overview(client, world).content.decode()
    assert "Contact note to sign" not in body
    assert "Care plan review" not in body
