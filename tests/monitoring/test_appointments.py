"""Appointments and obligations as the services keep them: scheduling once or repeating, what is
refused and where the refusal is said, clashes (repeating ones included), rescheduling, whether
the client went, following up a missed one, and who may do each."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import TimelineEntry
from casebridge.monitoring.models.appointments import Appointment, AppointmentSeries
from casebridge.monitoring.services import appointments as services
from casebridge.monitoring.services.appointments import occurrence_days
from tests.monitoring.appointment_steps import at, one, schedule


def errors_of(raised):
    return raised.value.message_dict


# Scheduling one


def test_a_case_manager_schedules_a_court_hearing(world):
    series = schedule(world, days=3, accompanied_by="Cody", transport_arranged=True)
    appointment = series.appointments.get()
    assert (appointment.kind, appointment.status, appointment.timed) == ("court", "scheduled", True)
    assert appointment.starts_at == at(3, 9)
    assert appointment.ends_at == at(3, 10)
    assert (appointment.accompanied_by, appointment.transport_arranged) == ("Cody", True)
    assert series.recurrence == "none" and series.made_until == at(3).date()
    event = AuditEvent.objects.get(object_type="appointment_series", object_id=str(series.pk))
    assert event.action == "create" and event.changes["kind"] == [None, "court"]
    # Scheduling is not news for the timeline; missing it is.
    assert not TimelineEntry.objects.filter(kind="appointment").exists()


def test_the_end_before_the_start_is_refused_beside_the_end(world):
    for ends_at in (at(1, 8), at(1, 9)):
        with pytest.raises(ValidationError) as raised:
            schedule(world, starts_at=at(1, 9), ends_at=ends_at)
        assert errors_of(raised) == {
            "ends_at": ["The end is before the start. Check the end time or the length."]
        }


def test_an_appointment_lasts_at_most_twelve_hours(world):
    schedule(world, starts_at=at(1, 8), ends_at=at(1, 20))
    with pytest.raises(ValidationError) as raised:
        schedule(world, starts_at=at(2, 8), ends_at=at(2, 20, 1))
    assert "12 hours" in errors_of(raised)["ends_at"][0]


@pytest.mark.parametrize(
    ("days", "refused"),
    [(-365, False), (-366, True), (730, False), (731, True)],
)
def test_a_new_appointment_is_within_a_year_back_and_two_years_ahead(world, days, refused):
    if refused:
        with pytest.raises(ValidationError) as raised:
            schedule(world, days=days)
        assert set(errors_of(raised)) == {"date"}
        word = "a year ago" if days < 0 else "two years ahead"
        assert word in errors_of(raised)["date"][0]
    else:
        assert schedule(world, days=days).appointments.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "dentist"),
        ("recurrence", "hourly"),
        ("place", "x" * 201),
        ("provider", "Court\x00"),
        ("accompanied_by", "Cody\nand Pat"),
        ("note", "n" * 1001),
    ],
)
def test_what_is_not_a_choice_or_too_long_is_refused_by_field(world, field, value):
    with pytest.raises(ValidationError) as raised:
        schedule(world, **{field: value})
    assert field in errors_of(raised)
    assert not Appointment.objects.exists()


# Clashes


def test_an_overlapping_appointment_for_the_same_client_is_refused_beside_the_start(world):
    schedule(world, days=1, hour=9, minutes=60)
    with pytest.raises(ValidationError) as raised:
        schedule(world, kind="therapy", starts_at=at(1, 9, 30), ends_at=at(1, 10, 30))
    message = errors_of(raised)["starts_at"][0]
    assert "overlaps the client's court hearing (9:00 a.m. to 10:00 a.m.)" in message
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "clashes"),
    [
        ((10, 0), (11, 0), False),  # starts as the other ends
        ((8, 0), (9, 0), False),  # ends as the other starts
        ((9, 59), (11, 0), True),
        ((8, 0), (9, 1), True),
        ((8, 0), (11, 0), True),  # around it
        ((9, 15), (9, 45), True),  # inside it
    ],
)
def test_touching_is_not_overlapping(world, start, end, clashes):
    schedule(world, days=1, hour=9, minutes=60)
    attempt = {"kind": "group", "starts_at": at(1, *start), "ends_at": at(1, *end)}
    if clashes:
        with pytest.raises(ValidationError):
            schedule(world, **attempt)
    else:
        schedule(world, **attempt)


def test_another_clients_appointment_or_a_cancelled_one_is_no_clash(world):
    schedule(world, days=1)
    other = world.engagement_client
    services.appointment_schedule(
        client=other, by=world.alice, kind="court", starts_at=at(1, 9), ends_at=at(1, 10)
    )
    cancelled = one(world, days=2)
    services.appointment_set_status(
        appointment=cancelled, by=world.alice, to_status="cancelled", version=1
    )
    schedule(world, days=2)  # the cancelled one freed its slot


def test_a_repeating_series_is_refused_when_any_occurrence_clashes(world):
    existing = one(world, days=15, hour=9)
    with pytest.raises(ValidationError) as raised:
        schedule(world, kind="mutual_help", days=1, hour=9, recurrence="weekly")
    message = errors_of(raised)["starts_at"][0]
    assert f"The one on {services.house_date(existing.starts_at)}" in message
    assert "end the repeats before that day" in message
    assert AppointmentSeries.objects.count() == 1  # nothing of the refused series was saved


def test_a_single_appointment_over_an_occurrence_of_a_series_is_refused(world):
    schedule(world, kind="drug_test", days=1, hour=8, recurrence="daily", until=at(10).date())
    with pytest.raises(ValidationError) as raised:
        schedule(world, days=6, hour=8)
    assert "drug test" in errors_of(raised)["starts_at"][0]


def test_two_schedulers_for_one_client_take_turns_with_the_client_row(world):
    """The clash check and the insert are one step under the client's row lock; the lock is
    taken before the check (a query the test can see)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        schedule(world)
    statements = [q["sql"] for q in seen.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if 'FROM "clients_client"' in sql)
    check = next(i for i, sql in enumerate(statements) if 'FROM "monitoring_appointment"' in sql)
    assert lock < check


# Repeating


def test_a_weekly_series_is_made_up_to_its_last_day_each_with_its_own_status(world):
    series = schedule(world, kind="probation", days=1, recurrence="weekly", until=at(22).date())
    made = list(series.appointments.all())
    assert [a.starts_at for a in made] == [at(1), at(8), at(15), at(22)]
    assert series.made_until == at(22).date()
    made[0].starts_at = at(-1)  # (only to record an outcome in the test)
    Appointment.objects.filter(pk=made[0].pk).update(starts_at=at(-1), ends_at=at(-1, 10))
    services.appointment_set_status(
        appointment=made[0], by=world.alice, to_status="missed", version=1
    )
    statuses = list(series.appointments.values_list("status", flat=True))
    assert statuses == ["missed", "scheduled", "scheduled", "scheduled"]


def test_a_series_without_a_last_day_is_made_26_weeks_ahead(world):
    series = schedule(world, kind="mutual_help", days=0, hour=19, recurrence="daily")
    assert series.appointments.count() == 26 * 7 + 1
    assert series.made_until == timezone.localdate() + timedelta(weeks=26)


def test_a_series_keeps_its_wall_clock_time_across_a_change_of_the_clocks(world):
    today = timezone.localdate()
    march = date(today.year + 1, 3, 1)  # the clocks change in America/New_York in mid-March
    starts_at = timezone.make_aware(datetime.combine(march, time(9)))
    series = schedule(world, kind="group", starts_at=starts_at, recurrence="weekly")
    hours = {timezone.localtime(a.starts_at).hour for a in series.appointments.all()}
    offsets = {timezone.localtime(a.starts_at).utcoffset() for a in series.appointments.all()}
    assert hours == {9}
    assert len(offsets) == 2


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (-1, "The last day is before the first. Check the date."),
        (731, "That is more than two years ahead. Check the year."),
    ],
)
def test_the_last_day_of_a_series_is_checked(world, until, message):
    with pytest.raises(ValidationError) as raised:
        schedule(world, days=1, recurrence="weekly", until=at(until).date())
    assert errors_of(raised) == {"until": [message]}


def test_a_last_day_without_repeats_is_refused(world):
    with pytest.raises(ValidationError) as raised:
        schedule(world, until=at(30).date())
    assert "Choose how often it repeats" in errors_of(raised)["until"][0]


@pytest.mark.parametrize(
    ("first", "recurrence", "until", "expected"),
    [
        (date(2027, 1, 31), "monthly", date(2027, 5, 1), ["01-31", "02-28", "03-31", "04-30"]),
        (date(2028, 1, 31), "monthly", date(2028, 3, 1), ["01-31", "02-29"]),
        (date(2027, 1, 4), "fortnightly", date(2027, 2, 1), ["01-04", "01-18", "02-01"]),
        (date(2027, 1, 4), "weekly", date(2027, 1, 17), ["01-04", "01-11"]),
        (date(2027, 1, 4), "none", None, ["01-04"]),
    ],
)
def test_occurrence_days(first, recurrence, until, expected):
    days = occurrence_days(first, recurrence, until=until, today=date(2027, 1, 1))
    assert [f"{d:%m-%d}" for d in days] == expected


@given(
    first=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    recurrence=st.sampled_from(["daily", "weekly", "fortnightly", "monthly"]),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=800)),
    today=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
)
def test_occurrences_start_on_the_first_day_and_never_pass_the_last(
    first, recurrence, length, today
):
    until = first + timedelta(days=length) if length is not None else None
    days = occurrence_days(first, recurrence, until=until, today=today)
    horizon = max(first, today) + timedelta(weeks=26)
    assert days[0] == first
    assert days == sorted(set(days))
    assert days[-1] <= min(until or horizon, horizon)
    gaps = {(b - a).days for a, b in itertools.pairwise(days)}
    if recurrence == "monthly":
        assert gaps <= {28, 29, 30, 31}
    else:
        assert gaps <= {{"daily": 1, "weekly": 7, "fortnightly": 14}[recurrence]}


# Whether the client went


def test_attended_or_missed_is_refused_before_the_appointment_starts(world):
    appointment = one(world, days=1)
    for status in ("attended", "missed"):
        with pytest.raises(ValidationError) as raised:
            services.appointment_set_status(
                appointment=appointment, by=world.alice, to_status=status, version=1
            )
        assert errors_of(raised) == {
            "status": [
                "This appointment has not started yet. Record whether the client went once it "
                "has begun."
            ]
        }


def test_an_outcome_is_taken_from_the_start_allowing_for_clock_drift(world):
    starting = one(world, starts_at=timezone.now() + timedelta(minutes=4), minutes=30)
    recorded = services.appointment_set_status(
        appointment=starting, by=world.alice, to_status="attended", version=1
    )
    assert recorded.status == "attended" and recorded.version == 2
    later = one(world, starts_at=timezone.now() + timedelta(minutes=40), minutes=30)
    with pytest.raises(ValidationError):
        services.appointment_set_status(
            appointment=later, by=world.alice, to_status="attended", version=1
        )


def test_a_missed_court_hearing_goes_on_the_timeline_for_the_whole_team(world):
    hearing = one(world, days=-1, hour=9)
    services.appointment_set_status(
        appointment=hearing, by=world.alice, to_status="missed", version=1, note="No show"
    )
    entry = TimelineEntry.objects.get(kind="appointment")
    assert entry.needs_action == "view"
    assert entry.summary.startswith("Missed court hearing: ")
    assert "9:00 a.m. to 10:00 a.m." in entry.summary
    assert entry.detail == "With County Drug Court. No show"
    event = AuditEvent.objects.filter(object_type="appointment", action="update").get()
    assert event.changes["status"] == ["scheduled", "missed"]


def test_a_missed_therapy_session_is_on_the_timeline_for_the_clinical_team_only(world):
    session = one(world, kind="therapy", days=-2, provider="Dr. Okafor")
    services.appointment_set_status(
        appointment=session, by=world.alice, to_status="missed", version=1
    )
    entry = TimelineEntry.objects.get(kind="appointment")
    assert entry.needs_action == "read_clinical"


def test_a_missed_one_attended_after_all_is_corrected_on_the_timeline(world):
    hearing = one(world, days=-1)
    services.appointment_set_status(
        appointment=hearing, by=world.alice, to_status="missed", version=1
    )
    services.appointment_set_status(
        appointment=hearing, by=world.alice, to_status="attended", version=2, note="Paperwork"
    )
    summaries = list(
        TimelineEntry.objects.filter(kind="appointment").values_list("summary", flat=True)
    )
    assert summaries[0].startswith("Attended after all: court hearing of ")


def test_a_stale_status_change_is_a_conflict(world):
    hearing = one(world, days=-1)
    services.appointment_set_status(
        appointment=hearing, by=world.sue, to_status="attended", version=1
    )
    with pytest.raises(VersionConflict) as raised:
        services.appointment_set_status(
            appointment=hearing, by=world.alice, to_status="missed", version=1
        )
    assert raised.value.changes[0].who == "sue"


def test_rescheduled_is_not_a_status_one_records(world):
    hearing = one(world, days=1)
    with pytest.raises(ValidationError) as raised:
        services.appointment_set_status(
            appointment=hearing, by=world.alice, to_status="rescheduled", version=1
        )
    assert "new date and time" in errors_of(raised)["status"][0]


# Following up


def test_a_missed_appointment_is_followed_up_once_with_what_was_done(world):
    hearing = one(world, days=-1)
    with pytest.raises(ValidationError):
        services.appointment_follow_up(appointment=hearing, by=world.alice, note="Called")
    services.appointment_set_status(
        appointment=hearing, by=world.alice, to_status="missed", version=1
    )
    with pytest.raises(ValidationError) as raised:
        services.appointment_follow_up(appointment=hearing, by=world.alice, note="  ")
    assert "Say what was done" in errors_of(raised)["note"][0]
    done = services.appointment_follow_up(
        appointment=hearing, by=world.alice, note="Called Jamie; told the probation officer"
    )
    assert done.followed_up_by == world.alice and done.followed_up_at is not None
    entry = TimelineEntry.objects.filter(kind="appointment").first()
    assert entry.summary.startswith("Followed up the missed court hearing of ")
    with pytest.raises(ValidationError, match="already followed up"):
        services.appointment_follow_up(appointment=hearing, by=world.alice, note="Again")


# Changing, rescheduling, cancelling the rest


def test_details_change_with_the_version_opened(world):
    hearing = one(world, days=2)
    changed = services.appointment_update(
        appointment=hearing,
        by=world.alice,
        version=1,
        kind="court",
        place="Courtroom 2B",
        provider="County Drug Court",
        accompanied_by="Cody",
        transport_arranged=True,
        note="Bring the letter from the clinic",
    )
    assert (changed.place, changed.version) == ("Courtroom 2B", 2)
    event = AuditEvent.objects.get(object_type="appointment", action="update")
    assert event.changes["place"] == ["County Courthouse, Room 4", "Courtroom 2B"]
    assert event.changes["version"] == [1, 2]
    with pytest.raises(VersionConflict):
        services.appointment_update(
            appointment=hearing, by=world.sue, version=1, kind="court", place="Elsewhere"
        )


def test_rescheduling_keeps_the_old_one_and_moves_into_a_slot_it_overlapped(world):
    hearing = one(world, days=2, hour=9, accompanied_by="Cody")
    moved = services.appointment_reschedule(
        appointment=hearing,
        by=world.alice,
        version=1,
        starts_at=at(2, 9, 30),
        ends_at=at(2, 10, 30),
    )
    hearing.refresh_from_db()
    assert hearing.status == "rescheduled" and hearing.rescheduled_to == moved
    assert (moved.status, moved.accompanied_by, moved.series_id) == (
        "scheduled",
        "Cody",
        hearing.series_id,
    )
    with pytest.raises(ValidationError, match="only a scheduled one is rescheduled"):
        services.appointment_reschedule(
            appointment=hearing, by=world.alice, version=2, starts_at=at(3), ends_at=at(3, 10)
        )


def test_rescheduling_into_another_appointment_is_refused(world):
    one(world, days=3, hour=9)
    hearing = one(world, days=2, hour=9)
    with pytest.raises(ValidationError) as raised:
        services.appointment_reschedule(
            appointment=hearing, by=world.alice, version=1, starts_at=at(3, 9), ends_at=at(3, 10)
        )
    assert "overlaps" in errors_of(raised)["starts_at"][0]


def test_cancelling_the_rest_of_a_series_leaves_what_came_before(world):
    series = schedule(world, kind="drug_test", days=-14, recurrence="weekly", until=at(21).date())
    made = list(series.appointments.all())
    services.appointment_set_status(
        appointment=made[0], by=world.alice, to_status="attended", version=1
    )
    cancelled = services.series_cancel_rest(appointment=made[3], by=world.alice)
    statuses = list(series.appointments.values_list("status", flat=True))
    assert statuses == ["attended", "scheduled", "scheduled"] + ["cancelled"] * 3
    assert cancelled == 3
    series.refresh_from_db()
    assert series.ended_at is not None
    with pytest.raises(ValidationError, match="already cancelled"):
        services.series_cancel_rest(appointment=made[1], by=world.alice)


# Who may


@pytest.mark.parametrize("person", ["cody", "bob", "otto", "charlie", "ada", "aud"])
def test_only_those_who_record_contacts_schedule(world, person):
    with pytest.raises(ValidationError, match="does not schedule"):
        schedule(world, by=getattr(world, person))


def test_intake_schedules_for_clients_still_in_engagement(world):
    series = services.appointment_schedule(
        client=world.engagement_client,
        by=world.ivy,
        kind="benefits",
        starts_at=at(2, 13),
        ends_at=at(2, 14),
    )
    assert series.appointments.count() == 1
    with pytest.raises(ValidationError):
        schedule(world, by=world.ivy)


def test_a_coach_records_whether_the_client_went_to_a_mutual_help_meeting_only(world):
    meeting = one(world, kind="mutual_help", days=-1, hour=19)
    recorded = services.appointment_set_status(
        appointment=meeting, by=world.cody, to_status="attended", version=1
    )
    assert recorded.status_changed_by == world.cody
    hearing = one(world, days=-1, hour=9)
    with pytest.raises(ValidationError, match="does not record whether the client went"):
        services.appointment_set_status(
            appointment=hearing, by=world.cody, to_status="missed", version=1
        )
    other = one(world, kind="mutual_help", days=-2, hour=19)
    with pytest.raises(ValidationError, match="does not schedule"):
        services.appointment_set_status(
            appointment=other, by=world.cody, to_status="cancelled", version=1
        )
    with pytest.raises(ValidationError):
        services.appointment_follow_up(appointment=other, by=world.cody, note="Called")
