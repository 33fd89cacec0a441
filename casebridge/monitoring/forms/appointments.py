"""Forms for appointments: scheduling (once or repeating), changing the details, rescheduling,
recording whether the client went and following up a missed one. They read what is typed; the
rules live in monitoring.appointments, whose errors `apply_service_errors` puts beside the field
the person filled in."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from casebridge.formtools import apply_errors
from casebridge.inputs import (
    EARLIEST_DATE,
    LATEST_DATE,
    BoundedForm,
    DateField,
    local_moment,
    skipped_time_message,
)
from casebridge.monitoring.appointment_statuses import AppointmentStatus
from casebridge.monitoring.forms.notes import TimeInput
from casebridge.monitoring.models.appointments import (
    MAX_APPOINTMENT_MINUTES,
    Appointment,
    AppointmentKind,
    Recurrence,
)
from casebridge.monitoring.services.appointments import LINE_LIMIT, NOTE_LIMIT, STATUS_NOTE_LIMIT

END_BEFORE_START = "The end is before the start. Check the end time or the length."
LENGTH_MESSAGE = f"Give the length in whole minutes, between 1 and {MAX_APPOINTMENT_MINUTES}."


class TimeSlotForm(BoundedForm, forms.Form):
    """A day, a start, and an end time or a length."""

    date = DateField(label="Date")
    start_time = forms.TimeField(label="Starts at", widget=TimeInput, help_text="e.g. 9:30 AM.")
    end_time = forms.TimeField(
        label="Ends at",
        widget=TimeInput,
        required=False,
        help_text="Or give how long it lasts below.",
    )
    duration_minutes = forms.IntegerField(
        label="Or how long, in minutes",
        required=False,
        min_value=1,
        max_value=MAX_APPOINTMENT_MINUTES,
        help_text="Up to 720 (12 hours).",
        error_messages={"min_value": LENGTH_MESSAGE, "max_value": LENGTH_MESSAGE},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start = data.get("date"), data.get("start_time")
        end, minutes = data.get("end_time"), data.get("duration_minutes")
        if day is None or start is None or "end_time" in self.errors:
            return data
        if end is None and minutes is None:
            if "duration_minutes" not in self.errors:
                self.add_error("end_time", "Give the end time, or how long it lasts.")
            return data
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return data  # the date's own error says so (BoundedForm)
        starts_at = local_moment(day, start)
        if starts_at is None:
            self.add_error("start_time", skipped_time_message(day, start))
            return data
        if end is not None:
            ends_at = local_moment(day, end)
            if ends_at is None:
                self.add_error("end_time", skipped_time_message(day, end))
                return data
            if ends_at <= starts_at:
                self.add_error("end_time", END_BEFORE_START)
                return data
            if minutes is not None and ends_at - starts_at != timedelta(minutes=minutes):
                self.add_error(
                    "duration_minutes",
                    "This length does not match the end time. Give one or the other.",
                )
                return data
        elif isinstance(minutes, int):
            ends_at = starts_at + timedelta(minutes=minutes)
        else:
            return data
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data

    def slot(self) -> dict[str, datetime]:
        return {
            "starts_at": self.cleaned_data["starts_at"],
            "ends_at": self.cleaned_data["ends_at"],
        }


def _line(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=LINE_LIMIT, help_text=help_text)


class DetailsFields(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of appointment", choices=[("", "Choose"), *AppointmentKind.choices]
    )
    provider = _line(
        "With (provider or agency)", "e.g. County Drug Court, Dr. Patel's clinic, the SNAP office."
    )
    place = _line("Where", "An address, or the building and room.")
    accompanied_by = _line(
        "Who goes with the client", "e.g. the coach, a family member. Leave empty if nobody."
    )
    transport_arranged = forms.BooleanField(label="Transport is arranged", required=False)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What to bring, who to ask for. The coach reads notes of appointments that "
        "are not health care; keep clinical details out.",
    )

    def details(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "kind",
                "provider",
                "place",
                "accompanied_by",
                "transport_arranged",
                "note",
            )
        }


class AppointmentForm(TimeSlotForm, DetailsFields):
    recurrence = forms.ChoiceField(
        label="Repeats", choices=Recurrence.choices, initial=Recurrence.NONE
    )
    until = DateField(
        label="Repeats until",
        required=False,
        help_text="The last day. Without one, it repeats for 26 weeks.",
    )

    field_order = [
        "kind",
        "date",
        "start_time",
        "end_time",
        "duration_minutes",
        "recurrence",
        "until",
        "provider",
        "place",
        "accompanied_by",
        "transport_arranged",
        "note",
    ]

    def service_fields(self) -> dict[str, Any]:
        return (
            self.slot()
            | self.details()
            | {"recurrence": self.cleaned_data["recurrence"], "until": self.cleaned_data["until"]}
        )


class AppointmentEditForm(BoundedForm, DetailsFields):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_from(cls, appointment: Appointment) -> dict[str, Any]:
        return {
            "version": appointment.version,
            "kind": appointment.kind,
            "provider": appointment.provider,
            "place": appointment.place,
            "accompanied_by": appointment.accompanied_by,
            "transport_arranged": appointment.transport_arranged,
            "note": appointment.note,
        }


class RescheduleForm(TimeSlotForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# What each status is called where a person records it.
STATUS_CHOICES: dict[str, str] = {
    AppointmentStatus.ATTENDED: "The client went",
    AppointmentStatus.MISSED: "The client did not go",
    AppointmentStatus.CANCELLED: "Cancelled",
}


class StatusForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(
        label="What happened",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    note = forms.CharField(
        label="Anything to add",
        required=False,
        max_length=STATUS_NOTE_LIMIT,
        help_text="Optional, e.g. 'the hearing was moved by the court'.",
    )

    def __init__(self, *args: Any, statuses: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer(statuses)

    def offer(self, statuses: list[str], *, was_missed: bool = False) -> None:
        """The choices shown: what this person may record now. (A form being read takes every
        status, so that a move made meanwhile by someone else is answered by the service as a
        conflict, not as an unknown choice.)"""
        labels = STATUS_CHOICES | (
            {AppointmentStatus.ATTENDED: "The client went after all (e.g. proof came later)"}
            if was_missed
            else {}
        )
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status, labels[status]) for status in statuses if status in labels
        ]


class FollowUpForm(BoundedForm, forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=STATUS_NOTE_LIMIT,
        help_text="e.g. called the client; told the probation officer; a new date is set.",
        error_messages={"required": "Say what was done about the missed appointment."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its page also has the status form, whose note field would share the id.
        kwargs.setdefault("auto_id", "id_follow_up_%s")
        super().__init__(*args, **kwargs)


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors beside what the person typed: the day for a date too far back or
    ahead, the start for a clash, the end (or the length, if that is what they gave) for an
    end that does not fit."""
    if hasattr(error, "error_dict"):
        ends_beside = "end_time"
        if not form.data.get("end_time") and "duration_minutes" in form.fields:
            ends_beside = "duration_minutes"
        where = {"starts_at": "start_time", "ends_at": ends_beside}
        error = ValidationError(
            {where.get(field, field): messages for field, messages in error.error_dict.items()}
        )
    apply_errors(form, error)
