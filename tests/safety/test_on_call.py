"""On-call access: only during a shift, only to the program's clients, read-only, audited as
on-call access (never as emergency access), put on the timeline once a shift, and told to the
case manager the next morning."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.access.policy import may
from casebridge.audit.models import AuditEvent
from casebridge.monitoring import services as monitoring_services
from casebridge.safety import queries, services
from casebridge.safety.models import OnCallOpening
from tests.factories import ClientFactory
from tests.safety.helpers import plan_in_effect, shift_now


def _open(http, world, person="bob", client=None):
    http.force_login(getattr(world, person))
    return http.get(reverse("on_call_client", args=[(client or world.client).pk]))


def _mother_called(world, *, at, follow_up_needed):
    """Bob takes an after-hours call from Jamie's mother."""
    services.after_hours_record(
        program=world.program,
        by=world.bob,
        at=at,
        caller="their mother",
        what_happened="Worried",
        what_was_done="Reassured",
        follow_up_needed=follow_up_needed,
        client=world.client,
    )


def test_on_call_access_holds_only_during_the_shift_and_for_the_programs_clients(world):
    other_programs_client = ClientFactory(program=world.other_program, registered_by=world.ivy)
    assert not may(world.bob, "safety.on_call", world.client)
    shift = shift_now(world)
    assert may(world.bob, "safety.on_call", world.client)
    assert may(world.bob, "safety.on_call", world.engagement_client)
    assert not may(world.bob, "safety.on_call", other_programs_client)
    assert not may(world.bob, "safety.on_call", world.foreign_client)
    assert not may(world.alice, "safety.on_call", world.client)  # not on call
    # The shift over, the access is over.
    shift.starts_at = timezone.now() - timedelta(hours=10)
    shift.ends_at = timezone.now() - timedelta(minutes=1)
    shift.save()
    assert not may(world.bob, "safety.on_call", world.client)


def test_leaving_the_program_ends_the_access_of_a_shift(world):
    shift_now(world)
    world.bob.programs.clear()
    assert not may(world.bob, "safety.on_call", world.client)


def test_the_on_call_worker_reads_the_plan_and_the_last_two_weeks(client, world):
    plan_in_effect(world)
    note = {
        "contact_type": "phone",
        "duration_minutes": 15,
        "sections": {"data": "Talked about the new job", "assessment": "Well", "plan": "Call"},
    }
    monitoring_services.note_save(
        client=world.client,
        by=world.alice,
        sign=True,
        contact_at=timezone.now() - timedelta(days=2),
        **note,
    )
    monitoring_services.note_save(
        client=world.client,
        by=world.alice,
        sign=True,
        contact_at=timezone.now() - timedelta(days=20),
        **(note | {"sections": {"data": "An old visit", "assessment": "-", "plan": "-"}}),
    )
    monitoring_services.check_in_record(
        client=world.client, by=world.cody, mood=3, craving=8, used_since_last=False, sleep="poorly"
    )
    shift_now(world)
    response = _open(client, world)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not sleeping" in body and "My daughter" in body  # the plan in effect
    assert "Talked about the new job" in body and "Mood 3/10, craving 8/10" in body
    assert "An old visit" not in body
    assert "<form" not in body.split('id="main"')[1].split("Log this call")[1]  # read-only


def test_every_opening_is_audited_as_on_call_and_the_timeline_hears_once_a_shift(client, world):
    shift = shift_now(world)
    _open(client, world)
    _open(client, world)
    events = AuditEvent.objects.filter(action=services.ON_CALL_READ, client_id=world.client.pk)
    assert events.count() == 2
    assert all(event.changes["shift"] == shift.pk for event in events)
    assert not AuditEvent.objects.filter(action="break_glass").exists()
    entries = world.client.timeline.filter(kind="on_call")
    assert entries.count() == 1 and entries.get().needs_action == "read_clinical"
    assert OnCallOpening.objects.filter(client=world.client, shift=shift).count() == 2


@pytest.mark.parametrize("person", ["alice", "sue", "cody", "ivy", "otto", "charlie", "ada"])
def test_nobody_off_shift_opens_the_on_call_view(client, world, person):
    shift_now(world)
    assert _open(client, world, person).status_code == 404
    assert not AuditEvent.objects.filter(action=services.ON_CALL_READ, actor__username=person)


def test_another_programs_or_organisations_client_is_not_found_on_call(client, world):
    shift_now(world)
    stranger = ClientFactory(program=world.other_program, registered_by=world.ivy)
    assert _open(client, world, client=stranger).status_code == 404
    assert _open(client, world, client=world.foreign_client).status_code == 404


def test_the_caller_is_found_by_name_case_number_or_phone_among_the_programs_clients(client, world):
    world.client.phone = "5558675309"  # stored as digits (clients.validation)
    world.client.save()
    ClientFactory(
        program=world.other_program,
        registered_by=world.ivy,
        legal_first_name="Jamie",
        legal_last_name="Rivera-Other",
    )
    client.force_login(world.bob)
    not_on_call = client.post(reverse("on_call_find"), {"q": "Rivera"}).content.decode()
    assert "You are not on call now" in not_on_call and world.client.case_number not in not_on_call
    shift_now(world)
    for term in ("Rivera", world.client.case_number, "8675309"):
        body = client.post(reverse("on_call_find"), {"q": term}).content.decode()
        assert reverse("on_call_client", args=[world.client.pk]) in body, term
        assert "Rivera-Other" not in body
    searches = AuditEvent.objects.filter(object_type="on_call_search")
    assert searches.count() == 3 and "Rivera" not in str(searches.first().changes)


def test_the_case_manager_hears_of_openings_and_calls_the_next_morning(client, world):
    since = timezone.now() - timedelta(hours=12)
    shift_now(world)
    _open(client, world)
    _mother_called(world, at=timezone.now() - timedelta(minutes=5), follow_up_needed=True)
    for person in ("alice", "sue"):
        found = queries.on_call_openings(getattr(world, person), since)
        # Newest first: the call was taken five minutes before the worker opened the record.
        assert [event.kind for event in found] == ["opening", "after_hours"], person
        assert {event.client_id for event in found} == {world.client.pk}
        assert found[1].follow_up_needed and found[1].by == world.bob.display_name
        assert not found[0].follow_up_needed and found[0].by == world.bob.display_name
        assert found[0].at > found[1].at
    for person in ("bob", "cody", "ivy", "charlie", "otto"):
        assert queries.on_call_openings(getattr(world, person), since) == [], person
    assert queries.on_call_openings(world.alice, timezone.now() + timedelta(minutes=1)) == []


def test_on_call_openings_costs_one_query(client, world, django_assert_num_queries):
    shift_now(world)
    _open(client, world)
    _mother_called(world, at=timezone.now(), follow_up_needed=False)
    # Openings and calls together, with the clients as a subquery.
    with django_assert_num_queries(1):
        found = queries.on_call_openings(world.sue, timezone.now() - timedelta(days=1))
    assert sorted(event.kind for event in found) == ["after_hours", "opening"]


def test_who_is_on_call_now(world):
    assert queries.on_call_now([world.program.pk, world.other_program.pk]) == {
        world.program.pk: [],
        world.other_program.pk: [],
    }
    shift_now(world)
    assert queries.on_call_now([world.program.pk]) == {world.program.pk: [world.bob]}
