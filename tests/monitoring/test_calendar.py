"""The Calendar tab, an appointment's page, My calendar, and the due items appointments add:
what each person sees and may do, refusals beside the field, and not found across organisations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.clients.extensions import due_items
from casebridge.monitoring.calendar import (
    appointments_due,
    calendar_request,
    health_appointments_due,
    window,
)
from casebridge.monitoring.models.appointments import Appointment
from casebridge.monitoring.services import appointments as services
from tests.factories import ClientFactory
from tests.monitoring.appointment_steps import at, one, schedule


def calendar_url(world, client=None, **query):
    url = reverse("client_calendar", kwargs={"client_id": (client or world.client).pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(appointment):
    return reverse(
        "appointment_detail",
        kwargs={"client_id": appointment.client_id, "appointment_id": appointment.pk},
    )


def page(http, person, url):
    http.force_login(person)
    response = http.get(url)
    return response, response.content.decode()


@pytest.fixture
def week(world):
    """Today: a court hearing 9-10 and a therapy session 11-12, both this week."""
    world.hearing = one(world, days=0, hour=9, place="Court-place-4711")
    world.therapy = one(
        world,
        kind="therapy",
        days=0,
        hour=11,
        place="Therapy-place-8812",
        provider="Dr-Okafor-5531",
        note="Therapy-note-7730",
    )
    return world


# The window a page shows


def test_a_week_runs_from_monday_and_a_day_is_itself():
    day = timezone.localdate()
    first, last = window("week", day)
    assert first.weekday() == 0 and last - first == timedelta(days=6) and first <= day <= last
    assert window("day", day) == (day, day)


@pytest.mark.parametrize(
    ("view", "on"),
    [(None, None), ("month", "2026-02-30"), ("week", "²０２６-01-01"), ("day", "1850-01-01")],
)
def test_what_the_query_string_does_not_say_well_is_this_week_or_today(view, on):
    mode, day = calendar_request(view, on)
    assert mode == ("day" if view == "day" else "week")
    assert day == timezone.localdate()


# The Calendar tab


def test_the_case_manager_sees_the_week_with_details_and_can_schedule(client, week):
    response, body = page(client, week.alice, calendar_url(week))
    assert response.status_code == 200
    assert "Court hearing" in body and "Court-place-4711" in body and "County Drug Court" in body
    assert "Therapy or counselling" in body and "Dr-Okafor-5531" in body
    assert reverse("appointment_new", kwargs={"client_id": week.client.pk}) in body
    assert detail_url(week.therapy) in body
    tabs = [tab.label for tab in response.context["extra_tabs"]]
    assert "Calendar" in tabs
    # Previous and next move a week; the day view one day.
    today = timezone.localdate()
    assert f"on={today - timedelta(days=7):%Y-%m-%d}" in body
    assert f"on={today + timedelta(days=7):%Y-%m-%d}" in body
    _, day_body = page(client, week.alice, calendar_url(week, view="day", on=f"{today:%Y-%m-%d}"))
    assert f"on={today + timedelta(days=1):%Y-%m-%d}" in day_body
    assert "Transport: not arranged" in day_body


def test_a_coach_sees_a_health_appointment_only_as_a_busy_time(client, week):
    response, body = page(client, week.cody, calendar_url(week))
    assert response.status_code == 200
    assert "Court hearing" in body and "Court-place-4711" in body
    assert "Appointment (health)" in body
    for hidden in ("Therapy or counselling", "Dr-Okafor-5531", "Therapy-place-8812"):
        assert hidden not in body
    assert detail_url(week.therapy) not in body
    assert reverse("appointment_new", kwargs={"client_id": week.client.pk}) not in body
    assert client.get(detail_url(week.therapy)).status_code == 404
    detail = client.get(detail_url(week.hearing))
    assert detail.status_code == 200
    assert "Therapy-note-7730" not in detail.content.decode()


def test_a_cancelled_health_appointment_is_not_even_a_busy_time_for_the_coach(client, week):
    services.appointment_set_status(
        appointment=week.therapy, by=week.alice, to_status="cancelled", version=1
    )
    _, body = page(client, week.cody, calendar_url(week))
    assert "is-private" not in body
    _, body = page(client, week.alice, calendar_url(week))
    assert "Cancelled" in body


def test_the_calendar_pages_hold_no_inline_script_or_style(client, week):
    pages = [
        calendar_url(week),
        calendar_url(week, view="day"),
        detail_url(week.hearing),
        reverse("appointment_new", kwargs={"client_id": week.client.pk}),
        reverse("my_calendar"),
        reverse("calendar_feed_settings"),
    ]
    client.force_login(week.alice)
    for url in pages:
        body = client.get(url).content.decode()
        assert " style=" not in body, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url


@pytest.mark.parametrize(
    "name", ["client_calendar", "appointment_new", "appointment_detail", "appointment_edit"]
)
@pytest.mark.parametrize("person", ["alice", "sue", "bob", "ivy", "cody"])
def test_another_organisations_client_is_not_found(client, world, name, person):
    foreign = services.appointment_schedule(
        client=world.foreign_client,
        by=world.charlie,
        kind="court",
        starts_at=at(1),
        ends_at=at(1, 10),
    ).appointments.get()
    kwargs = {"client_id": world.foreign_client.pk}
    if name in {"appointment_detail", "appointment_edit"}:
        kwargs["appointment_id"] = foreign.pk
    client.force_login(getattr(world, person))
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_an_appointment_is_found_only_under_its_own_client(client, world):
    hearing = one(world, days=1)
    client.force_login(world.alice)
    url = reverse(
        "appointment_detail",
        kwargs={"client_id": world.engagement_client.pk, "appointment_id": hearing.pk},
    )
    assert client.get(url).status_code == 404


# Scheduling through the page


def form_data(**overrides):
    data = {
        "kind": "court",
        "date": f"{timezone.localdate() + timedelta(days=2):%Y-%m-%d}",
        "start_time": "09:00",
        "end_time": "10:00",
        "duration_minutes": "",
        "recurrence": "none",
        "until": "",
        "provider": "County Drug Court",
        "place": "Courthouse",
        "accompanied_by": "Cody",
        "transport_arranged": "on",
        "note": "",
    }
    data.update(overrides)
    return data


def post_new(http, world, **overrides):
    http.force_login(world.alice)
    url = reverse("appointment_new", kwargs={"client_id": world.client.pk})
    return http.post(url, form_data(**overrides))


def field_error(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_scheduling_from_the_page_goes_back_to_that_week(client, world):
    response = post_new(client, world, recurrence="weekly", until="", duration_minutes="")
    assert response.status_code == 302
    assert "view=week" in response["Location"]
    assert Appointment.objects.filter(client=world.client).count() == 27
    assert Appointment.objects.first().transport_arranged is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "08:30"}, "end_time", "The end is before the start."),
        ({"end_time": "", "duration_minutes": ""}, "end_time", "Give the end time, or how long"),
        ({"duration_minutes": "30"}, "duration_minutes", "does not match the end time"),
        ({"duration_minutes": "721", "end_time": ""}, "duration_minutes", "between 1 and 720"),
        ({"date": "2019-01-01"}, "date", "more than a year ago"),
        ({"date": "2099-01-01"}, "date", "more than two years ahead"),
        ({"date": "1850-01-01"}, "date", "between 1900 and 2100"),
        ({"recurrence": "weekly", "until": "2000-01-01"}, "until", "The last day is before"),
        ({"kind": "dentist"}, "kind", "Select a valid choice"),
    ],
)
def test_refusals_are_said_beside_the_field(client, world, overrides, field, message):
    response = post_new(client, world, **overrides)
    assert response.status_code == 200
    assert any(message in error for error in field_error(response, field)), response.context[
        "form"
    ].errors
    assert not Appointment.objects.exists()


def test_a_clash_is_said_beside_the_start_and_a_length_error_beside_the_length(client, world):
    one(world, days=2, hour=9)
    response = post_new(client, world, start_time="09:30", end_time="10:30")
    assert "overlaps the client's court hearing" in field_error(response, "start_time")[0]
    response = post_new(
        client, world, start_time="11:00", end_time="", duration_minutes="60", date="2019-01-01"
    )
    assert field_error(response, "date")


# Recording what happened


def status_url(appointment):
    return reverse(
        "appointment_status",
        kwargs={"client_id": appointment.client_id, "appointment_id": appointment.pk},
    )


def test_recording_attended_before_the_start_is_refused_beside_what_happened(client, world):
    tomorrow = one(world, days=1)
    client.force_login(world.alice)
    response = client.post(status_url(tomorrow), {"status": "attended", "version": "1"})
    assert response.status_code == 200
    errors = [str(e) for e in response.context["status_form"].errors["status"]]
    assert errors == [
        "This appointment has not started yet. Record whether the client went once it has begun."
    ]
    assert 'id="id_status_error"' in response.content.decode()


def test_marking_missed_and_following_up_from_the_page(client, world):
    hearing = one(world, days=-1)
    client.force_login(world.alice)
    response = client.post(status_url(hearing), {"status": "missed", "version": "1"})
    assert response.status_code == 302
    body = client.get(detail_url(hearing)).content.decode()
    assert "Follow up the missed appointment" in body
    assert 'id="id_follow_up_note"' in body and 'id="id_note"' in body  # two forms, two ids
    follow_up = reverse(
        "appointment_follow_up", kwargs={"client_id": world.client.pk, "appointment_id": hearing.pk}
    )
    empty = client.post(follow_up, {"note": ""})
    assert empty.status_code == 200 and empty.context["follow_up_form"].errors["note"]
    assert client.post(follow_up, {"note": "Called; new date set"}).status_code == 302
    hearing.refresh_from_db()
    assert hearing.follow_up_note == "Called; new date set"


def test_a_stale_status_form_is_a_conflict_and_nothing_is_saved(client, world):
    hearing = one(world, days=-1)
    services.appointment_set_status(
        appointment=hearing, by=world.sue, to_status="attended", version=1
    )
    client.force_login(world.alice)
    response = client.post(status_url(hearing), {"status": "missed", "version": "1"})
    assert response.status_code == 409
    hearing.refresh_from_db()
    assert hearing.status == "attended"


def test_a_coach_records_a_mutual_help_meeting_but_not_a_court_hearing(client, world):
    meeting = one(world, kind="mutual_help", days=-1, hour=19)
    hearing = one(world, days=-1, hour=9)
    client.force_login(world.cody)
    assert (
        client.post(status_url(meeting), {"status": "attended", "version": "1"}).status_code == 302
    )
    assert client.post(status_url(hearing), {"status": "missed", "version": "1"}).status_code == 404
    cancel = client.post(
        status_url(one(world, kind="mutual_help", days=3)), {"status": "cancelled"}
    )
    assert cancel.status_code == 200
    assert "does not schedule" in str(cancel.context["status_form"].non_field_errors())
    body = client.get(detail_url(hearing)).content.decode()
    assert "Record what happened" not in body


def test_rescheduling_and_changing_from_the_page(client, world):
    hearing = one(world, days=2, hour=9)
    client.force_login(world.alice)
    url = reverse(
        "appointment_reschedule",
        kwargs={"client_id": world.client.pk, "appointment_id": hearing.pk},
    )
    assert client.get(url).context["form"].initial["duration_minutes"] == 60
    day = f"{timezone.localdate() + timedelta(days=4):%Y-%m-%d}"
    response = client.post(
        url, {"version": "1", "date": day, "start_time": "14:00", "duration_minutes": "90"}
    )
    moved = Appointment.objects.get(status="scheduled")
    assert response["Location"] == detail_url(moved)
    assert moved.ends_at - moved.starts_at == timedelta(minutes=90)
    edit = reverse(
        "appointment_edit", kwargs={"client_id": world.client.pk, "appointment_id": moved.pk}
    )
    stale = client.post(edit, {"version": "0", "kind": "court", "place": "Room 9"})
    assert stale.status_code == 409
    saved = client.post(edit, {"version": "1", "kind": "court", "place": "Room 9"})
    assert saved.status_code == 302
    moved.refresh_from_db()
    assert moved.place == "Room 9"


def test_cancelling_the_rest_of_a_series_from_the_page(client, world):
    series = schedule(world, kind="drug_test", days=1, hour=8, recurrence="weekly")
    third = series.appointments.all()[2]
    client.force_login(world.alice)
    url = reverse(
        "appointment_series_cancel",
        kwargs={"client_id": world.client.pk, "appointment_id": third.pk},
    )
    assert client.post(url).status_code == 302
    assert series.appointments.filter(status="scheduled").count() == 2


# My calendar


def test_my_calendar_shows_the_week_across_the_caseload(client, week):
    other = ClientFactory(
        program=week.program,
        legal_first_name="Robin",
        legal_last_name="Diaz",
        primary_case_manager=week.alice,
        registered_by=week.ivy,
        stage="monitoring",
    )
    services.appointment_schedule(
        client=other, by=week.alice, kind="housing", starts_at=at(0, 14), ends_at=at(0, 15)
    )
    response, body = page(client, week.alice, reverse("my_calendar"))
    assert response.status_code == 200
    assert "Robin Diaz" in body and "Jamie Rivera" in body and "Dr-Okafor-5531" in body
    event = AuditEvent.objects.filter(object_type="staff_calendar").get()
    assert sorted(event.changes["clients"]) == sorted([week.client.pk, other.pk])
    _, coach = page(client, week.cody, reverse("my_calendar"))
    assert "Jamie Rivera" in coach and "Appointment (health)" in coach
    assert "Robin Diaz" not in coach and "Dr-Okafor-5531" not in coach
    _, bob = page(client, week.bob, reverse("my_calendar"))
    assert "Jamie Rivera" not in bob and "Court hearing" not in bob
    _, charlie = page(client, week.charlie, reverse("my_calendar"))
    assert "Jamie Rivera" not in charlie


def test_my_calendar_is_for_staff_with_a_caseload(client, world):
    for person in (world.ada, world.aud):
        client.force_login(person)
        assert client.get(reverse("my_calendar")).status_code == 404


# Due items


def test_coming_up_within_seven_days_and_missed_not_followed_up_are_due(world):
    one(world, days=0, hour=23)
    one(world, days=7, hour=9)
    one(world, days=8, hour=9)  # beyond the week
    one(world, kind="probation", days=3)
    missed = one(world, kind="drug_test", days=-3)
    services.appointment_set_status(
        appointment=missed, by=world.alice, to_status="missed", version=1
    )
    items = sorted(
        (item.label, item.due_on, item.url_name)
        for item in appointments_due([world.client.pk])[world.client.pk]
    )
    today = timezone.localdate()
    assert items == [
        ("Court hearing (2 in the next 7 days)", today, "client_calendar"),
        ("Missed drug test: follow up", today - timedelta(days=3), "client_calendar"),
        ("Probation or parole meeting", today + timedelta(days=3), "client_calendar"),
    ]
    services.appointment_follow_up(appointment=missed, by=world.alice, note="Called")
    labels = [item.label for item in appointments_due([world.client.pk])[world.client.pk]]
    assert not any(label.startswith("Missed") for label in labels)


def test_an_appointment_that_is_over_with_nothing_recorded_asks_whether_the_client_went(world):
    over = one(world, kind="court", days=-2)
    one(world, kind="court", days=-1, hour=14)
    one(world, kind="court", days=2)
    items = sorted(
        (item.label, item.due_on) for item in appointments_due([world.client.pk])[world.client.pk]
    )
    today = timezone.localdate()
    assert items == [
        ("Court hearing", today + timedelta(days=2)),
        ("Court hearing: record whether the client went (2)", today - timedelta(days=2)),
    ]
    services.appointment_set_status(
        appointment=over, by=world.alice, to_status="attended", version=1
    )
    labels = [item.label for item in appointments_due([world.client.pk])[world.client.pk]]
    assert "Court hearing: record whether the client went" in labels


def test_health_appointments_are_due_only_for_the_clinical_team(world):
    one(world, kind="psychiatry", days=2)
    assert appointments_due([world.client.pk]) == {}
    [item] = health_appointments_due([world.client.pk])[world.client.pk]
    assert item.label == "Psychiatry"
    assert due_items([world.client.pk], {"view", "check_in"})[world.client.pk] == []
    labels = [
        i.label for i in due_items([world.client.pk], {"view", "read_clinical"})[world.client.pk]
    ]
    assert labels == ["Psychiatry"]


def test_cancelled_and_attended_ones_are_not_due(world):
    upcoming = one(world, days=2)
    services.appointment_set_status(
        appointment=upcoming, by=world.alice, to_status="cancelled", version=1
    )
    went = one(world, days=-1)
    services.appointment_set_status(
        appointment=went, by=world.alice, to_status="attended", version=1
    )
    assert appointments_due([world.client.pk]) == {}


def _clients_with_appointments(world, count):
    ids = []
    for index in range(count):
        other = ClientFactory(
            program=world.program, primary_case_manager=world.alice, registered_by=world.ivy
        )
        for days, kind in ((1, "court"), (2, "therapy")):
            services.appointment_schedule(
                client=other,
                by=world.alice,
                kind=kind,
                starts_at=at(days, 9 + index % 8),
                ends_at=at(days, 10 + index % 8),
            )
        ids.append(other.pk)
    return ids


@pytest.mark.parametrize("count", [1, 25])
def test_the_due_providers_take_one_query_each_for_any_number_of_clients(
    world, django_assert_num_queries, count
):
    ids = _clients_with_appointments(world, count)
    with django_assert_num_queries(1):
        due = appointments_due(ids)
    with django_assert_num_queries(1):
        health = health_appointments_due(ids)
    assert len(due) == len(health) == count


def test_the_caseload_shows_a_missed_court_hearing_to_follow_up(client, world):
    hearing = one(world, days=-1)
    services.appointment_set_status(
        appointment=hearing, by=world.alice, to_status="missed", version=1
    )
    therapy = one(world, kind="therapy", days=-2)
    services.appointment_set_status(
        appointment=therapy, by=world.alice, to_status="missed", version=1
    )
    _, body = page(client, world.alice, reverse("caseload"))
    assert "Missed court hearing: follow up" in body
    _, coach = page(client, world.cody, reverse("caseload"))
    assert "Missed court hearing: follow up" in coach
    assert "therapy" not in coach.lower()


def test_a_move_the_status_no_longer_allows_is_said_on_the_page(client, world):
    hearing = one(world, days=-1)
    services.appointment_set_status(
        appointment=hearing, by=world.sue, to_status="attended", version=1
    )
    client.force_login(world.alice)
    response = client.post(status_url(hearing), {"status": "missed", "version": "2"})
    assert response.status_code == 200
    assert "it cannot be marked missed" in response.content.decode()


def test_details_of_a_past_appointment_are_kept_as_recorded(client, world):
    hearing = one(world, days=-1)
    services.appointment_set_status(
        appointment=hearing, by=world.alice, to_status="missed", version=1
    )
    client.force_login(world.alice)
    page_body = client.get(detail_url(hearing)).content.decode()
    assert "Change the details" not in page_body
    assert "The client went after all" in page_body
    edit = reverse(
        "appointment_edit", kwargs={"client_id": world.client.pk, "appointment_id": hearing.pk}
    )
    response = client.post(edit, {"version": "2", "kind": "therapy"})
    assert "only a scheduled one is changed" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.kind == "court"


def test_opening_an_appointment_is_on_the_audit_trail(client, world):
    hearing = one(world, days=1)
    client.force_login(world.alice)
    client.get(detail_url(hearing))
    assert AuditEvent.objects.filter(
        object_type="appointment", object_id=str(hearing.pk), action="view", actor=world.alice
    ).exists()
