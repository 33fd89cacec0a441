"""The forms of the provider's link: the staff form that makes one, and the provider's answers
(accept, decline, first appointment, how it ended). The rules are in referrals.partner."""

from typing import Any

from django import forms

from casebridge.inputs import BoundedForm, DateField
from casebridge.referrals.models import Outcome
from casebridge.referrals.partner import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS
from casebridge.referrals.statuses import REASONS, Reason, ReferralStatus


def _reasons(status: str) -> list[tuple[str, str]]:
    allowed = REASONS[status]
    return [("", "Choose a reason"), *((r.value, r.label) for r in Reason if r in allowed)]


class LinkForm(BoundedForm, forms.Form):
    days = forms.IntegerField(
        label="The link works for (days)",
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=f"From {MIN_DAYS} to {MAX_DAYS} days. Making a new link stops the old one.",
        error_messages={
            key: f"Give a number of days from {MIN_DAYS} to {MAX_DAYS}."
            for key in ["required", "invalid", "min_value", "max_value"]
        },
    )
    email = forms.EmailField(
        label="Email the link to the provider (optional)",
        max_length=254,
        required=False,
        help_text="The email holds only the link and your agency's name, nothing about the client.",
        error_messages={
            "invalid": "Give an email address like intake@example.org, or leave it empty."
        },
    )


class VersionForm(BoundedForm, forms.Form):
    """What the provider saw: an answer to a referral that changed since is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(VersionForm):
    pass


class DeclineForm(VersionForm):
    reason = forms.ChoiceField(
        label="Why you decline",
        choices=_reasons(ReferralStatus.REJECTED),
        error_messages={
            "required": "Say why you decline the referral.",
            "invalid_choice": "Choose one of the reasons listed.",
        },
    )
    detail = forms.CharField(
        label="Anything to add",
        max_length=300,
        required=False,
        help_text="Needed when the reason is another one. Do not add details about the client.",
    )


class ScheduleForm(VersionForm):
    day = DateField(
        label="Date of the first appointment",
        error_messages={
            "required": "Give the date of the first appointment.",
            "invalid": "Give the date as YYYY-MM-DD.",
        },
    )
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Give the time of the first appointment.",
            "invalid": "Give the time as HH:MM, e.g. 14:30.",
        },
    )
    place = forms.CharField(
        label="Where",
        max_length=200,
        help_text="The address or the desk the client goes to, e.g. 12 Main St, intake desk.",
    )


RESULTS = [
    (ReferralStatus.COMPLETED.value, "The client received the service"),
    (ReferralStatus.FAILED.value, "It did not happen"),
]


class OutcomeForm(VersionForm):
    result = forms.ChoiceField(
        label="How it ended",
        choices=RESULTS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the client received the service.",
            "invalid_choice": "Choose one of the two answers.",
        },
    )
    outcome = forms.ChoiceField(
        label="What came of it (if received)",
        choices=[("", "Choose"), *Outcome.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the outcomes listed."},
    )
    outcome_note = forms.CharField(
        label="Outcome details",
        max_length=300,
        required=False,
        help_text="Needed for something else.",
    )
    reason = forms.ChoiceField(
        label="Why it did not happen",
        choices=_reasons(ReferralStatus.FAILED),
        required=False,
        error_messages={"invalid_choice": "Choose one of the reasons listed."},
    )
    detail = forms.CharField(label="Anything to add", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") == ReferralStatus.COMPLETED and not data.get("outcome"):
            self.add_error("outcome", "Say what came of the referral.")
        if data.get("result") == ReferralStatus.FAILED and not data.get("reason"):
            self.add_error("reason", "Say why it did not happen.")
        return data
