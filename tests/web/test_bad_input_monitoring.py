"""Fuzzing the monitoring forms (contact notes, coaching sessions, check-ins, drug screens,
meetings, medications, appointments and the calendar feed) on the machinery of
test_bad_input_fuzz: each example starts from a valid post by the person allowed to use the form
and replaces some fields with junk; junk is never a server error, an error answer saves nothing
(no row of the form's records, no timeline entry, no flag), and the audit trail still verifies.

Below the fuzz, a few refusals the requirement names, said in plain words beside the field, that
tests/monitoring does not already check through the page."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from casebridge.clients.models import ClientFlag, TimelineEntry
from casebridge.monitoring.models import (
    CheckIn,
    CoachingSession,
    ContactNote,
    ContactNoteRules,
    NoteAddendum,
)
from casebridge.monitoring.models.appointments import Appointment, AppointmentSeries, CalendarFeed
from casebridge.monitoring.models.recovery import (
    DrugScreen,
    Medication,
    MeetingAttendance,
    ScreenResult,
)
from tests.monitoring.appointment_steps import one, schedule
from tests.monitoring.helpers import write_note
from tests.monitoring.recovery_helpers import all_negative, prescribe, record_screen
from tests.plans.helpers import ready_plan, sign_all
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid

# What the pages say beside the end of an appointment that ends before it starts.
END_BEFORE_START = "The end is before the start. Check the end time or the length."


def recorded(*kept: type[models.Model]) -> Callable[[Any], Any]:
    """Every row of the form's own records, with the client's timeline and flags: an error
    answer changes none of them (an edit that saved would change a row's values)."""

    def snapshot(mz: Any) -> Any:
        return (
            [list(model.objects.order_by("pk").values()) for model in kept],
            TimelineEntry.objects.count(),
            list(ClientFlag.objects.order_by("pk").values()),
        )

    return snapshot


def _url(name: str, **objects: Callable[[Any], Any]) -> Callable[[Any], str]:
    """The client's page `name`, with ids of the fixture's records (`note_id=lambda mz: ...`)."""
    return lambda mz: reverse(
        name,
        kwargs={"client_id": mz.world.client.pk} | {key: of(mz) for key, of in objects.items()},
    )


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _version(model: type[models.Model], of: Callable[[Any], Any]) -> Callable[[Any], int]:
    return lambda mz: model.objects.get(pk=of(mz).pk).version


def _note(mz: Any, **overrides: Any) -> dict[str, Any]:
    """A phone call an hour ago, in the default (DAP) format, on the plan's goal."""
    earlier = timezone.localtime() - timedelta(hours=1)
    return {
        "contact_date": earlier.date().isoformat(),
        "contact_time": earlier.strftime("%H:%M"),
        "contact_type": "phone",
        "duration_minutes": "25",
        "place": "By phone",
        "participants": "Jamie",
        "goals": [str(mz.goal.pk)],
        "section_data": "Jamie called about the housing list.",
        "section_assessment": "Hopeful, a little anxious.",
        "section_plan": "Visit two flats on Monday.",
    } | overrides


def _medication(**overrides: Any) -> dict[str, Any]:
    return {
        "drug": "Methadone oral solution",
        "use_disorder": "methadone",
        "dose": "80 mg daily, observed",
        "prescriber": "Dr. Ortiz",
        "pharmacy": "Harbor Opioid Treatment Program",
        "started_on": _day(-3),
        "ends_on": _day(27),
        "screens_as": ["methadone"],
        "adherence_notes": "",
    } | overrides


def _appointment(**overrides: Any) -> dict[str, Any]:
    """A court hearing the day after tomorrow, 9 to 10 (free in the fixture's calendar)."""
    return {
        "kind": "court",
        "date": _day(2),
        "start_time": "09:00",
        "end_time": "10:00",
        "duration_minutes": "",
        "recurrence": "none",
        "until": "",
        "provider": "County Drug Court",
        "place": "Courthouse",
        "accompanied_by": "Cody",
        "transport_arranged": "on",
        "note": "Bring the letter",
    } | overrides


NOTES = recorded(ContactNote, NoteAddendum)
APPOINTMENTS = recorded(Appointment, AppointmentSeries)
SCREENS = recorded(DrugScreen, ScreenResult)

CASES: dict[str, FormCase] = {
    "contact note draft": FormCase(
        user="alice",
        url=_url("note_new"),
        valid=lambda mz: _note(mz, draft="1"),
        saved=NOTES,
    ),
    "contact note signed": FormCase(
        user="alice",
        url=_url("note_new"),
        valid=lambda mz: _note(mz, sign="1"),
        saved=NOTES,
    ),
    "note edit": FormCase(
        user="alice",
        url=_url("note_edit", note_id=lambda mz: mz.draft.pk),
        valid=lambda mz: _note(mz, version=_version(ContactNote, lambda m: m.draft)(mz)),
        saved=NOTES,
    ),
    "note edit and sign": FormCase(
        user="alice",
        url=_url("note_edit", note_id=lambda mz: mz.draft.pk),
        valid=lambda mz: _note(mz, version=_version(ContactNote, lambda m: m.draft)(mz), sign="1"),
        saved=NOTES,
    ),
    "note addendum": FormCase(
        user="alice",
        url=_url("note_addendum", note_id=lambda mz: mz.signed.pk),
        valid=lambda mz: {"text": "The visit is on Tuesday, not Monday."},
        saved=NOTES,
    ),
    "note cosign": FormCase(
        # The button posts nothing but the token: the fuzz checks that the bare post, as sent,
        # is handled (its junk is in the address, which the access tests cover).
        user="sue",
        url=_url("note_cosign", note_id=lambda mz: mz.waiting.pk),
        valid=lambda mz: {},
        saved=NOTES,
    ),
    "coaching session": FormCase(
        user="cody",
        url=_url("coaching_new"),
        valid=lambda mz: {
            "session_on": _day(0),
            "kind": "accompaniment",
            "duration_minutes": "90",
            "topics": ["meetings", "family"],
            "next_step": "Sunday family dinner",
        },
        saved=recorded(CoachingSession),
    ),
    "check-in": FormCase(
        user="cody",
        url=_url("check_in_new"),
        valid=lambda mz: {
            "mood": "7",
            "craving": "2",
            "used_since_last": "yes",
            "use_detail": "Two beers on Saturday",
            "meetings_since_last": "3",
            "sleep": "well",
            "stressors": "Work",
            "needs_help_with": "A ride on Thursday",
        },
        saved=recorded(CheckIn),
    ),
    "drug screen": FormCase(
        user="alice",
        url=_url("screen_new"),
        valid=lambda mz: {
            "collected_on": _day(-1),
            "status": "tested",
            "specimen": "urine",
            "observed": "yes",
            "method": "point_of_care",
            "custody_id": "COC-8",
            "panel": "urine_5",
            "problems": [],
            "expected": ["buprenorphine"],
            "result_amphetamines": "negative",
            "result_cocaine": "negative",
            "result_cannabis": "negative",
            "result_opiates": "negative",
            "result_pcp": "negative",
        },
        saved=SCREENS,
    ),
    "screen confirmation": FormCase(
        user="alice",
        url=_url("screen_confirm", screen_id=lambda mz: mz.screen.pk),
        valid=lambda mz: {
            "version": _version(DrugScreen, lambda m: m.screen)(mz),
            "confirmation_cocaine": "negative",
        },
        saved=SCREENS,
    ),
    "meeting": FormCase(
        user="cody",
        url=_url("meeting_new"),
        valid=lambda mz: {
            "attended_on": _day(0),
            "fellowship": "other",
            "other_fellowship": "Recovery Dharma",
            "meeting_name": "Sunrise group",
            "verification": "coach",
        },
        saved=recorded(MeetingAttendance),
    ),
    "medication": FormCase(
        user="alice",
        url=_url("medication_new"),
        valid=lambda mz: _medication(),
        saved=recorded(Medication),
    ),
    "medication edit": FormCase(
        user="alice",
        url=_url("medication_edit", medication_id=lambda mz: mz.medication.pk),
        valid=lambda mz: _medication(
            version=_version(Medication, lambda m: m.medication)(mz),
            drug=mz.medication.drug,
            use_disorder="buprenorphine",
            screens_as=["buprenorphine"],
            started_on=mz.medication.started_on.isoformat(),
            ends_on=mz.medication.ends_on.isoformat(),
            adherence_notes="Took every dose this week",
            stopped_on=_day(0),
            stop_reason="Prescriber tapered it off",
        ),
        saved=recorded(Medication),
    ),
    "appointment": FormCase(
        user="alice",
        url=_url("appointment_new"),
        valid=lambda mz: _appointment(),
        saved=APPOINTMENTS,
    ),
    "appointment repeating": FormCase(
        user="alice",
        url=_url("appointment_new"),
        valid=lambda mz: _appointment(
            kind="mutual_help",
            date=_day(3),
            start_time="18:00",
            end_time="",
            duration_minutes="60",
            recurrence="weekly",
            until=_day(31),
            provider="",
            place="St. Mark's hall",
        ),
        saved=APPOINTMENTS,
    ),
    "appointment edit": FormCase(
        user="alice",
        url=_url("appointment_edit", appointment_id=lambda mz: mz.tomorrow.pk),
        valid=lambda mz: {
            "version": _version(Appointment, lambda m: m.tomorrow)(mz),
            "kind": "court",
            "provider": "County Drug Court",
            "place": "Room 9",
            "accompanied_by": "Cody",
            "transport_arranged": "on",
            "note": "Ask for the clerk",
        },
        saved=APPOINTMENTS,
    ),
    "appointment reschedule": FormCase(
        user="alice",
        url=_url("appointment_reschedule", appointment_id=lambda mz: mz.tomorrow.pk),
        valid=lambda mz: {
            "version": _version(Appointment, lambda m: m.tomorrow)(mz),
            "date": _day(4),
            "start_time": "14:00",
            "end_time": "",
            "duration_minutes": "90",
        },
        saved=APPOINTMENTS,
    ),
    "appointment status": FormCase(
        user="alice",
        url=_url("appointment_status", appointment_id=lambda mz: mz.yesterday.pk),
        valid=lambda mz: {
            "version": _version(Appointment, lambda m: m.yesterday)(mz),
            "status": "missed",
            "note": "Did not come; no call",
        },
        saved=APPOINTMENTS,
    ),
    "appointment follow-up": FormCase(
        user="alice",
        url=_url("appointment_follow_up", appointment_id=lambda mz: mz.missed.pk),
        valid=lambda mz: {"note": "Called the client; a new date is set"},
        saved=APPOINTMENTS,
    ),
    "appointment cancel series": FormCase(
        # Like the co-signature, a button without fields.
        user="alice",
        url=_url("appointment_series_cancel", appointment_id=lambda mz: mz.in_series.pk),
        valid=lambda mz: {},
        saved=APPOINTMENTS,
    ),
    "calendar feed make": FormCase(
        user="alice",
        url=lambda mz: reverse("calendar_feed_settings"),
        valid=lambda mz: {"make": "1"},
        saved=recorded(CalendarFeed),
        # The address is shown on the page that made it, once.
        succeeded=lambda response: (
            response.status_code == 200
            and bool(response.context and response.context.get("address"))
        ),
    ),
    "calendar feed revoke": FormCase(
        user="alice",
        url=lambda mz: reverse("calendar_feed_settings"),
        valid=lambda mz: {"revoke": "1"},
        saved=recorded(CalendarFeed),
    ),
}


@pytest.fixture
def mz(world, client):
    """The client with a care plan in effect; notes signed, waiting for a co-signature (the
    program asks for one) and a draft; a screen with a positive to confirm; a prescription;
    a court hearing tomorrow, one yesterday, one missed the day before; a weekly drug test from
    tomorrow; and alice's calendar feed."""
    goal = sign_all(ready_plan(world), world).goals.get()
    signed = write_note(world.client, world.alice, sign=True)
    ContactNoteRules.objects.create(program=world.program, supervisor_cosign=True)
    waiting = write_note(world.client, world.alice, sign=True)
    assert waiting.status == "awaiting_cosign"
    draft = write_note(world.client, world.alice)
    screen = record_screen(
        world,
        collected_on=timezone.localdate() - timedelta(days=3),
        results=all_negative(cocaine="positive"),
    )
    medication = prescribe(world)
    tomorrow = one(world, days=1, hour=13)
    yesterday = one(world, days=-1, hour=9)
    missed = one(world, days=-2, hour=9)
    series = schedule(world, kind="drug_test", days=1, hour=8, recurrence="weekly")
    # What a person does on the pages, done there: the hearing marked missed, the feed made.
    client.force_login(world.alice)
    marked = client.post(
        reverse(
            "appointment_status",
            kwargs={"client_id": world.client.pk, "appointment_id": missed.pk},
        ),
        {"status": "missed", "version": str(missed.version)},
    )
    assert marked.status_code == 302
    assert client.post(reverse("calendar_feed_settings"), {"make": "1"}).status_code == 200
    client.logout()
    return SimpleNamespace(
        world=world,
        goal=goal,
        signed=signed,
        waiting=waiting,
        draft=draft,
        screen=screen,
        medication=medication,
        tomorrow=tomorrow,
        yesterday=yesterday,
        missed=missed,
        in_series=series.appointments.order_by("starts_at")[1],
    )


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_monitoring_field_is_never_a_server_error_and_saves_nothing(client, mz, name):
    post_junk(client, name, CASES[name], mz)


def test_the_valid_monitoring_posts_do_succeed(client, mz):
    """The fuzz starts from posts that work, so junk is what makes an answer an error."""
    post_valid(client, CASES, mz)


# Refusals in plain words, beside the field the person filled in


def error_beside(response: Any, field_id: str) -> str:
    """The error shown beside the field (and listed at the top of the page)."""
    body = response.content.decode()
    assert f'id="{field_id}_error"' in body, f"no error beside {field_id}"
    assert "error-summary" in body
    return body.split(f'id="{field_id}_error">', 1)[1].split("</p>", 1)[0]


def test_a_coaching_session_in_the_future_is_refused_beside_its_date(client, mz):
    client.force_login(mz.world.cody)
    post = CASES["coaching session"].valid(mz) | {"session_on": _day(1)}
    response = client.post(_url("coaching_new")(mz), post)
    assert response.status_code == 200
    assert "The session cannot be in the future" in error_beside(response, "id_session_on")
    assert not CoachingSession.objects.exists()


def test_a_draft_moved_to_a_contact_in_the_future_is_refused_beside_the_date(client, mz):
    client.force_login(mz.world.alice)
    before = recorded(ContactNote)(mz)
    tomorrow = timezone.localtime() + timedelta(days=1)
    post = CASES["note edit"].valid(mz) | {"contact_date": tomorrow.date().isoformat()}
    response = client.post(CASES["note edit"].url(mz), post)
    assert response.status_code == 200
    assert "The contact cannot be in the future" in error_beside(response, "id_contact_date")
    assert recorded(ContactNote)(mz) == before


def test_a_reschedule_that_ends_before_it_starts_is_refused_beside_the_end(client, mz):
    client.force_login(mz.world.alice)
    before = APPOINTMENTS(mz)
    post = CASES["appointment reschedule"].valid(mz) | {
        "start_time": "14:00",
        "end_time": "13:00",
        "duration_minutes": "",
    }
    response = client.post(CASES["appointment reschedule"].url(mz), post)
    assert response.status_code == 200
    assert END_BEFORE_START in error_beside(response, "id_end_time")
    assert APPOINTMENTS(mz) == before


def test_a_repeating_series_over_another_series_slot_is_refused_beside_the_start(client, mz):
    """A daily series from today at 8, where the weekly drug test is from tomorrow at 8: the
    second day clashes, and the page says which day, with what, beside the start."""
    client.force_login(mz.world.alice)
    before = APPOINTMENTS(mz)
    post = _appointment(
        kind="mutual_help",
        date=_day(0),
        start_time="08:30",
        end_time="09:30",
        recurrence="daily",
        until=_day(6),
    )
    response = client.post(_url("appointment_new")(mz), post)
    assert response.status_code == 200
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = error_beside(response, "id_start_time")
    assert f"The one on {tomorrow:%b} {tomorrow.day}, {tomorrow.year} would overlap" in error
    assert "drug test (8:00 a.m. to 9:00 a.m.)" in error
    assert "end the repeats before that day" in error
    assert APPOINTMENTS(mz) == before


# Times at the edges: the end of the calendar, and the hour the clocks skip.


@pytest.mark.parametrize("page", ["appointment", "appointment reschedule"])
def test_a_length_that_runs_past_the_year_9999_is_refused_not_a_server_error(client, mz, page):
    """9999-12-31 23:00 plus two hours would overflow: the date's own 1900-2100 check answers
    first, beside the date."""
    client.force_login(mz.world.alice)
    case = CASES[page]
    before = APPOINTMENTS(mz)
    post = case.valid(mz) | {
        "date": "9999-12-31",
        "start_time": "23:00",
        "end_time": "",
        "duration_minutes": "120",
    }
    response = client.post(case.url(mz), post)
    assert response.status_code == 200
    assert "between 1900 and 2100" in error_beside(response, "id_date")
    assert APPOINTMENTS(mz) == before


def _clocks_skip(settings: Any) -> Any:
    """The next day (within two years, where the program works: New York here) whose 2:30 a.m.
    does not exist, because the clocks go from 2:00 to 3:00."""
    settings.TIME_ZONE = "America/New_York"
    today = timezone.localdate()
    for days in range(1, 731):
        day = today + timedelta(days=days)
        wall = datetime.combine(day, time(2, 30))
        # Through UTC and back: a time that does not exist comes back as another.
        if timezone.localtime(timezone.make_aware(wall).astimezone(UTC)).time() != wall.time():
            return day
    raise AssertionError("no change of the clocks within two years")


def test_a_repeating_series_through_the_hour_the_clocks_skip_keeps_every_length(
    client, world, settings
):
    """A weekly 2:30 to 3:00 a.m. series whose second day is the day the clocks go forward:
    each occurrence lasts its 30 real minutes (the skipped 2:30 becomes 3:30), none ends
    before it starts, and the page does not fail."""
    skipped = _clocks_skip(settings)
    client.force_login(world.alice)
    post = _appointment(
        kind="drug_test",
        date=(skipped - timedelta(days=7)).isoformat(),
        start_time="02:30",
        end_time="03:00",
        recurrence="weekly",
        until=(skipped + timedelta(days=7)).isoformat(),
    )
    response = client.post(reverse("appointment_new", args=[world.client.pk]), post)
    assert response.status_code == 302
    made = list(Appointment.objects.order_by("starts_at"))
    assert len(made) == 3
    assert all(a.ends_at - a.starts_at == timedelta(minutes=30) for a in made)
    on_the_day = timezone.localtime(made[1].starts_at)
    assert (on_the_day.date(), on_the_day.hour, on_the_day.minute) == (skipped, 3, 30)


@pytest.mark.parametrize("page", ["appointment", "appointment reschedule"])
def test_a_time_the_clocks_skip_is_refused_in_plain_words_beside_the_time(
    client, mz, settings, page
):
    """One appointment at 2:30 to 3:00 a.m. on the day the clocks go forward: 2:30 does not
    happen that day, and the form says so beside the time (not in the database's words)."""
    skipped = _clocks_skip(settings)
    client.force_login(mz.world.alice)
    case = CASES[page]
    before = APPOINTMENTS(mz)
    post = case.valid(mz) | {
        "date": skipped.isoformat(),
        "start_time": "02:30",
        "end_time": "03:00",
        "duration_minutes": "",
    }
    response = client.post(case.url(mz), post)
    assert response.status_code == 200
    assert APPOINTMENTS(mz) == before
    assert "Constraint" not in response.content.decode()
    form = response.context["form"]
    assert form.errors.get("start_time") or form.errors.get("end_time"), form.errors
    assert "The clocks go forward that night, so 2:30 AM does not happen" in str(form.errors)
