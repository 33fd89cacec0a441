"""Reads for the calendar: a client's week or day, a staff member's week across the clients
their role reaches, the appointments a calendar feed carries, the due items appointments add to
the caseload, and the object rule for who records whether the client went.

Health appointments' details reach a page only for those who read clinical content: the rows
are turned into `ShownAppointment`s here, with the details left out for anyone else, so no
template decides what a person may see (models.appointments says which kinds are health care).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from casebridge.access.policy import Action, Principal
from casebridge.accounts.models import User
from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client
from casebridge.clients.queries import reaches
from casebridge.inputs import parse_date
from casebridge.monitoring.appointment_statuses import AppointmentStatus
from casebridge.monitoring.models.appointments import (
    CLINICAL_KINDS,
    HEALTH_LABEL,
    Appointment,
    AppointmentKind,
)

WEEK, DAY = "week", "day"
UPCOMING_DAYS = 7  # "coming up" on the caseload: today and the next seven days
# Cancelled and rescheduled health appointments hold no time; someone who may not read what
# they were has nothing to learn from them.
GONE = frozenset({AppointmentStatus.CANCELLED, AppointmentStatus.RESCHEDULED})


@dataclass(frozen=True)
class ShownAppointment:
    """An appointment as one person may see it. Without `details`, it is only a busy time."""

    pk: int
    client_id: int
    client_name: str
    case_number: str
    starts_at: datetime
    ends_at: datetime
    timed: bool
    title: str
    details: bool
    status: str
    status_label: str
    place: str = ""
    provider: str = ""
    accompanied_by: str = ""
    transport_arranged: bool = False
    plan_action: str = ""
    recurring: bool = False

    @property
    def is_gone(self) -> bool:
        return self.status in GONE


def shown(
    appointment: Appointment, *, clinical: bool, client: Client | None = None
) -> ShownAppointment:
    """`clinical`: whether the person reads clinical content for this client."""
    who = client or appointment.client
    if appointment.is_clinical and not clinical:
        return ShownAppointment(
            pk=appointment.pk,
            client_id=appointment.client_id,
            client_name=who.display_name,
            case_number=who.case_number,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            timed=appointment.timed,
            title=HEALTH_LABEL,
            details=False,
            status="",
            status_label="",
        )
    series = appointment.series
    return ShownAppointment(
        pk=appointment.pk,
        client_id=appointment.client_id,
        client_name=who.display_name,
        case_number=who.case_number,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        timed=appointment.timed,
        title=appointment.get_kind_display(),
        details=True,
        status=appointment.status,
        status_label=appointment.get_status_display(),
        place=appointment.place,
        provider=appointment.provider,
        accompanied_by=appointment.accompanied_by,
        transport_arranged=appointment.transport_arranged,
        plan_action=series.plan_action if clinical else "",
        recurring=series.recurrence != "none",
    )


def _visible(appointment: Appointment, clinical: bool) -> bool:
    return clinical or not (appointment.is_clinical and appointment.status in GONE)


# The window a calendar page shows


@dataclass(frozen=True)
class CalendarDay:
    day: date
    appointments: list[ShownAppointment]
    is_today: bool


@dataclass(frozen=True)
class CalendarPage:
    mode: str
    on: date
    first: date
    last: date
    previous: date
    next: date
    days: list[CalendarDay]
    today: date

    @property
    def count(self) -> int:
        return sum(len(day.appointments) for day in self.days)


def calendar_request(view: str | None, on: str | None) -> tuple[str, date]:
    """The view (a week or a day) and the day asked for in a page's query string; anything not
    understood is this week, or today."""
    mode = DAY if view == DAY else WEEK
    try:
        day = parse_date(on)
    except ValueError:
        day = timezone.localdate()
    return mode, day


def window(mode: str, on: date) -> tuple[date, date]:
    """The days a page shows: the week from Monday that holds `on`, or that day alone."""
    if mode == DAY:
        return on, on
    monday = on - timedelta(days=on.weekday())
    return monday, monday + timedelta(days=6)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end


def _page(mode: str, on: date, shown_list: list[ShownAppointment]) -> CalendarPage:
    first, last = window(mode, on)
    step = timedelta(days=1 if mode == DAY else 7)
    today = timezone.localdate()
    by_day: dict[date, list[ShownAppointment]] = {}
    for entry in shown_list:
        by_day.setdefault(timezone.localdate(entry.starts_at), []).append(entry)
    days = [
        CalendarDay(
            day=first + timedelta(days=offset),
            appointments=sorted(
                by_day.get(first + timedelta(days=offset), []),
                key=lambda e: (e.timed, e.starts_at, e.client_name, e.pk),
            ),
            is_today=first + timedelta(days=offset) == today,
        )
        for offset in range((last - first).days + 1)
    ]
    return CalendarPage(
        mode=mode,
        on=on,
        first=first,
        last=last,
        previous=on - step,
        next=on + step,
        days=days,
        today=today,
    )


def client_calendar(client: Client, actions: frozenset[str], mode: str, on: date) -> CalendarPage:
    """The client's week or day as a person with `actions` on the client may see it."""
    clinical = Action.READ_CLINICAL in actions
    start, end = _bounds(*window(mode, on))
    rows = client.appointments.filter(starts_at__lt=end, starts_at__gte=start).select_related(
        "series"
    )
    return _page(
        mode,
        on,
        [shown(row, clinical=clinical, client=client) for row in rows if _visible(row, clinical)],
    )


def caseload_appointments(
    user: User, start: datetime, end: datetime, client_ids: list[int] | None = None
) -> QuerySet[Appointment]:
    """Appointments starting in [start, end) of the clients on the person's caseload (the
    policy's clients for the role, without emergency access), each annotated with whether the
    person reads clinical content for that client. `client_ids`, when the caller has already
    read the caseload through the policy, narrows to those clients instead of asking again."""
    clients: Any = (
        client_ids
        if client_ids is not None
        else Client.objects.restrict(user, Action.VIEW, include_emergency=False)
    )
    clinical = reaches(user, Action.READ_CLINICAL)
    return (
        Appointment.objects.filter(client__in=clients, starts_at__gte=start, starts_at__lt=end)
        .annotate(clinical=clinical)
        .select_related("client", "series")
        .order_by("starts_at", "pk")
    )


def staff_calendar(
    user: User, mode: str, on: date, client_ids: list[int] | None = None
) -> CalendarPage:
    start, end = _bounds(*window(mode, on))
    rows = caseload_appointments(user, start, end, client_ids)
    return _page(
        mode,
        on,
        [shown(row, clinical=row.clinical) for row in rows if _visible(row, row.clinical)],  # type: ignore[attr-defined]
    )


def appointment_of(client: Client, appointment_id: int) -> Appointment | None:
    return (
        client.appointments.select_related(
            "series", "status_changed_by", "followed_up_by", "created_by", "rescheduled_from"
        )
        .filter(pk=appointment_id)
        .first()
    )


# Due items on the caseload and the client's header


def _due(client_ids: list[int], clinical: bool) -> dict[int, list[DueItem]]:
    """Per client and kind: what is coming up in the next seven days, appointments that are
    over with nothing recorded of whether the client went, and missed appointments nobody has
    followed up yet (one query for any number of clients)."""
    now = timezone.now()
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    horizon = start + timedelta(days=UPCOMING_DAYS + 1)
    scheduled = Q(status=AppointmentStatus.SCHEDULED)
    upcoming = scheduled & Q(ends_at__gte=now, starts_at__lt=horizon)
    unrecorded = scheduled & Q(ends_at__lt=now)
    missed = Q(status=AppointmentStatus.MISSED, followed_up_at__isnull=True)
    kinds = Q(kind__in=CLINICAL_KINDS) if clinical else ~Q(kind__in=CLINICAL_KINDS)
    rows = (
        Appointment.objects.filter(
            kinds, (scheduled & Q(starts_at__lt=horizon)) | missed, client_id__in=client_ids
        )
        .values("client_id", "kind")
        .annotate(
            upcoming=Count("pk", filter=upcoming),
            next_on=Min("starts_at", filter=upcoming),
            unrecorded=Count("pk", filter=unrecorded),
            unrecorded_on=Min("starts_at", filter=unrecorded),
            missed=Count("pk", filter=missed),
            missed_on=Min("starts_at", filter=missed),
        )
        .order_by()
    )
    due: dict[int, list[DueItem]] = {}
    labels = dict(AppointmentKind.choices)
    for row in rows:
        label = str(labels.get(row["kind"], row["kind"]))
        items = due.setdefault(row["client_id"], [])
        if row["upcoming"]:
            more = (
                f" ({row['upcoming']} in the next {UPCOMING_DAYS} days)"
                if row["upcoming"] > 1
                else ""
            )
            items.append(
                DueItem(
                    label=f"{label}{more}",
                    due_on=timezone.localdate(row["next_on"]),
                    url_name="client_calendar",
                )
            )
        if row["unrecorded"]:
            more = f" ({row['unrecorded']})" if row["unrecorded"] > 1 else ""
            items.append(
                DueItem(
                    label=f"{label}: record whether the client went{more}",
                    due_on=timezone.localdate(row["unrecorded_on"]),
                    url_name="client_calendar",
                )
            )
        if row["missed"]:
            more = f" ({row['missed']})" if row["missed"] > 1 else ""
            items.append(
                DueItem(
                    label=f"Missed {label.lower()}: follow up{more}",
                    due_on=timezone.localdate(row["missed_on"]),
                    url_name="client_calendar",
                )
            )
    return due


def appointments_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Due items of the appointments everyone who works with the client may see."""
    return _due(client_ids, clinical=False)


def health_appointments_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Due items of health appointments: for those who read clinical content."""
    return _due(client_ids, clinical=True)


# Who records whether the client went


def _works_with(principal: Principal, client_id: int, action: str) -> bool:
    return (
        Client.objects.restrict(principal.account, action, include_emergency=False)
        .filter(pk=client_id)
        .exists()
    )


def may_record_attendance(principal: Principal, appointment: Appointment) -> bool:
    """The object rule "monitoring.record_attendance": those who schedule the client's
    appointments (recording contacts), and the client's coach for mutual-help meetings, which
    coaching is about."""
    if _works_with(principal, appointment.client_id, Action.RECORD_CONTACT):
        return True
    return appointment.kind == AppointmentKind.MUTUAL_HELP and _works_with(
        principal, appointment.client_id, Action.CHECK_IN
    )
