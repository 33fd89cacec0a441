"""Forms of intervention planning: every field bounded and said in plain words."""

from typing import Any

from django import forms

from casebridge.accounts.models import Program, User
from casebridge.clients.models import Collateral
from casebridge.directory.models import Service
from casebridge.family.models import ContactKind, GroupKind, Outcome, Participant, SessionTopic
from casebridge.formtools import ModelChoiceField, ModelMultipleChoiceField
from casebridge.inputs import BoundedForm, DateField, local_moment, skipped_time_message
from casebridge.monitoring.forms.notes import TimeInput


class PlanStartForm(BoundedForm, forms.Form):
    program: ModelChoiceField = ModelChoiceField(
        label="Program",
        queryset=Program.objects.none(),
        error_messages={"required": "Choose the program."},
    )
    first_name = forms.CharField(
        label="First name of the person of concern",
        max_length=100,
        error_messages={"required": "Give their first name."},
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Give their last name."}
    )
    date_of_birth = DateField(label="Date of birth", required=False, help_text="If known.")
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    asked_by = forms.CharField(
        label="Who asked for help",
        max_length=200,
        help_text="Name and how they are related, for example: Ana Ruiz, mother.",
        error_messages={"required": "Say who asked for help."},
    )
    concern = forms.CharField(
        label="What the family is worried about",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In their words: what they see, for how long, what has been tried.",
        error_messages={"required": "Say what the family is worried about."},
    )

    def __init__(self, *args: Any, programs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]


class PlanForm(BoundedForm, forms.Form):
    day = DateField(label="Day of the intervention", required=False)
    time = forms.TimeField(label="Time", widget=TimeInput, required=False)
    place = forms.CharField(label="Place", max_length=200, required=False)
    transport = forms.CharField(
        label="Getting there",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Who drives the person to treatment, and when.",
    )
    service = ModelChoiceField(
        label="Treatment place reserved",
        queryset=Service.objects.none(),
        required=False,
        empty_label="None reserved yet",
        help_text="From the agency's directory.",
    )
    admission_on = DateField(label="Admission date", required=False)
    if_refused = forms.CharField(
        label="If the answer is no",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the family does next; each person's own boundary is with them.",
    )
    team = ModelMultipleChoiceField(
        label="Others on the planning team",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff who plan with you. They, and you, alone read the letters.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, services: Any = None, staff: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"].queryset = services  # type: ignore[attr-defined]
            self.fields["service"].error_messages["invalid_choice"] = (
                "Choose a service from the directory."
            )
        if staff is not None:
            self.fields["team"].queryset = staff  # type: ignore[attr-defined]
            self.fields["team"].error_messages["invalid_choice"] = (
                "Choose staff of the plan's program."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, clock = data.get("day"), data.get("time")
        data["held_at"] = None
        if day and clock:
            moment = local_moment(day, clock)
            if moment is None:
                self.add_error("time", skipped_time_message(day, clock))
            data["held_at"] = moment
        elif day or clock:
            self.add_error("time" if day else "day", "Give both the day and the time.")
        return data

    def plan_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_at": data["held_at"],
            "place": data["place"],
            "transport": data["transport"],
            "service": data["service"],
            "admission_on": data["admission_on"],
            "if_refused": data["if_refused"],
        }


class ParticipantForm(BoundedForm, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Participant
        fields = ["name", "relationship", "phone", "task", "boundary", "letter"]
        widgets = {
            "boundary": forms.Textarea(attrs={"rows": 2}),
            "letter": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "letter": "Read aloud on the day. Only the planning team reads it here; it never "
            "goes into the person's record.",
        }
        error_messages = {
            "name": {"required": "Give their name."},
            "relationship": {"required": "Say how they are related."},
        }


class SessionForm(BoundedForm, forms.Form):
    held_on = DateField(label="Date", error_messages={"required": "Give the date."})
    topic = forms.ChoiceField(
        label="Topic", choices=SessionTopic.choices, error_messages={"required": "Choose one."}
    )
    attended = forms.CharField(
        label="Who came", max_length=300, error_messages={"required": "Say who came."}
    )
    notes = forms.CharField(
        label="Notes", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(BoundedForm, forms.Form):
    outcome = forms.ChoiceField(
        label="How it went", choices=(), error_messages={"required": "Choose how it went."}
    )
    outcome_on = DateField(label="Date", error_messages={"required": "Give the date."})
    note = forms.CharField(
        label="Note", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    date_of_birth = DateField(
        label="Date of birth",
        required=False,
        help_text="Needed to register the person when they accept.",
    )
    confirm_new_person = forms.BooleanField(
        label="This is a new person, not a client already registered",
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "Choose…")] + [  # type: ignore[attr-defined]
            (value, label) for value, label in Outcome.choices if value in choices
        ]


class FamilyContactForm(BoundedForm, forms.Form):
    held_on = DateField(label="Date", error_messages={"required": "Give the date."})
    kind = forms.ChoiceField(
        label="How", choices=ContactKind.choices, error_messages={"required": "Choose how."}
    )
    people = ModelMultipleChoiceField(
        label="Who took part",
        queryset=Collateral.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick who took part.",
            "invalid_choice": "Choose among the client's contacts.",
        },
    )
    about = forms.CharField(
        label="What it was about",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Tell each person only what a consent lets you (shown above).",
        error_messages={"required": "Say what it was about."},
    )
    outcome = forms.CharField(
        label="How it ended",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, family: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if family is not None:
            self.fields["people"].queryset = family  # type: ignore[attr-defined]


class GroupVisitForm(BoundedForm, forms.Form):
    collateral = ModelChoiceField(
        label="Who went",
        queryset=Collateral.objects.none(),
        error_messages={
            "required": "Choose who went.",
            "invalid_choice": "Choose among the client's family.",
        },
    )
    kind = forms.ChoiceField(
        label="Group", choices=GroupKind.choices, error_messages={"required": "Choose the group."}
    )
    attended_on = DateField(label="Date", error_messages={"required": "Give the date."})
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args: Any, family: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if family is not None:
            self.fields["collateral"].queryset = family  # type: ignore[attr-defined]
