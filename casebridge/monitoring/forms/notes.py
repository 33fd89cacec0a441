"""Forms for contact notes, addenda, coaching sessions and check-ins. They read what is typed
(types, choices, the house bounds); the rules live in the services, whose errors the views put
beside each field."""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.inputs import BoundedForm, DateField
from casebridge.monitoring.formats import NoteFormat
from casebridge.monitoring.models import (
    MAX_DURATION_MINUTES,
    CheckInSource,
    CoachingKind,
    CoachingTopic,
    ContactNote,
    ContactType,
    Sleep,
)
from casebridge.monitoring.services.notes import ADDENDUM_LIMIT, CHECK_IN_TEXT_LIMIT, SECTION_LIMIT
from casebridge.plans.models import Goal

NOT_FROM_PLAN = "Choose goals from the client's care plan in effect."


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def _minutes(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_DURATION_MINUTES,
        help_text="In minutes, up to 720 (12 hours).",
        error_messages={
            "min_value": f"Give the length in whole minutes, between 1 and {MAX_DURATION_MINUTES}.",
            "max_value": f"Give the length in whole minutes, between 1 and {MAX_DURATION_MINUTES}.",
        },
    )


def service_errors(error: ValidationError) -> ValidationError:
    """The service's errors with its `contact_at` put beside the date the person typed."""
    if not hasattr(error, "error_dict") or "contact_at" not in error.error_dict:
        return error
    errors = dict(error.error_dict)
    errors["contact_date"] = errors.pop("contact_at")
    return ValidationError(errors)


class NoteForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    contact_date = DateField(label="Date of contact")
    contact_time = forms.TimeField(
        label="Time of contact", widget=TimeInput, help_text="When it started, e.g. 2:30 PM."
    )
    contact_type = forms.ChoiceField(
        label="Kind of contact",
        choices=[("", "Choose"), *ContactType.choices],
        help_text="An attempt that did not reach the client is recorded, but is not a contact.",
    )
    duration_minutes = _minutes("How long")
    place = forms.CharField(
        label="Where",
        required=False,
        max_length=200,
        help_text="For example: the office, the client's home, the courthouse, by phone.",
    )
    participants = forms.CharField(
        label="Who took part",
        required=False,
        max_length=300,
        help_text="The client and anyone else: family, a provider, a probation officer.",
    )
    goals = forms.TypedMultipleChoiceField(
        label="Plan goals this contact worked on",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_FROM_PLAN},
    )

    def __init__(
        self, *args: Any, note_format: NoteFormat, goals: list[Goal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.note_format = note_format
        goal_field = self.fields["goals"]
        goal_field.choices = [(goal.pk, goal.own_words) for goal in goals]  # type: ignore[attr-defined]
        if not goals:
            goal_field.help_text = "The client has no care plan in effect yet."
        for section in note_format.sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.label,
                help_text=section.help,
                required=False,
                max_length=SECTION_LIMIT,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    @classmethod
    def initial_from(cls, note: ContactNote) -> dict[str, Any]:
        local = timezone.localtime(note.contact_at)
        return {
            "version": note.version,
            "contact_date": local.date(),
            "contact_time": local.time().replace(second=0, microsecond=0),
            "contact_type": note.contact_type,
            "duration_minutes": note.duration_minutes,
            "place": note.place,
            "participants": note.participants,
            "goals": list(note.goals.values_list("pk", flat=True)),
        } | {f"section_{key}": text for key, text in note.sections.items()}

    def section_fields(self) -> list[forms.BoundField]:
        return [self[f"section_{section.key}"] for section in self.note_format.sections]

    def contact_at(self) -> datetime:
        moment = datetime.combine(
            self.cleaned_data["contact_date"], self.cleaned_data["contact_time"]
        )
        return timezone.make_aware(moment)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "contact_at": self.contact_at(),
            "contact_type": data["contact_type"],
            "duration_minutes": data["duration_minutes"],
            "place": data["place"],
            "participants": data["participants"],
            "goal_ids": data["goals"],
            "sections": {
                section.key: data[f"section_{section.key}"] for section in self.note_format.sections
            },
        }


class AddendumForm(BoundedForm, forms.Form):
    text = forms.CharField(
        label="Correction or addition",
        max_length=ADDENDUM_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The signed note stays as it is; this is added below it with your name and "
        "the time.",
        error_messages={"required": "Write the correction or addition."},
    )


class CoachingSessionForm(BoundedForm, forms.Form):
    session_on = DateField(label="Date of the session")
    kind = forms.ChoiceField(
        label="How it happened", choices=CoachingKind.choices, widget=forms.RadioSelect
    )
    duration_minutes = _minutes("How long")
    topics = forms.MultipleChoiceField(
        label="What you talked about",
        choices=CoachingTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one topic."},
    )
    next_step = forms.CharField(
        label="Next step",
        required=False,
        max_length=200,
        help_text="One line the whole team can read, e.g. 'Go to the Thursday meeting together'. "
        "No clinical details.",
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class CheckInForm(BoundedForm, forms.Form):
    mood = forms.IntegerField(
        label="Mood", min_value=0, max_value=10, help_text="From 0 (very low) to 10 (very good)."
    )
    craving = forms.IntegerField(
        label="Craving",
        min_value=0,
        max_value=10,
        help_text="From 0 (none at all) to 10 (overwhelming).",
    )
    used_since_last = forms.ChoiceField(
        label="Any use since the last check-in?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer yes or no."},
    )
    use_detail = forms.CharField(
        label="If yes: what, and how much",
        required=False,
        max_length=300,
        help_text="In the client's words, e.g. 'two beers on Saturday'.",
    )
    meetings_since_last = forms.IntegerField(
        label="Meetings attended since the last check-in",
        min_value=0,
        max_value=99,
        initial=0,
        help_text="Mutual-help meetings, groups, sessions.",
    )
    sleep = forms.ChoiceField(label="Sleep", choices=Sleep.choices, widget=forms.RadioSelect)
    stressors = forms.CharField(
        label="Stressors and triggers",
        required=False,
        max_length=CHECK_IN_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    needs_help_with = forms.CharField(
        label="Needs help with",
        required=False,
        max_length=CHECK_IN_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["used_since_last"] = data["used_since_last"] == "yes"
        return data | {"source": CheckInSource.STAFF}
