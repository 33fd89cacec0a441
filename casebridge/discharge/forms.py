"""Forms of the discharge app. They read what is typed (types, choices, the house bounds); the
rules (one item a line, a plausible discharge day, a final summary is locked) live in
casebridge.discharge.services, whose errors the views put beside each field."""

from typing import Any

from django import forms

from casebridge.consents.models import DisclosureMethod, Purpose
from casebridge.discharge.models import (
    CARE_KINDS,
    DEFAULT_FORTNIGHTLY_WEEKS,
    DEFAULT_MONTHLY_MONTHS,
    DEFAULT_WEEKLY_WEEKS,
    LINE_LIMIT,
    MAX_FORTNIGHTLY_WEEKS,
    MAX_MONTHLY_MONTHS,
    MAX_WEEKLY_WEEKS,
    TEXT_LIMIT,
)
from casebridge.discharge.services import DESCRIPTION_LIMIT
from casebridge.inputs import BoundedForm, DateField

ONE_A_LINE = " One a line."


def _count(label: str, largest: int, default: int, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=largest,
        initial=default,
        help_text=help_text,
        error_messages={
            "invalid": "Give a whole number.",
            "min_value": "Give 0 or more.",
            "max_value": f"Give {largest} or less.",
            "required": f"Give a number (0 for none; {default} is usual).",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AftercarePlanForm(BoundedForm, forms.Form):
    """The aftercare plan: care that continues (one item a line per kind), the check-in
    schedule, and the client's relapse-prevention steps."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    starts_on = DateField(
        label="Discharge day", help_text="The check-ins are counted from this day."
    )
    weekly_weeks = _count(
        "Weekly check-ins, for how many weeks",
        MAX_WEEKLY_WEEKS,
        DEFAULT_WEEKLY_WEEKS,
        f"Usually {DEFAULT_WEEKLY_WEEKS}.",
    )
    fortnightly_weeks = _count(
        "Then every two weeks, for how many weeks",
        MAX_FORTNIGHTLY_WEEKS,
        DEFAULT_FORTNIGHTLY_WEEKS,
        f"Usually {DEFAULT_FORTNIGHTLY_WEEKS}.",
    )
    monthly_months = _count(
        "Then monthly, for how many months",
        MAX_MONTHLY_MONTHS,
        DEFAULT_MONTHLY_MONTHS,
        f"Usually {DEFAULT_MONTHLY_MONTHS}.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading, help_text in CARE_KINDS:
            self.fields[name] = forms.CharField(
                label=heading,
                help_text=help_text + ONE_A_LINE,
                required=False,
                max_length=TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["relapse_prevention"] = forms.CharField(
            label="Relapse-prevention steps, in the client's own words",
            help_text="What the client will do when cravings or old habits come back." + ONE_A_LINE,
            required=False,
            max_length=TEXT_LIMIT,
            widget=forms.Textarea(attrs={"rows": 5}),
        )


class SummaryForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    discharged_on = DateField(label="Discharge day")
    recommendations = forms.CharField(
        label="Recommendations",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you recommend for the client's recovery from here, in plain words.",
    )


class FinaliseForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(
        label="I have read this summary and sign it as final",
        error_messages={"required": "Tick the box to sign the summary as final."},
    )


class SendForm(BoundedForm, forms.Form):
    recipient = forms.CharField(
        label="Who receives it",
        max_length=LINE_LIMIT,
        help_text="The person or organisation, as the client's consent names them.",
    )
    is_health_care = forms.BooleanField(
        label="They are a health care provider or health plan", required=False
    )
    purpose = forms.ChoiceField(
        label="Why it is shared",
        choices=Purpose.choices,
        error_messages={"invalid_choice": "Choose a reason from the list."},
    )
    method = forms.ChoiceField(
        label="How it is sent",
        choices=DisclosureMethod.choices,
        error_messages={"invalid_choice": "Choose a way from the list."},
    )
    description = forms.CharField(
        label="Note for the accounting of disclosures",
        required=False,
        max_length=DESCRIPTION_LIMIT,
        help_text="Optional, e.g. sent to the outpatient clinic for the first visit.",
    )
