"""An appointment's statuses and the moves between them, in one table the services enforce.

Each occurrence of a recurring appointment has its own status. A scheduled appointment is
attended, missed, cancelled, or rescheduled (a new appointment takes its place; this one keeps
the history). A missed one may turn out to have been attended after all (the court's paperwork
arrives a week later); attended, cancelled and rescheduled are final.
"""

from django.db import models


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"
    RESCHEDULED = "rescheduled", "Rescheduled"


MOVES: dict[str, frozenset[str]] = {
    AppointmentStatus.SCHEDULED: frozenset(
        {
            AppointmentStatus.ATTENDED,
            AppointmentStatus.MISSED,
            AppointmentStatus.CANCELLED,
            AppointmentStatus.RESCHEDULED,
        }
    ),
    AppointmentStatus.MISSED: frozenset({AppointmentStatus.ATTENDED}),
    AppointmentStatus.ATTENDED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.RESCHEDULED: frozenset(),
}

# Whether the client went: recorded only once the appointment has started.
OUTCOMES = frozenset({AppointmentStatus.ATTENDED, AppointmentStatus.MISSED})

# An appointment in one of these holds its time: another for the same client may not overlap it.
# A cancelled or rescheduled one frees its slot.
HOLDS_TIME = frozenset(
    {AppointmentStatus.SCHEDULED, AppointmentStatus.ATTENDED, AppointmentStatus.MISSED}
)


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in MOVES.get(from_status, frozenset())
