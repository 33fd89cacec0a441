"""The follow-up pages per person: the due list, the client's Follow-up tab, logging an
attempt, the outcome (clinical), correcting a note under lock, and what is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.followups import services
from casebridge.followups.models import FollowUp, FollowUpAttempt, FollowUpOutcome
from tests.followups.helpers import discharged
from tests.followups.test_services import ANSWERS


@pytest.fixture
def due(world):
    discharged(world.client, days_ago_left=33, place="Hill House")
    return FollowUp.objects.get(day_mark=30)


def _tab(world):
    return reverse("followup_client", args=[world.client.pk])


def test_a_case_manager_logs_a_reached_attempt_and_records_the_outcome(client, world, due):
    client.force_login(world.alice)
    page = client.get(reverse("followup_attempt", args=[world.client.pk, due.pk]))
    assert page.status_code == 200
    assert 'for="id_attempted_on"' in page.content.decode()
    response = client.post(
        reverse("followup_attempt", args=[world.client.pk, due.pk]),
        {
            "result": "reached",
            "attempted_on": timezone.localdate().isoformat(),
            "note": "Doing well",
        },
    )
    assert response.url == reverse("followup_outcome", args=[world.client.pk, due.pk])
    response = client.post(response.url, ANSWERS | {"version": ""})
    assert response.status_code == 302
    assert FollowUpOutcome.objects.get().housing == "stable"
    body = client.get(_tab(world)).content.decode()
    assert "Hill House" in body and "Doing well" in body and "Stable" in body


def test_the_tab_shows_on_the_clients_pages_for_clinical_readers_only(client, world, due):
    for person, shown in ((world.alice, True), (world.sue, True), (world.cody, False)):
        client.force_login(person)
        body = client.get(reverse("client_overview", args=[world.client.pk])).content.decode()
        assert (_tab(world) in body) is shown, person.username


@pytest.mark.parametrize(
    ("person", "status"),
    [("alice", 200), ("sue", 200), ("bob", 404), ("cody", 404), ("otto", 404), ("charlie", 404)],
)
def test_who_may_open_the_tab(client, world, due, person, status):
    client.force_login(getattr(world, person))
    assert client.get(_tab(world)).status_code == status


@pytest.mark.parametrize("person", ["bob", "cody", "otto", "charlie", "ada"])
def test_others_cannot_log_attempts_or_outcomes(client, world, due, person):
    client.force_login(getattr(world, person))
    post = {"result": "reached", "attempted_on": timezone.localdate().isoformat()}
    url = reverse("followup_attempt", args=[world.client.pk, due.pk])
    assert client.post(url, post).status_code == 404
    url = reverse("followup_outcome", args=[world.client.pk, due.pk])
    assert client.post(url, ANSWERS).status_code == 404
    assert not FollowUpAttempt.objects.exists()


def test_another_clients_follow_up_is_not_found(client, world, due):
    discharged(world.engagement_client, days_ago_left=40)
    other = FollowUp.objects.get(client=world.engagement_client, day_mark=30)
    client.force_login(world.alice)
    url = reverse("followup_attempt", args=[world.client.pk, other.pk])
    assert client.get(url).status_code == 404


def test_the_due_list_shows_overdue_follow_ups_and_is_audited(client, world, due):
    client.force_login(world.alice)
    body = client.get(reverse("followup_due")).content.decode()
    assert "Overdue" in body and world.client.case_number in body
    event = AuditEvent.objects.filter(object_type="follow_ups_due").latest("id")
    assert event.changes == {"client_ids": [world.client.pk]}
    client.force_login(world.bob)
    body = client.get(reverse("followup_due")).content.decode()
    assert world.client.case_number not in body
    client.force_login(world.ada)
    assert client.get(reverse("followup_due")).status_code == 404


def test_opening_the_tab_is_audited(client, world, due):
    client.force_login(world.sue)
    client.get(_tab(world))
    assert AuditEvent.objects.filter(
        actor=world.sue, client_id=world.client.pk, object_type="follow_up", action="view"
    ).exists()


def test_a_bad_attempt_is_the_form_again_with_the_error_beside_the_field(client, world, due):
    client.force_login(world.alice)
    tomorrow = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("followup_attempt", args=[world.client.pk, due.pk]),
        {"result": "no_answer", "attempted_on": tomorrow.isoformat()},
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    assert not FollowUpAttempt.objects.exists()


def test_a_note_saved_over_someone_elses_shows_their_change(client, world, due):
    attempt = services.attempt_record(
        follow_up=due, by=world.alice, result="no_answer", attempted_at=timezone.now()
    )
    services.attempt_note_edit(attempt=attempt, by=world.sue, version=1, note="Sue's note")
    client.force_login(world.alice)
    url = reverse("followup_attempt_edit", args=[world.client.pk, due.pk, attempt.pk])
    response = client.post(url, {"version": 1, "note": "Alice's note"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed" in body and "Alice&#x27;s note" in body
    attempt.refresh_from_db()
    assert attempt.note == "Sue's note"


def test_a_second_outcome_form_over_someone_elses_is_a_conflict(client, world, due):
    services.attempt_record(
        follow_up=due, by=world.alice, result="reached", attempted_at=timezone.now()
    )
    services.outcome_record(follow_up=due, by=world.alice, version=None, answers=ANSWERS)
    services.outcome_record(
        follow_up=due, by=world.sue, version=1, answers=ANSWERS | {"legal": "new"}
    )
    client.force_login(world.alice)
    url = reverse("followup_outcome", args=[world.client.pk, due.pk])
    response = client.post(url, ANSWERS | {"version": 1})
    assert response.status_code == 409
    assert FollowUpOutcome.objects.get().legal == "new"
