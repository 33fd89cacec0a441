"""Shared steps for appointment and calendar tests: a time on a day near today, and an
appointment scheduled through the service."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from casebridge.monitoring.services import appointments


def at(days=0, hour=9, minute=0):
    """That wall-clock time, `days` from today, where the program works."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def schedule(world, by=None, *, kind="court", days=1, hour=9, minutes=60, **overrides):
    """A series (by default one court hearing tomorrow 9 to 10) scheduled by alice."""
    starts_at = overrides.pop("starts_at", None) or at(days, hour)
    fields = {
        "client": world.client,
        "by": by or world.alice,
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": overrides.pop("ends_at", None) or starts_at + timedelta(minutes=minutes),
        "place": "County Courthouse, Room 4",
        "provider": "County Drug Court",
    }
    fields.update(overrides)
    return appointments.appointment_schedule(**fields)


def one(world, **kwargs):
    """One appointment (not repeating), as scheduled."""
    return schedule(world, **kwargs).appointments.get()
