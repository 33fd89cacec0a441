"""Mutual-help and recovery meetings: a coach or case manager records one with how it is known;
the whole team sees on the timeline that it happened; the list is for those who do check-ins."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casebridge.audit.models import AuditEvent
from casebridge.clients.models import TimelineEntry
from casebridge.monitoring.models.recovery import MeetingAttendance
from casebridge.monitoring.recovery import meetings_lately
from tests.dates import resolved_all, tomorrow
from tests.monitoring.recovery_helpers import days_ago, record_meeting, today


def url(name, world):
    return reverse(name, kwargs={"client_id": world.client.pk})


def test_a_coach_records_a_meeting_those_who_read_check_ins_see_happened(world):
    meeting = record_meeting(world)
    assert (meeting.fellowship, meeting.verification) == ("na", "signed_sheet")
    entry = TimelineEntry.objects.get(client=world.client, kind="meeting")
    # As on the Recovery tab: coaches, case managers and supervisors, not intake.
    assert entry.needs_action == "check_in"
    assert "Narcotics Anonymous (NA) (signed attendance sheet)" in entry.summary
    assert AuditEvent.objects.filter(
        object_type="meeting_attendance", object_id=str(meeting.pk), action="create"
    ).exists()


def test_another_group_is_named_and_the_name_is_dropped_for_the_listed_ones(world):
    with pytest.raises(ValidationError) as error:
        record_meeting(world, fellowship="other")
    assert "Name the group" in " ".join(error.value.message_dict["other_fellowship"])
    other = record_meeting(world, fellowship="other", other_fellowship="Recovery Dharma")
    assert other.fellowship_name == "Recovery Dharma"
    listed = record_meeting(world, fellowship="smart", other_fellowship="Recovery Dharma")
    assert listed.other_fellowship == "" and listed.fellowship_name == "SMART Recovery"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"attended_on": tomorrow}, "attended_on"),
        ({"fellowship": "book_club"}, "fellowship"),
        ({"verification": "hunch"}, "verification"),
        ({"meeting_name": "x" * 201}, "meeting_name"),
        ({"meeting_name": "Tues\nday"}, "meeting_name"),
    ],
)
def test_what_a_meeting_cannot_be_is_refused_beside_the_field(world, changes, field):
    with pytest.raises(ValidationError) as error:
        record_meeting(world, **resolved_all(changes))
    assert field in error.value.message_dict
    assert not MeetingAttendance.objects.exists()


def test_meetings_in_the_last_thirty_days_count_verified_ones_apart(world):
    record_meeting(world, attended_on=days_ago(29))
    record_meeting(world, attended_on=days_ago(2), verification="self_reported")
    record_meeting(world, attended_on=days_ago(30))
    counted = meetings_lately(world.client)
    assert (counted.total, counted.verified, counted.days) == (2, 1, 30)


def test_a_coach_records_a_meeting_from_the_page_and_sees_it_listed(client, world):
    client.force_login(world.cody)
    response = client.post(
        url("meeting_new", world),
        {
            "attended_on": today().isoformat(),
            "fellowship": "aa",
            "meeting_name": "Sunrise group",
            "verification": "coach",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("recovery", world)
    body = client.get(url("recovery", world)).content.decode()
    assert "Alcoholics Anonymous (AA)" in body and "Sunrise group" in body
    assert "Coach went or confirmed" in body
    assert "1 meeting in the last 30 days, 1 verified" in body


def test_a_meeting_in_the_future_is_refused_beside_the_date(client, world):
    client.force_login(world.alice)
    response = client.post(
        url("meeting_new", world),
        {
            "attended_on": (today() + timedelta(days=2)).isoformat(),
            "fellowship": "aa",
            "verification": "app",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_attended_on_error"' in body and "once it has happened" in body
    assert not MeetingAttendance.objects.exists()


@pytest.mark.parametrize("person", ["bob", "ivy", "charlie"])
def test_those_who_do_not_coach_or_manage_the_client_cannot_record_meetings(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(url("meeting_new", world)).status_code == 404
