"""The Calendar tab (a client's appointments and obligations, by week or by day), an
appointment's page with what can be done to it, My calendar (the week across a person's
caseload) and the secret calendar feed. Clients are fetched through the access policy; what a
page shows of a health appointment is decided in monitoring.calendar; every rule is the
services'."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from casebridge.access.policy import Action, may, may_have_caseload
from casebridge.accounts.http import SignedInRequest
from casebridge.audit.services import audit_record
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.clients.queries import allowed_actions, client_for, client_page
from casebridge.formtools import offer_latest
from casebridge.monitoring import calendar, ics
from casebridge.monitoring.appointment_statuses import MOVES, OUTCOMES, AppointmentStatus
from casebridge.monitoring.forms.appointments import (
    STATUS_CHOICES,
    AppointmentEditForm,
    AppointmentForm,
    FollowUpForm,
    RescheduleForm,
    StatusForm,
    apply_service_errors,
)
from casebridge.monitoring.models.appointments import Appointment
from casebridge.monitoring.services import appointments as services

TAB = "client_calendar"


def _calendar_url(name: str, mode: str, on: Any, **kwargs: Any) -> str:
    return f"{reverse(name, kwargs=kwargs)}?view={mode}&on={on:%Y-%m-%d}"


def _appointment(
    request: SignedInRequest, client_id: int, appointment_id: int, action: str = Action.VIEW
) -> tuple[Client, Appointment, frozenset[str]]:
    """The client (for `action`) and one of their appointments; a health appointment is not
    found for anyone who does not read clinical content."""
    client = client_for(user=request.user, client_id=client_id, action=action)
    appointment = calendar.appointment_of(client, appointment_id)
    if appointment is None:
        raise Http404
    allowed = allowed_actions(request.user, client)
    if appointment.is_clinical and Action.READ_CLINICAL not in allowed:
        raise Http404
    return client, appointment, allowed


def _statuses_for(
    request: SignedInRequest, appointment: Appointment, allowed: frozenset[str]
) -> list[str]:
    """The moves this person may record from the appointment's status (rescheduling has a page
    of its own)."""
    moves = MOVES.get(appointment.status, frozenset()) - {AppointmentStatus.RESCHEDULED}
    found: list[str] = []
    for status in (
        AppointmentStatus.ATTENDED,
        AppointmentStatus.MISSED,
        AppointmentStatus.CANCELLED,
    ):
        if status not in moves:
            continue
        if status in OUTCOMES:
            if may(request.user, "monitoring.record_attendance", appointment):
                found.append(status)
        elif Action.RECORD_CONTACT in allowed:
            found.append(status)
    return found


def _offered(form: StatusForm, statuses: list[str], appointment: Appointment) -> StatusForm:
    form.offer(statuses, was_missed=appointment.status == AppointmentStatus.MISSED)
    return form


@login_required
@require_GET
def client_calendar(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id)
    mode, on = calendar.calendar_request(request.GET.get("view"), request.GET.get("on"))
    context = client_page(request.user, client, TAB)
    page = calendar.client_calendar(client, context["allowed"], mode, on)
    context |= {
        "page": page,
        "links": _links("client_calendar", page, client_id=client.pk),
        "show_client": False,
    }
    return render(request, "monitoring/calendar.html", context)


def _links(name: str, page: calendar.CalendarPage, **kwargs: Any) -> dict[str, str]:
    unit = page.mode
    today = timezone.localdate()
    return {
        "previous": _calendar_url(name, unit, page.previous, **kwargs),
        "next": _calendar_url(name, unit, page.next, **kwargs),
        "today": _calendar_url(name, unit, today, **kwargs),
        "week": _calendar_url(name, calendar.WEEK, page.on, **kwargs),
        "day": _calendar_url(name, calendar.DAY, page.on, **kwargs),
        "day_of": reverse(name, kwargs=kwargs) + "?view=day&on=",
    }


@login_required
def appointment_new(request: SignedInRequest, client_id: int) -> HttpResponse:
    client = client_for(user=request.user, client_id=client_id, action=Action.RECORD_CONTACT)
    initial: dict[str, Any] = {"date": timezone.localdate(), "recurrence": "none"}
    form = AppointmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.appointment_schedule(
                client=client, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            count = series.appointments.count()
            messages.success(
                request,
                "Appointment scheduled."
                if count == 1
                else f"Appointments scheduled: {count}, up to {services.house_date(series.made_until)}.",
            )
            first = form.cleaned_data["starts_at"]
            return redirect(
                _calendar_url(
                    "client_calendar", calendar.WEEK, timezone.localdate(first), client_id=client.pk
                )
            )
    context = client_page(
        request.user,
        client,
        TAB,
        form=form,
        heading="Schedule an appointment",
        submit="Schedule it",
    )
    return render(request, "monitoring/appointment_form.html", context)


def _detail_page(
    request: SignedInRequest,
    client: Client,
    appointment: Appointment,
    allowed: frozenset[str],
    *,
    status_form: StatusForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    conflict: VersionConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    statuses = _statuses_for(request, appointment, allowed)
    records = Action.RECORD_CONTACT in allowed
    needs_follow_up = (
        appointment.status == AppointmentStatus.MISSED and appointment.followed_up_at is None
    )
    context = client_page(
        request.user,
        client,
        TAB,
        appointment=appointment,
        shown=calendar.shown(appointment, clinical=Action.READ_CLINICAL in allowed, client=client),
        when=services.when_text(appointment),
        status_form=_offered(
            status_form or StatusForm(initial={"version": appointment.version}, statuses=[]),
            statuses,
            appointment,
        )
        if statuses or (status_form is not None and status_form.errors)
        else None,
        follow_up_form=(follow_up_form or FollowUpForm()) if records and needs_follow_up else None,
        can_change=records and appointment.status == AppointmentStatus.SCHEDULED,
        can_end_series=records
        and appointment.status == AppointmentStatus.SCHEDULED
        and appointment.series.recurrence != "none"
        and appointment.series.ended_at is None,
        week_url=_calendar_url(
            "client_calendar",
            calendar.WEEK,
            timezone.localdate(appointment.starts_at),
            client_id=client.pk,
        ),
        conflict=conflict,
    )
    return render(request, "monitoring/appointment_detail.html", context, status=status)


@login_required
@require_GET
def appointment_detail(
    request: SignedInRequest, client_id: int, appointment_id: int
) -> HttpResponse:
    client, appointment, allowed = _appointment(request, client_id, appointment_id)
    audit_record(
        actor=request.user,
        action="view",
        client_id=client.pk,
        object_type="appointment",
        object_id=appointment.pk,
    )
    return _detail_page(request, client, appointment, allowed)


@login_required
@require_POST
def appointment_status(
    request: SignedInRequest, client_id: int, appointment_id: int
) -> HttpResponse:
    client, appointment, allowed = _appointment(request, client_id, appointment_id)
    if Action.RECORD_CONTACT not in allowed and not may(
        request.user, "monitoring.record_attendance", appointment
    ):
        raise Http404
    form = StatusForm(request.POST, statuses=list(STATUS_CHOICES))
    conflict = None
    if form.is_valid():
        try:
            services.appointment_set_status(
                appointment=appointment,
                by=request.user,
                to_status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except VersionConflict as error:
            # Never merged: the page shows what changed, and the form starts again from now.
            conflict = error
            appointment = calendar.appointment_of(client, appointment.pk) or appointment
            form = StatusForm(initial={"version": appointment.version}, statuses=[])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Recorded.")
            return redirect(
                "appointment_detail", client_id=client.pk, appointment_id=appointment.pk
            )
    return _detail_page(
        request,
        client,
        appointment,
        allowed,
        status_form=form,
        conflict=conflict,
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def appointment_follow_up(
    request: SignedInRequest, client_id: int, appointment_id: int
) -> HttpResponse:
    client, appointment, allowed = _appointment(
        request, client_id, appointment_id, Action.RECORD_CONTACT
    )
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_follow_up(
                appointment=appointment, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect(
                    "appointment_detail", client_id=client.pk, appointment_id=appointment.pk
                )
            apply_service_errors(form, error)
        else:
            messages.success(request, "Follow-up recorded.")
            return redirect(
                "appointment_detail", client_id=client.pk, appointment_id=appointment.pk
            )
    elif not (
        appointment.status == AppointmentStatus.MISSED and appointment.followed_up_at is None
    ):
        messages.error(request, "Only a missed appointment is followed up.")
        return redirect("appointment_detail", client_id=client.pk, appointment_id=appointment.pk)
    return _detail_page(request, client, appointment, allowed, follow_up_form=form)


@login_required
@require_POST
def appointment_series_cancel(
    request: SignedInRequest, client_id: int, appointment_id: int
) -> HttpResponse:
    client, appointment, _ = _appointment(request, client_id, appointment_id, Action.RECORD_CONTACT)
    if appointment.series.recurrence == "none" or appointment.status != AppointmentStatus.SCHEDULED:
        messages.error(request, "This appointment is not a scheduled one of a repeating series.")
        return redirect("appointment_detail", client_id=client.pk, appointment_id=appointment.pk)
    try:
        cancelled = services.series_cancel_rest(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("appointment_detail", client_id=client.pk, appointment_id=appointment.pk)
    messages.success(
        request, f"Cancelled {cancelled} appointment{'s' if cancelled != 1 else ''} of the series."
    )
    return redirect(
        _calendar_url(
            "client_calendar",
            calendar.WEEK,
            timezone.localdate(appointment.starts_at),
            client_id=client.pk,
        )
    )


@login_required
def appointment_edit(request: SignedInRequest, client_id: int, appointment_id: int) -> HttpResponse:
    client, appointment, _ = _appointment(request, client_id, appointment_id, Action.RECORD_CONTACT)
    form = AppointmentEditForm(
        request.POST or None, initial=AppointmentEditForm.initial_from(appointment)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_update(
                appointment=appointment,
                by=request.user,
                version=form.cleaned_data["version"],
                **form.details(),
            )
        except VersionConflict as error:
            conflict = error
            appointment.refresh_from_db()
            offer_latest(form, appointment.version)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Appointment changed.")
            return redirect(
                "appointment_detail", client_id=client.pk, appointment_id=appointment.pk
            )
    context = client_page(
        request.user,
        client,
        TAB,
        form=form,
        appointment=appointment,
        when=services.when_text(appointment),
        heading="Change the appointment",
        submit="Save the changes",
        conflict=conflict,
    )
    return render(
        request, "monitoring/appointment_form.html", context, status=409 if conflict else 200
    )


@login_required
def appointment_reschedule(
    request: SignedInRequest, client_id: int, appointment_id: int
) -> HttpResponse:
    client, appointment, _ = _appointment(request, client_id, appointment_id, Action.RECORD_CONTACT)
    local = timezone.localtime(appointment.starts_at)
    initial: dict[str, Any] = {"version": appointment.version, "date": local.date()}
    if appointment.timed:
        initial |= {
            "start_time": local.time(),
            "duration_minutes": int(
                (appointment.ends_at - appointment.starts_at).total_seconds() // 60
            ),
        }
    form = RescheduleForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.appointment_reschedule(
                appointment=appointment,
                by=request.user,
                version=form.cleaned_data["version"],
                **form.slot(),
            )
        except VersionConflict as error:
            conflict = error
            appointment.refresh_from_db()
            offer_latest(form, appointment.version)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Rescheduled to {services.when_text(moved)}.")
            return redirect("appointment_detail", client_id=client.pk, appointment_id=moved.pk)
    context = client_page(
        request.user,
        client,
        TAB,
        form=form,
        appointment=appointment,
        when=services.when_text(appointment),
        heading="Reschedule the appointment",
        submit="Move it",
        conflict=conflict,
    )
    return render(
        request, "monitoring/appointment_form.html", context, status=409 if conflict else 200
    )


# My calendar and the feed


def _staff(request: SignedInRequest) -> None:
    if not may_have_caseload(request.user):
        raise Http404


@login_required
@require_GET
def my_calendar(request: SignedInRequest) -> HttpResponse:
    _staff(request)
    mode, on = calendar.calendar_request(request.GET.get("view"), request.GET.get("on"))
    page = calendar.staff_calendar(request.user, mode, on)
    clients = sorted({entry.client_id for day in page.days for entry in day.appointments})
    if clients:
        # A list of clients' appointments is a read of each client's record.
        audit_record(
            actor=request.user,
            action="view",
            object_type="staff_calendar",
            changes={
                "clients": clients,
                "from": page.first.isoformat(),
                "to": page.last.isoformat(),
            },
        )
    return render(
        request,
        "monitoring/calendar_staff.html",
        {"page": page, "links": _links("my_calendar", page), "show_client": True},
    )


@login_required
def calendar_feed_settings(request: SignedInRequest) -> HttpResponse:
    """Make (or make again) the secret address, or turn the feed off. The address is shown on
    the response that made it, and never again."""
    _staff(request)
    address = ""
    if request.method == "POST":
        if "revoke" in request.POST:
            if ics.feed_revoke(user=request.user):
                messages.success(
                    request, "The calendar feed is off. The old address no longer works."
                )
            return redirect("calendar_feed_settings")
        _, secret = ics.feed_create(user=request.user)
        address = request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": secret}))
    return render(
        request,
        "monitoring/calendar_feed.html",
        {"feed": ics.live_feed(request.user), "address": address},
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for a calendar app: the secret in the address is the sign-in."""
    user = ics.feed_owner(token)
    if user is None:
        raise Http404
    response = HttpResponse(ics.feed_fetch(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="casebridge.ics"'
    return response
