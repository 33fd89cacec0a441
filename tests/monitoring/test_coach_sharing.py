"""The coach sees drug screens and medications only while the client chooses to share them:
recorded by staff who handle consents, withdrawn at once, audited, on the timeline; another
coach, or the coach of another client, never sees them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import TimelineEntry
from casebridge.monitoring.models.recovery import CoachSharing
from casebridge.monitoring.services.sharing import coach_sharing_set
from tests.factories import StaffFactory
from tests.monitoring.recovery_helpers import days_ago, prescribe, record_screen, today

COCAINE = {
    "results": {
        "amphetamines": "negative",
        "cocaine": "positive",
        "cannabis": "negative",
        "opiates": "negative",
        "pcp": "negative",
    }
}


def recovery_url(world, client=None):
    return reverse("recovery", kwargs={"client_id": (client or world.client).pk})


def share(world, screens=True, medications=False, version=None):
    return coach_sharing_set(
        client=world.client,
        by=world.alice,
        screens=screens,
        medications=medications,
        agreed_on=today(),
        version=version,
    )


@pytest.fixture
def recorded(world):
    screen = record_screen(world, **COCAINE)
    prescribe(world)
    return screen


def test_without_the_clients_agreement_the_coach_sees_no_screen_or_medication(
    client, world, recorded
):
    client.force_login(world.cody)
    body = client.get(recovery_url(world)).content.decode()
    assert "cocaine" not in body.lower()
    assert "Suboxone" not in body
    assert "Days in recovery" not in body
    assert "you do when the client chooses to share them with you" in body
    detail = reverse(
        "screen_detail", kwargs={"client_id": world.client.pk, "screen_id": recorded.pk}
    )
    assert client.get(detail).status_code == 404


def test_shared_screens_show_to_the_coach_but_medications_stay_clinical(client, world, recorded):
    share(world, screens=True, medications=False)
    client.force_login(world.cody)
    body = client.get(recovery_url(world)).content.decode()
    assert "Unexpected positive for cocaine" in body
    assert "Days in recovery" in body
    assert "Suboxone" not in body
    assert "Medications are clinical" in body
    detail = reverse(
        "screen_detail", kwargs={"client_id": world.client.pk, "screen_id": recorded.pk}
    )
    page = client.get(detail)
    assert page.status_code == 200
    assert "Cocaine" in page.content.decode()
    # Seeing is all: recording and confirming screens stay with clinical staff.
    assert "Record a drug screen" not in body
    confirm = reverse(
        "screen_confirm", kwargs={"client_id": world.client.pk, "screen_id": recorded.pk}
    )
    assert client.get(confirm).status_code == 404
    reads = AuditEvent.objects.filter(
        actor_username="cody", action="view", object_type__in=["recovery_record", "drug_screen"]
    )
    assert reads.count() == 2


def test_shared_medications_show_without_the_screens(client, world, recorded):
    share(world, screens=False, medications=True)
    client.force_login(world.cody)
    body = client.get(recovery_url(world)).content.decode()
    assert "Suboxone" in body
    assert "Change or stop" not in body
    assert "cocaine" not in body.lower()


def test_withdrawing_stops_the_coach_seeing_at_once_and_both_changes_are_on_record(
    client, world, recorded
):
    first = share(world, screens=True, medications=True)
    coach_sharing_set(
        client=world.client,
        by=world.alice,
        screens=False,
        medications=False,
        agreed_on=None,
        version=first.version,
    )
    client.force_login(world.cody)
    body = client.get(recovery_url(world)).content.decode()
    assert "cocaine" not in body.lower() and "Suboxone" not in body
    summaries = list(
        TimelineEntry.objects.filter(client=world.client, kind="coach_sharing")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        "The client shares drug screen results and medications with Cody " + world.cody.last_name,
        "The client no longer shares drug screens or medications with Cody " + world.cody.last_name,
    ]
    changes = AuditEvent.objects.filter(object_type="coach_sharing").order_by("pk")
    assert [event.action for event in changes] == ["create", "update"]
    assert changes.last().changes["drug screens"] == [True, False]


def test_another_coach_never_sees_what_the_client_shares_with_theirs(client, world, recorded):
    share(world, screens=True, medications=True)
    other = StaffFactory(
        username="coral",
        organisation=world.org,
        role="coach",
        programs=[world.program],
    )
    world.engagement_client.coach = other
    world.engagement_client.save()
    client.force_login(other)
    assert client.get(recovery_url(world)).status_code == 404
    detail = reverse(
        "screen_detail", kwargs={"client_id": world.client.pk, "screen_id": recorded.pk}
    )
    assert client.get(detail).status_code == 404


@pytest.mark.parametrize("who", ["cody", "ivy", "ada", "aud", "charlie"])
def test_only_staff_who_handle_consents_record_the_choice(client, world, who):
    client.force_login(getattr(world, who))
    url = reverse("coach_sharing", kwargs={"client_id": world.client.pk})
    post = {"screens": "on", "agreed_on": today().isoformat()}
    assert client.get(url).status_code == 404
    assert client.post(url, post).status_code == 404
    assert not CoachSharing.objects.exists()


def test_the_case_manager_records_it_from_the_recovery_tab(client, world):
    client.force_login(world.alice)
    body = client.get(recovery_url(world)).content.decode()
    assert "Shared with the coach" in body
    url = reverse("coach_sharing", kwargs={"client_id": world.client.pk})
    assert url in body
    response = client.post(url, {"screens": "on", "agreed_on": days_ago(1).isoformat()})
    assert response.status_code == 302
    sharing = CoachSharing.objects.get(client=world.client)
    assert (sharing.screens, sharing.medications, sharing.agreed_on) == (True, False, days_ago(1))
    body = client.get(recovery_url(world)).content.decode()
    assert "sees drug screen results and the days in recovery: the client agreed on" in body


def test_a_date_is_needed_and_not_in_the_future(client, world):
    client.force_login(world.alice)
    url = reverse("coach_sharing", kwargs={"client_id": world.client.pk})
    missing = client.post(url, {"medications": "on"})
    assert "Give the date the client agreed" in missing.content.decode()
    ahead = client.post(url, {"medications": "on", "agreed_on": "2999-01-01"})
    assert ahead.status_code == 200
    assert not CoachSharing.objects.exists()


def test_a_client_without_a_coach_shares_with_nobody(world):
    world.client.coach = None
    world.client.save()
    with pytest.raises(ValidationError, match="no coach yet"):
        share(world)
    assert not CoachSharing.objects.exists()


def test_two_people_changing_it_at_once_are_not_merged(client, world):
    first = share(world, screens=True)
    share(world, screens=True, medications=True, version=first.version)
    with pytest.raises(VersionConflict):
        share(world, screens=False, medications=False, version=first.version)
    assert CoachSharing.objects.get().medications is True
    client.force_login(world.alice)
    url = reverse("coach_sharing", kwargs={"client_id": world.client.pk})
    response = client.post(url, {"version": first.version, "agreed_on": ""})
    assert response.status_code == 409
    assert CoachSharing.objects.get().medications is True
