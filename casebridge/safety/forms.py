"""Forms of the safety app. They read what is typed (types, choices, the house bounds); the
rules (one item a line, shifts that do not overlap, the caller's time within a shift) live in
casebridge.safety.services, whose errors the views put beside each field."""

from datetime import date, datetime, time
from typing import Any

from django import forms

from casebridge.accounts.models import User
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_SIGNATURE_CHARS,
    BoundedForm,
    DateField,
    local_moment,
    skipped_time_message,
)
from casebridge.monitoring.forms.notes import TimeInput
from casebridge.safety.models import LINE_LIMIT, NOTE_LIMIT, SECTION_LIMIT, SECTIONS

ONE_A_LINE = " One a line."


class SafetyPlanForm(BoundedForm, forms.Form):
    """The seven sections of a draft, each a list typed one item a line."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading, help_text in SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading,
                help_text=help_text + ONE_A_LINE,
                required=False,
                max_length=SECTION_LIMIT,
                widget=forms.Textarea(attrs={"rows": 4}),
            )


class ClientSignatureForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    method = forms.ChoiceField(
        label="How the client agreed",
        choices=[("on_screen", "Signed on screen"), ("verbal", "Agreed verbally, with a witness")],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label="Client's name as signed", required=False)
    image = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-signature-input": "true"}),
        required=False,
        max_length=MAX_SIGNATURE_CHARS,
        error_messages={"max_length": "The signature is too large; clear it and sign again."},
    )
    witness_name = forms.CharField(
        label="Witness", required=False, help_text="Needed when the client agrees verbally."
    )


def _moment(form: forms.Form, day_field: str, time_field: str) -> datetime | None:
    """The instant a date and a time fields name, or None (with the error on the form)."""
    day: date | None = form.cleaned_data.get(day_field)
    clock: time | None = form.cleaned_data.get(time_field)
    if day is None or clock is None:
        return None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return None  # BoundedForm says what is wrong with the date
    moment = local_moment(day, clock)
    if moment is None:
        form.add_error(time_field, skipped_time_message(day, clock))
    return moment


class ShiftForm(BoundedForm, forms.Form):
    user = ModelChoiceField(
        label="Who is on call",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": "Choose someone from the list."},
    )
    start_date = DateField(label="Starts on")
    start_time = forms.TimeField(label="at", widget=TimeInput, help_text="e.g. 17:00.")
    end_date = DateField(label="Ends on")
    end_time = forms.TimeField(label="at", widget=TimeInput, help_text="e.g. 09:00.")
    handover_note = forms.CharField(
        label="Notes for the person on call",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = candidates  # type: ignore[attr-defined]
        field.label_from_instance = lambda person: person.display_name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        data["starts_at"] = _moment(self, "start_date", "start_time")
        data["ends_at"] = _moment(self, "end_date", "end_time")
        return data


class HandoverForm(BoundedForm, forms.Form):
    handover_note = forms.CharField(
        label="Hand-over note",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the next person on call should know. Details of calls go in the log.",
    )


class AfterHoursForm(BoundedForm, forms.Form):
    program = forms.TypedChoiceField(label="Program", coerce=int, choices=[])
    date = DateField(label="Date of the call")
    time = forms.TimeField(label="Time of the call", widget=TimeInput)
    caller = forms.CharField(
        label="Who called",
        max_length=LINE_LIMIT,
        help_text="For example: the client, their mother, a shelter.",
    )
    what_happened = forms.CharField(
        label="What happened", max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )
    what_was_done = forms.CharField(
        label="What you did", max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up_needed = forms.BooleanField(
        label="The case manager needs to follow up", required=False
    )

    def __init__(self, *args: Any, programs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = programs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            data["at"] = _moment(self, "date", "time")
        return data


class CallerSearchForm(BoundedForm, forms.Form):
    q = forms.CharField(
        label="Name, case number or phone",
        required=False,
        max_length=100,
        help_text="At least two letters, or four digits of a phone number.",
    )
