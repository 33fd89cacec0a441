"""Every write of appointments and obligations: scheduling one or a repeating series (made into
its occurrences at once), changing the details, rescheduling, recording whether the client
went, following up a missed one, cancelling the rest of a series, and the obligations a care
plan in effect asks for. One transaction each; validated before saving; audited; a missed
appointment and its follow-up told to the timeline.

Errors are keyed by what they concern: `date` (too far back or ahead), `starts_at` (a clash with
another appointment, or an outcome recorded before the start), `ends_at`, `until`, `status`, and
the text fields by name.
"""

import calendar
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import dateformat, timezone

from casebridge.access.policy import Action, may
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients import services as client_services
from casebridge.clients.extensions import due_changed
from casebridge.clients.models import Client
from casebridge.inputs import local_moment, text_problem
from casebridge.monitoring.appointment_statuses import (
    HOLDS_TIME,
    OUTCOMES,
    AppointmentStatus,
    is_allowed,
)
from casebridge.monitoring.models.appointments import (
    MAX_APPOINTMENT_MINUTES,
    TIMELINE_KIND,
    Appointment,
    AppointmentKind,
    AppointmentSeries,
    Recurrence,
)
from casebridge.plans.models import FREQUENCY_DAYS, CarePlan, Frequency, Intervention, Responsible

# Clocks on phones and laptops drift: "it has started" may arrive a little ahead of the server.
CLOCK_SKEW = timedelta(minutes=5)
# A new appointment may be added up to a year after the fact (a record caught up) and no more
# than two years ahead (a typing slip in the year, not a plan).
BACK_DATED_DAYS = 365
AHEAD_DAYS = 730
# Occurrences of a series are made this far ahead of its first day (or of today).
MADE_AHEAD = timedelta(weeks=26)
NOTE_LIMIT = 1000
LINE_LIMIT = 200
STATUS_NOTE_LIMIT = 300
CONFLICT_MESSAGE = (
    "This appointment was changed from another window or device while you were looking at it. "
    "Nothing was saved; read it again below and make your change again."
)


# Plain words


def house_date(moment: datetime | date) -> str:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return f"{day:%b} {day.day}, {day.year}"


def clock(moment: datetime) -> str:
    """9:00 a.m., as the pages write times."""
    return dateformat.format(timezone.localtime(moment), "g:i a")


def when_text(appointment: Appointment) -> str:
    """When it is, in words: "Mar 3, 2026, 9:00 a.m. to 10:00 a.m." (or ", any time")."""
    if not appointment.timed:
        return f"{house_date(appointment.starts_at)}, any time"
    return (
        f"{house_date(appointment.starts_at)}, {clock(appointment.starts_at)} to "
        f"{clock(appointment.ends_at)}"
    )


# Checks


def _may_record(by: User, client: Client) -> None:
    """Scheduling and changing appointments is recording contacts' work: case managers,
    supervisors and intake (not coaches; see the object rule for what coaches record)."""
    if (
        not Client.objects.restrict(by, Action.RECORD_CONTACT, include_emergency=False)
        .filter(pk=client.pk)
        .exists()
    ):
        raise ValidationError("Your role does not schedule appointments for this client.")


def _text(errors: dict[str, str], field: str, value: str, *, limit: int, multiline: bool) -> str:
    value = (value or "").strip()
    problem = text_problem(value, multiline=multiline, max_length=limit)
    if problem:
        errors[field] = problem
    return value


def _check_times(errors: dict[str, str], starts_at: datetime, ends_at: datetime) -> None:
    """The end after the start, within twelve hours, on a day not far back nor far ahead."""
    # Compared as instants: two times in one zone compare by the clock face in Python.
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    if ends_at <= starts_at:
        errors["ends_at"] = "The end is before the start. Check the end time or the length."
    elif ends_at - starts_at > timedelta(minutes=MAX_APPOINTMENT_MINUTES):
        errors["ends_at"] = "An appointment lasts at most 12 hours. Check the end time."
    today = timezone.localdate()
    day = timezone.localdate(starts_at)
    if day < today - timedelta(days=BACK_DATED_DAYS):
        errors["date"] = (
            "That is more than a year ago. Check the date: appointments are added up to a year "
            "after they happened."
        )
    elif day > today + timedelta(days=AHEAD_DAYS):
        errors["date"] = "That is more than two years ahead. Check the year."


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def _clash(
    client: Client, slots: list[Slot], *, leaving_out: int | None = None
) -> tuple[Slot, Appointment] | None:
    """The first of `slots` that overlaps an appointment of the client's that holds its time,
    and that appointment (one query). Touching is not overlapping: 9-10 then 10-11 is fine.
    Appointments without a time hold no slot."""
    if not slots:
        return None
    existing = Appointment.objects.filter(
        client=client,
        timed=True,
        status__in=HOLDS_TIME,
        starts_at__lt=max(slot.ends_at for slot in slots),
        ends_at__gt=min(slot.starts_at for slot in slots),
    ).order_by("starts_at", "pk")
    if leaving_out is not None:
        existing = existing.exclude(pk=leaving_out)
    for slot in sorted(slots, key=lambda s: s.starts_at):
        for other in existing:
            if other.starts_at < slot.ends_at and other.ends_at > slot.starts_at:
                return slot, other
    return None


def _clash_message(slot: Slot, other: Appointment, *, repeating: bool) -> str:
    # Only people who record contacts (and so read clinical content) see this message.
    what = (
        f"{other.get_kind_display().lower()} ({clock(other.starts_at)} to {clock(other.ends_at)})"
    )
    if repeating:
        return (
            f"The one on {house_date(slot.starts_at)} would overlap the client's {what}. Choose "
            "another time, or end the repeats before that day."
        )
    return (
        f"This overlaps the client's {what} on {house_date(other.starts_at)}. Choose another "
        "time, or reschedule that one first."
    )


# Occurrences


def _add_months(first: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day when it is shorter
    (a series on the 31st falls on Apr 30)."""
    index = first.month - 1 + months
    year, month = first.year + index // 12, index % 12 + 1
    return date(year, month, min(first.day, calendar.monthrange(year, month)[1]))


STEP_DAYS: dict[str, int] = {Recurrence.DAILY: 1, Recurrence.WEEKLY: 7, Recurrence.FORTNIGHTLY: 14}


def occurrence_days(
    first: date, recurrence: str, *, until: date | None = None, today: date | None = None
) -> list[date]:
    """The days a series falls on, from `first` to `until`, made no further than 26 weeks past
    the first day or today, whichever is later."""
    if recurrence == Recurrence.NONE:
        return [first]
    horizon = max(first, today or timezone.localdate()) + MADE_AHEAD
    last = min(until, horizon) if until is not None else horizon
    days: list[date] = []
    count = 0
    while True:
        if recurrence == Recurrence.MONTHLY:
            day = _add_months(first, count)
        else:
            day = first + timedelta(days=STEP_DAYS[recurrence] * count)
        if day > last:
            return days
        days.append(day)
        count += 1


def _at(day: date, clock_time: time) -> datetime:
    """That wall-clock time on that day where the program works (so 9 a.m. stays 9 a.m. across
    a change of the clocks), in UTC so the length added to it is real minutes. On the night the
    clocks skip that time, the same time by the clock before they went forward (2:30 is 3:30)."""
    found = local_moment(day, clock_time)
    if found is not None:
        return found
    return timezone.make_aware(datetime.combine(day, clock_time)).astimezone(UTC)


def _slots(starts_at: datetime, ends_at: datetime, days: list[date]) -> list[Slot]:
    length = ends_at - starts_at
    start_time = timezone.localtime(starts_at).time()
    return [Slot(_at(day, start_time), _at(day, start_time) + length) for day in days]


# Audit and timeline


def _audited(appointment: Appointment) -> dict[str, Any]:
    return {
        "kind": appointment.kind,
        "starts at": timezone.localtime(appointment.starts_at).isoformat(),
        "ends at": timezone.localtime(appointment.ends_at).isoformat(),
        "place": appointment.place,
        "with": appointment.provider,
        "who goes with the client": appointment.accompanied_by,
        "transport arranged": appointment.transport_arranged,
        "note": appointment.note,
        "status": appointment.status,
    }


def _timeline(appointment: Appointment, by: User | None, summary: str, detail: str = "") -> None:
    """A health appointment's entry is for those who read clinical content; the others' for
    everyone who works with the client (models.appointments says why)."""
    client_services.timeline_add(
        client=appointment.client,
        kind=TIMELINE_KIND,
        summary=summary,
        detail=detail,
        actor=by,
        needs_action=Action.READ_CLINICAL if appointment.is_clinical else None,
    )


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("client", "series")
        .get(pk=appointment.pk)
    )


def _check_version(current: Appointment, version: int | None) -> None:
    check_record_version(current, version, object_type="appointment", message=CONFLICT_MESSAGE)


# Scheduling


def appointment_schedule(
    *,
    client: Client,
    by: User,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    provider: str = "",
    accompanied_by: str = "",
    transport_arranged: bool = False,
    note: str = "",
    recurrence: str = Recurrence.NONE,
    until: date | None = None,
) -> AppointmentSeries:
    """Schedule an appointment, or a series of them: every occurrence is made now, each with
    its own status, and none may overlap another appointment of the client's."""
    _may_record(by, client)
    errors: dict[str, str] = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = "Choose what kind of appointment it is."
    if recurrence not in Recurrence.values:
        errors["recurrence"] = "Choose how often it repeats."
    _check_times(errors, starts_at, ends_at)
    place = _text(errors, "place", place, limit=LINE_LIMIT, multiline=False)
    provider = _text(errors, "provider", provider, limit=LINE_LIMIT, multiline=False)
    accompanied_by = _text(
        errors, "accompanied_by", accompanied_by, limit=LINE_LIMIT, multiline=False
    )
    note = _text(errors, "note", note, limit=NOTE_LIMIT, multiline=True)
    first_day = timezone.localdate(starts_at)
    if until is not None:
        if recurrence == Recurrence.NONE:
            errors["until"] = "Choose how often it repeats, or leave the last day empty."
        elif until < first_day:
            errors["until"] = "The last day is before the first. Check the date."
        elif until > timezone.localdate() + timedelta(days=AHEAD_DAYS):
            errors["until"] = "That is more than two years ahead. Check the year."
    if errors:
        raise ValidationError(errors)
    days = occurrence_days(first_day, recurrence, until=until)
    slots = _slots(starts_at, ends_at, days)
    with transaction.atomic():
        # Two people scheduling for one client take turns, so neither misses the other's clash.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        found = _clash(client, slots)
        if found is not None:
            raise ValidationError({"starts_at": _clash_message(*found, repeating=len(slots) > 1)})
        series = AppointmentSeries(
            client=client,
            recurrence=recurrence,
            until=until,
            made_until=days[-1],
            created_by=by,
        )
        series.full_clean()
        series.save()
        fields = {
            "client": client,
            "series": series,
            "kind": kind,
            "place": place,
            "provider": provider,
            "accompanied_by": accompanied_by,
            "transport_arranged": transport_arranged,
            "note": note,
            "created_by": by,
        }
        rows = [Appointment(starts_at=s.starts_at, ends_at=s.ends_at, **fields) for s in slots]
        # The occurrences differ only in their day (each lasts the same real minutes, see
        # _slots): checking the first checks them all.
        rows[0].full_clean(exclude=["series"])
        Appointment.objects.bulk_create(rows)
        due_changed([client.pk])
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="appointment_series",
            object_id=series.pk,
            changes={name: [None, value] for name, value in _audited(rows[0]).items()}
            | {
                "repeats": [None, recurrence],
                "until": [None, until.isoformat() if until else None],
                "occurrences": [None, len(rows)],
                "last made": [None, days[-1].isoformat()],
            },
        )
    return series


def appointment_update(
    *,
    appointment: Appointment,
    by: User,
    version: int | None,
    kind: str,
    place: str = "",
    provider: str = "",
    accompanied_by: str = "",
    transport_arranged: bool = False,
    note: str = "",
) -> Appointment:
    """Change what a scheduled appointment is and who goes (its time moves by rescheduling;
    once it has happened, or not, it is kept as it was recorded)."""
    _may_record(by, appointment.client)
    errors: dict[str, str] = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = "Choose what kind of appointment it is."
    place = _text(errors, "place", place, limit=LINE_LIMIT, multiline=False)
    provider = _text(errors, "provider", provider, limit=LINE_LIMIT, multiline=False)
    accompanied_by = _text(
        errors, "accompanied_by", accompanied_by, limit=LINE_LIMIT, multiline=False
    )
    note = _text(errors, "note", note, limit=NOTE_LIMIT, multiline=True)
    with transaction.atomic():
        current = _locked(appointment)
        _check_version(current, version)
        if current.status != AppointmentStatus.SCHEDULED:
            raise ValidationError(
                f"This appointment is {current.get_status_display().lower()}; only a scheduled "
                "one is changed."
            )
        if errors:
            raise ValidationError(errors)
        before = _audited(current)
        current.kind = kind
        current.place = place
        current.provider = provider
        current.accompanied_by = accompanied_by
        current.transport_arranged = transport_arranged
        current.note = note
        save_version(
            current,
            actor=by,
            object_type="appointment",
            changes=changed_fields(before, _audited(current)),
        )
    return current


def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    version: int | None,
    starts_at: datetime,
    ends_at: datetime,
) -> Appointment:
    """Move a scheduled appointment: a new one takes its place at the new time (same details,
    same series), and this one is kept as rescheduled."""
    _may_record(by, appointment.client)
    errors: dict[str, str] = {}
    _check_times(errors, starts_at, ends_at)
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=appointment.client_id).first()
        current = _locked(appointment)
        _check_version(current, version)
        if not is_allowed(current.status, AppointmentStatus.RESCHEDULED):
            raise ValidationError(
                f"This appointment is {current.get_status_display().lower()}; only a scheduled "
                "one is rescheduled."
            )
        if errors:
            raise ValidationError(errors)
        slot = Slot(starts_at, ends_at)
        found = _clash(current.client, [slot], leaving_out=current.pk)
        if found is not None:
            raise ValidationError({"starts_at": _clash_message(*found, repeating=False)})
        now = timezone.now()
        current.status = AppointmentStatus.RESCHEDULED
        current.status_changed_by = by
        current.status_changed_at = now
        current.version += 1
        current.full_clean()
        current.save()
        moved = Appointment(
            client=current.client,
            series=current.series,
            kind=current.kind,
            starts_at=starts_at,
            ends_at=ends_at,
            timed=True,
            place=current.place,
            provider=current.provider,
            accompanied_by=current.accompanied_by,
            transport_arranged=current.transport_arranged,
            note=current.note,
            rescheduled_from=current,
            created_by=by,
        )
        moved.full_clean()
        moved.save()
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type="appointment",
            object_id=current.pk,
            changes={
                "status": [AppointmentStatus.SCHEDULED.value, AppointmentStatus.RESCHEDULED.value],
                "rescheduled to": [None, moved.pk],
                "version": [current.version - 1, current.version],
            },
        )
        audit_record(
            actor=by,
            action="create",
            client_id=current.client_id,
            object_type="appointment",
            object_id=moved.pk,
            changes={name: [None, value] for name, value in _audited(moved).items()}
            | {"rescheduled from": [None, current.pk]},
        )
    return moved


# Whether the client went


def appointment_set_status(
    *,
    appointment: Appointment,
    by: User,
    to_status: str,
    version: int | None,
    note: str = "",
) -> Appointment:
    """Record that the client went, did not go, or that it is cancelled. Whether the client
    went is recorded once it has started, by those the object rule "monitoring.record_attendance"
    allows (a coach for mutual-help meetings); cancelling is for those who schedule."""
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, limit=STATUS_NOTE_LIMIT, multiline=False)
    with transaction.atomic():
        current = _locked(appointment)
        if to_status == AppointmentStatus.RESCHEDULED:
            raise ValidationError({"status": "Reschedule it with its new date and time."})
        if to_status not in AppointmentStatus.values:
            raise ValidationError({"status": "Choose what happened from the list."})
        if to_status in OUTCOMES:
            if not may(by, "monitoring.record_attendance", current):
                raise ValidationError("Your role does not record whether the client went to this.")
        else:
            _may_record(by, current.client)
        _check_version(current, version)
        was = current.status
        if not is_allowed(was, to_status):
            raise ValidationError(
                {
                    "status": f"This appointment is {current.get_status_display().lower()}; it "
                    f"cannot be marked {AppointmentStatus(to_status).label.lower()}."
                }
            )
        if to_status in OUTCOMES and current.starts_at > timezone.now() + CLOCK_SKEW:
            errors["status"] = (
                "This appointment has not started yet. Record whether the client went once it "
                "has begun."
            )
        if errors:
            raise ValidationError(errors)
        current.status = to_status
        current.status_note = note
        current.status_changed_by = by
        current.status_changed_at = timezone.now()
        save_version(
            current,
            actor=by,
            object_type="appointment",
            changes={"status": [was, to_status]} | ({"note": [None, note]} if note else {}),
        )
        label = current.get_kind_display().lower()
        if to_status == AppointmentStatus.MISSED:
            _timeline(
                current,
                by,
                f"Missed {label}: {when_text(current)}",
                detail=_with_and_note(current, note),
            )
        elif was == AppointmentStatus.MISSED:
            _timeline(
                current,
                by,
                f"Attended after all: {label} of {house_date(current.starts_at)}",
                detail=note,
            )
    return current


def _with_and_note(appointment: Appointment, note: str) -> str:
    parts = [f"With {appointment.provider}." if appointment.provider else "", note]
    return " ".join(part for part in parts if part)


def appointment_follow_up(*, appointment: Appointment, by: User, note: str) -> Appointment:
    """Say what was done about a missed appointment (called the client, told the court), which
    takes it off the due list."""
    _may_record(by, appointment.client)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, limit=STATUS_NOTE_LIMIT, multiline=False)
    if not note and not errors:
        errors["note"] = "Say what was done, e.g. called the client, told the probation officer."
    with transaction.atomic():
        current = _locked(appointment)
        if current.status != AppointmentStatus.MISSED:
            raise ValidationError("Only a missed appointment is followed up.")
        if current.followed_up_at is not None:
            raise ValidationError("This missed appointment was already followed up.")
        if errors:
            raise ValidationError(errors)
        current.followed_up_by = by
        current.followed_up_at = timezone.now()
        current.follow_up_note = note
        save_version(
            current, actor=by, object_type="appointment", changes={"followed up": [None, note]}
        )
        _timeline(
            current,
            by,
            f"Followed up the missed {current.get_kind_display().lower()} of "
            f"{house_date(current.starts_at)}",
            detail=note,
        )
    return current


def _end_series(
    series: AppointmentSeries, by: User | None, *, from_moment: datetime, why: str
) -> int:
    """Cancel the scheduled occurrences from `from_moment` on and end the series. Returns how
    many were cancelled."""
    now = timezone.now()
    cancelled = series.appointments.filter(
        status=AppointmentStatus.SCHEDULED, starts_at__gte=from_moment
    ).update(
        status=AppointmentStatus.CANCELLED,
        status_note=why[:STATUS_NOTE_LIMIT],
        status_changed_by=by,
        status_changed_at=now,
        version=F("version") + 1,
    )
    due_changed([series.client_id])
    series.ended_at = now
    series.save(update_fields=["ended_at"])
    audit_record(
        actor=by,
        action="update",
        client_id=series.client_id,
        object_type="appointment_series",
        object_id=series.pk,
        organisation_id=series.client.organisation_id,
        changes={
            "ended": [None, why],
            "cancelled from": [None, timezone.localtime(from_moment).isoformat()],
            "occurrences cancelled": [None, cancelled],
        },
    )
    return cancelled


def series_cancel_rest(*, appointment: Appointment, by: User) -> int:
    """Cancel this occurrence and every later scheduled one of its series; the series ends.
    Returns how many were cancelled."""
    _may_record(by, appointment.client)
    with transaction.atomic():
        series = (
            AppointmentSeries.objects.select_for_update()
            .select_related("client")
            .get(pk=appointment.series_id)
        )
        if series.ended_at is not None:
            raise ValidationError("The rest of this series was already cancelled.")
        return _end_series(
            series,
            by,
            from_moment=appointment.starts_at,
            why=f"The rest of the series was cancelled by {by.display_name}.",
        )


# Obligations a care plan in effect asks for

# Steps the client, the family or a provider take: the client is expected somewhere for them.
# (The case manager's and the coach's own work is on their task lists, not the client's calendar.)
# Series that go on: made 26 weeks ahead at a time


def _to_extend(today: date) -> Any:
    """Repeating series still going whose next occurrence falls within 26 weeks of today."""
    return (
        AppointmentSeries.objects.filter(ended_at__isnull=True, made_until__lt=today + MADE_AHEAD)
        .exclude(recurrence=Recurrence.NONE)
        .filter(Q(until__isnull=True) | Q(until__gt=F("made_until")))
    )


def _extend_one(series_id: int, today: date) -> int:
    """Make one series' occurrences up to 26 weeks past today; how many were made."""
    with transaction.atomic():
        series = _to_extend(today).select_for_update().filter(pk=series_id).first()
        if series is None:
            return 0  # ended, or made by a run that finished first
        made = list(series.appointments.filter(rescheduled_from__isnull=True).order_by("starts_at"))
        if not made:
            return 0
        first, latest = made[0], made[-1]
        days = [
            day
            for day in occurrence_days(
                timezone.localdate(first.starts_at),
                series.recurrence,
                until=series.until,
                today=today,
            )
            if day > series.made_until
        ]
        if not days:
            return 0
        if first.timed:
            slots = _slots(first.starts_at, first.ends_at, days)
            # Someone may have put something else in a slot meanwhile: that day is left out.
            slots = [slot for slot in slots if _clash(series.client, [slot]) is None]
        else:
            slots = [
                Slot(_at(day, time.min), _at(day + timedelta(days=1), time.min)) for day in days
            ]
        # The details as they were last changed, on the newest occurrence made.
        Appointment.objects.bulk_create(
            Appointment(
                client_id=series.client_id,
                series=series,
                kind=latest.kind,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                timed=first.timed,
                place=latest.place,
                provider=latest.provider,
                accompanied_by=latest.accompanied_by,
                transport_arranged=latest.transport_arranged,
                note=latest.note,
                created_by_id=series.created_by_id,
            )
            for slot in slots
        )
        due_changed([series.client_id])
        was = series.made_until
        series.made_until = days[-1]
        series.save(update_fields=["made_until"])
        audit_record(
            actor=None,
            action="update",
            client_id=series.client_id,
            object_type="appointment_series",
            object_id=series.pk,
            changes={
                "last made": [was.isoformat(), days[-1].isoformat()],
                "occurrences": [0, len(slots)],
            },
            organisation_id=series.client.organisation_id,
        )
        return len(slots)


def series_extend(*, today: date | None = None) -> int:
    """Make the next occurrences of every repeating series that goes on past what was made
    (no last day, or one further than 26 weeks), so a weekly drug test scheduled in January
    is still on the calendar in August. Each series in its own transaction under its lock, and
    only days after what was made: running it twice, or again after it was cut short, makes
    nothing twice."""
    today = today or timezone.localdate()
    ids = list(_to_extend(today).values_list("pk", flat=True))
    return sum(_extend_one(series_id, today) for series_id in ids)


PLAN_OBLIGATIONS = frozenset({Responsible.CLIENT, Responsible.FAMILY, Responsible.PROVIDER})
# A plan's cadence as a calendar repeats; "as needed" has no day to put on a calendar.
CADENCE: dict[str, str] = {
    Frequency.ONCE: Recurrence.NONE,
    Frequency.DAILY: Recurrence.DAILY,
    Frequency.WEEKLY: Recurrence.WEEKLY,
    Frequency.FORTNIGHTLY: Recurrence.FORTNIGHTLY,
    Frequency.MONTHLY: Recurrence.MONTHLY,
}
# Words in an action that say plainly what kind of obligation it is; the first match wins, and
# anything else is "other". Health words come first: "court-ordered therapy" is therapy, so a
# health appointment is never shown to the whole team as a legal one (a legal one taken for
# health care is only hidden from those who do not read clinical content).
KIND_WORDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(methadone|buprenorphine|suboxone|naltrexone|vivitrol|dosing|MOUD|MAT)\b", re.I
        ),
        AppointmentKind.MOUD,
    ),
    (re.compile(r"\bpsychiatr", re.I), AppointmentKind.PSYCHIATRY),
    (
        re.compile(
            r"(therap\w*|\bcounsell?(ing|or)s?\b|\bIOP\b|intensive outpatient|\bDBT\b|\bCBT\b"
            r"|treatment|rehab\w*|outpatient|residential)",
            re.I,
        ),
        AppointmentKind.THERAPY,
    ),
    (
        re.compile(
            r"\b(doctor|physician|GP|clinic|medical|dentist|hospital|detox\w*|withdrawal|Dr\.?)\b",
            re.I,
        ),
        AppointmentKind.MEDICAL,
    ),
    (re.compile(r"\b(probation|parole)\b", re.I), AppointmentKind.PROBATION),
    (re.compile(r"\b(court|hearing|judge)\b", re.I), AppointmentKind.COURT),
    (
        re.compile(r"\b(drug (test|screen)s?|urine|UAs?|toxicology)\b", re.I),
        AppointmentKind.DRUG_TEST,
    ),
    (
        re.compile(r"\b(AA|NA|CA|12[- ]step|SMART Recovery|mutual[- ]help|sponsor)\b", re.I),
        AppointmentKind.MUTUAL_HELP,
    ),
    (re.compile(r"\bgroups?\b", re.I), AppointmentKind.GROUP),
    (re.compile(r"\b(jobs?|employ\w*)\b", re.I), AppointmentKind.EMPLOYMENT),
    (re.compile(r"\b(housing|landlord|lease|shelter)\b", re.I), AppointmentKind.HOUSING),
    (re.compile(r"\b(benefits?|SNAP|Medicaid|SSI|SSDI|welfare)\b", re.I), AppointmentKind.BENEFITS),
]


# Kinds a step's words fall back to when they name nothing more precise.
UNNAMED_KINDS = frozenset({AppointmentKind.OTHER, AppointmentKind.GROUP})


def kind_from_action(action: str) -> str:
    """The kind of obligation a plan action's words plainly name, or "other"."""
    return next(
        (kind for pattern, kind in KIND_WORDS if pattern.search(action)), AppointmentKind.OTHER
    )


def _first_day(intervention: Intervention, today: date) -> date:
    """As the plan's tasks fall due: the action's first day if it has one (not in the past),
    else one period from today."""
    if intervention.first_due_on:
        first = max(intervention.first_due_on, today)
    else:
        first = today + timedelta(days=FREQUENCY_DAYS.get(intervention.frequency, 7))
    return min(first, today + timedelta(days=AHEAD_DAYS))


def _plan_obligation(plan: CarePlan, intervention: Intervention, by: User) -> AppointmentSeries:
    """An obligation without a time (the plan names a day, not an hour), on the action's
    cadence, made 26 weeks ahead."""
    today = timezone.localdate()
    recurrence = CADENCE[intervention.frequency]
    days = occurrence_days(_first_day(intervention, today), recurrence, today=today)
    series = AppointmentSeries.objects.create(
        client_id=plan.client_id,
        recurrence=recurrence,
        made_until=days[-1],
        intervention_key=intervention.key,
        plan_action=intervention.action[:300],
        created_by=by,
    )
    kind = kind_from_action(intervention.action)
    # Fail closed: a step whose words name no kind may still be health care ("Hope House every
    # Tuesday"), and "other" and "group" are shown to the whole team, so their provider is not
    # copied onto the calendar; it stays in the plan, which is clinical.
    provider = "" if kind in UNNAMED_KINDS else intervention.provider_name[:LINE_LIMIT]
    Appointment.objects.bulk_create(
        Appointment(
            client_id=plan.client_id,
            series=series,
            kind=kind,
            starts_at=_at(day, time.min),
            ends_at=_at(day + timedelta(days=1), time.min),
            timed=False,
            provider=provider,
            created_by=by,
        )
        for day in days
    )
    due_changed([plan.client_id])
    audit_record(
        actor=by,
        action="create",
        client_id=plan.client_id,
        object_type="appointment_series",
        object_id=series.pk,
        changes={
            "from care plan version": [None, plan.sequence],
            "kind": [None, kind],
            "repeats": [None, recurrence],
            "occurrences": [None, len(days)],
            "last made": [None, days[-1].isoformat()],
        },
    )
    return series


def _activated_by(plan: CarePlan) -> User:
    """Who put the plan in effect: the last signature completes it."""
    signature = plan.signatures.select_related("recorded_by").order_by("-signed_at", "-pk").first()
    return signature.recorded_by if signature is not None else plan.created_by


def obligations_follow_plan(*, plan: CarePlan) -> list[AppointmentSeries]:
    """Put on the client's calendar an obligation for each step of the plan in effect that the
    client, the family or a provider takes, on its cadence. A step already there (by its key,
    which carries across plan versions) is left as it is, so running this again makes nothing
    new; a step the plan no longer asks for, or now asks for on another cadence, has its
    scheduled occurrences from now on cancelled. Returns the series made."""
    by = _activated_by(plan)
    with transaction.atomic():
        wanted = {
            i.key: i
            for i in plan.interventions.all()
            if i.responsible in PLAN_OBLIGATIONS and i.frequency in CADENCE
        }
        live = (
            AppointmentSeries.objects.select_for_update()
            .select_related("client")
            .filter(client_id=plan.client_id, intervention_key__isnull=False, ended_at__isnull=True)
        )
        kept: set[uuid.UUID] = set()
        now = timezone.now()
        for series in live:
            key = series.intervention_key
            intervention = wanted.get(key) if key is not None else None
            if intervention is None:
                _end_series(
                    series, by, from_moment=now, why="The care plan no longer asks for this."
                )
            elif CADENCE[intervention.frequency] != series.recurrence:
                _end_series(
                    series, by, from_moment=now, why="The care plan now asks for it on another day."
                )
            elif key is not None:
                kept.add(key)
        return [
            _plan_obligation(plan, intervention, by)
            for key, intervention in wanted.items()
            if key not in kept
        ]


def obligations_end_with_plan(*, client_id: int) -> int:
    """The client's plan closed with none in effect after it: the obligations it asked for are
    cancelled from now on. Returns how many occurrences were cancelled."""
    with transaction.atomic():
        live = (
            AppointmentSeries.objects.select_for_update()
            .select_related("client")
            .filter(client_id=client_id, intervention_key__isnull=False, ended_at__isnull=True)
        )
        now = timezone.now()
        return sum(
            _end_series(series, None, from_moment=now, why="The care plan closed.")
            for series in live
        )
