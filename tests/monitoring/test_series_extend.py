"""Repeating appointments stay made 26 weeks ahead: the periodic task makes the next ones of a
series that goes on, with its time and latest details, never twice, leaving out a day someone
filled meanwhile, and never for a series that ended or reached its last day."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.monitoring.services import appointments as services
from casebridge.monitoring.services.appointments import series_extend
from casebridge.monitoring.tasks import extend_repeating_appointments
from tests.monitoring.appointment_steps import at, schedule


def test_a_weekly_series_without_a_last_day_goes_on_as_time_passes(world):
    series = schedule(world, kind="drug_test", days=1, hour=8, minutes=30, recurrence="weekly")
    made = series.appointments.count()
    assert made == 27  # the first day and 26 weeks after it
    latest = series.appointments.order_by("-starts_at").first()
    services.appointment_update(
        appointment=latest,
        by=world.alice,
        version=latest.version,
        kind="drug_test",
        place="New lab, 2nd floor",
        provider="County Lab",
        accompanied_by="",
        transport_arranged=True,
        note="",
    )
    # The first day is tomorrow: three weeks after it, three more weeks are made.
    three_weeks_on = timezone.localdate() + timedelta(days=22)
    assert series_extend(today=three_weeks_on) == 3
    assert series_extend(today=three_weeks_on) == 0  # again: nothing twice
    series.refresh_from_db()
    rows = list(series.appointments.order_by("starts_at"))
    assert len(rows) == made + 3
    new = rows[-3:]
    assert all(timezone.localtime(a.starts_at).hour == 8 for a in new)
    assert all(a.ends_at - a.starts_at == timedelta(minutes=30) for a in new)
    assert all(a.place == "New lab, 2nd floor" and a.transport_arranged for a in new)
    assert series.made_until == timezone.localdate(new[-1].starts_at)
    event = AuditEvent.objects.filter(object_type="appointment_series", action="update").get()
    assert event.changes["occurrences"] == [0, 3]


def test_a_series_that_reached_its_last_day_or_was_ended_makes_nothing_more(world):
    until = timezone.localdate() + timedelta(days=200)
    bounded = schedule(world, days=1, recurrence="weekly", until=until)
    before = bounded.appointments.count()
    assert series_extend(today=timezone.localdate() + timedelta(days=60)) > 0
    assert bounded.appointments.count() > before
    assert max(timezone.localdate(a.starts_at) for a in bounded.appointments.all()) <= until
    assert series_extend(today=timezone.localdate() + timedelta(days=400)) == 0
    ended = schedule(world, kind="probation", days=2, hour=14, recurrence="weekly")
    services.series_cancel_rest(appointment=ended.appointments.first(), by=world.alice)
    count = ended.appointments.count()
    series_extend(today=timezone.localdate() + timedelta(days=60))
    assert ended.appointments.count() == count


def test_a_day_filled_meanwhile_is_left_out_not_double_booked(world):
    series = schedule(world, kind="drug_test", days=1, hour=8, recurrence="weekly")
    next_day = series.made_until + timedelta(days=7)
    offset = (next_day - timezone.localdate()).days
    schedule(world, kind="court", starts_at=at(offset, 8), minutes=60)
    assert series_extend(today=timezone.localdate() + timedelta(days=15)) == 1
    days = {timezone.localdate(a.starts_at) for a in series.appointments.all()}
    assert next_day not in days
    assert next_day + timedelta(days=7) in days


def test_the_clock_queues_it_and_the_task_runs_it(world):
    assert "casebridge.monitoring.tasks.extend_repeating_appointments" in settings.PERIODIC_TASKS
    schedule(world, days=1, recurrence="daily")
    assert extend_repeating_appointments.call() == 0  # nothing due yet: made 26 weeks ahead
