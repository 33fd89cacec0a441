"""The Court tab end to end: entering a court, the criteria against the record, moving up at a
hearing (with the team's reason when the criteria are not met), and the hearing calendar."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.court.models import Hearing, Participant, PhaseChange
from tests.monitoring.recovery_helpers import record_meeting

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def enter(client, world, court, **changes):
    client.force_login(world.alice)
    data = {
        "court_program": court.pk,
        "docket_number": "CR-2026-0412",
        "charge_category": "possession",
        "track": "post_plea",
        "entered_on": (today() - timedelta(days=40)).isoformat(),
        **changes,
    }
    return client.post(reverse("court_enrol", args=[world.client.pk]), data)


def test_a_case_manager_enters_the_client_in_a_court_and_sees_the_criteria(client, world, court):
    client.force_login(world.alice)
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "Enter a court" in page and "Adult Drug Court" in page
    response = enter(client, world, court)
    assert response.status_code == 302
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "CR-2026-0412" in page and "1: Stabilisation, day 40" in page
    assert "Days in this phase: 40 of 30 days" in page
    assert "Mutual-help meetings: 0 of 8 in the last 28 days" in page
    assert "none has been held since this phase began" in page
    assert AuditEvent.objects.filter(
        object_type="court_participant", action="view", client_id=world.client.pk
    ).exists()


def test_a_bad_entry_says_what_is_wrong_and_saves_nothing(client, world, court):
    response = enter(client, world, court, docket_number="", entered_on="2999-01-01")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the docket number" in page or "This field is required" in page
    assert not Participant.objects.exists()


def test_moving_up_needs_a_hearing_and_the_teams_reason_without_the_criteria(client, world, court):
    enter(client, world, court)
    participant = Participant.objects.get()
    hearing = Hearing.objects.create(court_program=court, held_on=today(), created_by=world.alice)
    url = reverse("court_advance", args=[world.client.pk])
    refused = client.post(url, {"hearing": hearing.pk, "version": participant.version})
    assert refused.status_code == 400
    assert "give the team&#x27;s reason" in refused.content.decode()
    assert not PhaseChange.objects.exists()
    moved = client.post(
        url,
        {
            "hearing": hearing.pk,
            "version": participant.version,
            "override_reason": "Steady at work; meetings start next week.",
        },
    )
    assert moved.status_code == 302
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "2: Treatment, day 0" in page
    assert "moved up without the criteria: Steady at work" in page


def test_moving_up_with_the_criteria_met(client, world, court):
    enter(client, world, court)
    for n in range(8):
        record_meeting(world, attended_on=today() - timedelta(days=n))
    participant = Participant.objects.get()
    hearing = Hearing.objects.create(court_program=court, held_on=today(), created_by=world.alice)
    response = client.post(
        reverse("court_advance", args=[world.client.pk]),
        {"hearing": hearing.pk, "version": participant.version},
    )
    assert response.status_code == 302
    assert PhaseChange.objects.get().criteria_met is True


def test_an_old_page_does_not_move_the_participant_twice(client, world, court):
    enter(client, world, court)
    participant = Participant.objects.get()
    hearing = Hearing.objects.create(court_program=court, held_on=today(), created_by=world.alice)
    data = {"hearing": hearing.pk, "version": participant.version, "override_reason": "Agreed."}
    url = reverse("court_advance", args=[world.client.pk])
    assert client.post(url, data).status_code == 302
    client.force_login(world.sue)
    assert client.post(url, data).status_code in {400, 409}
    assert PhaseChange.objects.count() == 1


def test_the_calendar_takes_hearings_from_today(client, world, court):
    client.force_login(world.alice)
    url = reverse("court_hearings", args=[court.pk])
    past = client.post(url, {"held_on": (today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400
    assert "A new hearing is today or later." in past.content.decode()
    added = client.post(
        url, {"held_on": (today() + timedelta(days=14)).isoformat(), "courtroom": "12"}
    )
    assert added.status_code == 302
    assert "courtroom 12" in client.get(url).content.decode()


@pytest.mark.parametrize("person", ["cody", "ivy", "otto", "ada", "aud", "charlie"])
def test_only_the_programs_case_managers_and_supervisors_keep_the_calendar(
    client, world, court, person
):
    client.force_login(getattr(world, person))
    assert client.get(reverse("court_hearings", args=[court.pk])).status_code == 404


@pytest.mark.parametrize("person", ["cody", "ivy", "bob", "otto", "charlie"])
def test_others_do_not_reach_a_clients_court_record(client, world, court, person):
    enter(client, world, court)
    client.force_login(getattr(world, person))
    assert client.get(reverse("court_record", args=[world.client.pk])).status_code == 404


def test_the_tab_proposes_moving_up_when_the_record_meets_the_criteria(client, world, court):
    from casebridge.court.models import Phase

    Phase.objects.filter(court_program=court, number=1).update(
        days_without_use=0, meetings_per_week=0, tests_per_week=0, work_or_school=True
    )
    enter(client, world, court)  # 40 days in; phase 1 asks 30
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "propose moving up to phase 2 at the next hearing, once the team confirms" in page
    Phase.objects.filter(court_program=court, number=1).update(min_days=60)
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "propose moving up" not in page


def test_the_court_tab_shows_the_record_under_way_before_any_ended_one(world, court):
    """A client's court record is the one under way, else the latest that ended, whatever
    their dates say."""
    from casebridge.court.queries import participation
    from tests.court.helpers import enrol

    def today():
        return timezone.localdate()

    assert participation(world.client) is None
    first = enrol(world, court, world.client, "CR-1")
    Participant.objects.filter(pk=first.pk).update(
        status="graduated", entered_on=today() - timedelta(days=400)
    )
    assert participation(world.client).pk == first.pk
    current = enrol(world, court, world.client, "CR-2")
    Participant.objects.filter(pk=current.pk).update(entered_on=today() - timedelta(days=500))
    found = participation(world.client)
    assert found.pk == current.pk and found.phase is not None
    Participant.objects.filter(pk=current.pk).update(status="terminated")
    assert participation(world.client).pk == first.pk  # now the latest entered
