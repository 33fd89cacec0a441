"""The moves between an appointment's statuses: the table itself, and the service refusing every
move the table does not have (each from-status against each to-status)."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.monitoring.appointment_statuses import (
    HOLDS_TIME,
    MOVES,
    OUTCOMES,
    AppointmentStatus,
    is_allowed,
)
from casebridge.monitoring.models.appointments import Appointment
from casebridge.monitoring.services import appointments as services
from tests.monitoring.appointment_steps import one

S = AppointmentStatus
ALLOWED = {
    (S.SCHEDULED, S.ATTENDED),
    (S.SCHEDULED, S.MISSED),
    (S.SCHEDULED, S.CANCELLED),
    (S.SCHEDULED, S.RESCHEDULED),
    (S.MISSED, S.ATTENDED),
}
PAIRS = list(itertools.product(S.values, S.values))


def test_every_status_has_a_row():
    assert set(MOVES) == set(S.values)


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_the_table(from_status, to_status):
    assert is_allowed(from_status, to_status) == ((from_status, to_status) in ALLOWED)


def test_outcomes_and_what_holds_time():
    assert {S.ATTENDED, S.MISSED} == OUTCOMES
    assert {S.SCHEDULED, S.ATTENDED, S.MISSED} == HOLDS_TIME


def _in_status(world, status):
    """A court hearing yesterday, put in `status` as if recorded."""
    appointment = one(world, days=-1)
    if status != S.SCHEDULED:
        Appointment.objects.filter(pk=appointment.pk).update(
            status=status, status_changed_at=timezone.now()
        )
        appointment.refresh_from_db()
    return appointment


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a, b in PAIRS if b != S.RESCHEDULED],
)
def test_the_service_makes_exactly_the_moves_the_table_allows(world, from_status, to_status):
    appointment = _in_status(world, from_status)
    if (from_status, to_status) in ALLOWED:
        moved = services.appointment_set_status(
            appointment=appointment, by=world.alice, to_status=to_status, version=1
        )
        assert moved.status == to_status
    else:
        with pytest.raises(ValidationError) as raised:
            services.appointment_set_status(
                appointment=appointment, by=world.alice, to_status=to_status, version=1
            )
        assert "status" in raised.value.message_dict
        appointment.refresh_from_db()
        assert appointment.status == from_status


@pytest.mark.parametrize("from_status", S.values)
def test_only_a_scheduled_appointment_is_rescheduled(world, from_status):
    appointment = _in_status(world, from_status)
    when = {"starts_at": appointment.starts_at + timezone.timedelta(days=3)}
    when["ends_at"] = when["starts_at"] + timezone.timedelta(hours=1)
    if from_status == S.SCHEDULED:
        moved = services.appointment_reschedule(
            appointment=appointment, by=world.alice, version=1, **when
        )
        appointment.refresh_from_db()
        assert (appointment.status, moved.status) == (S.RESCHEDULED, S.SCHEDULED)
    else:
        with pytest.raises(ValidationError, match="only a scheduled one is rescheduled"):
            services.appointment_reschedule(
                appointment=appointment, by=world.alice, version=1, **when
            )
