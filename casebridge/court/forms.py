"""The court forms: entering a court, moving up a phase at a hearing, a new hearing, the judge's
responses, ending the participation, the staffing recommendation and releasing the report. The
rules are the services'; a form only turns what was typed into their arguments."""

from typing import Any

from django import forms

from casebridge.clients.models import Collateral
from casebridge.consents.models import DisclosureMethod
from casebridge.court.models import (
    Behaviour,
    ChargeCategory,
    CourtProgram,
    CourtTeamMember,
    Hearing,
    ParticipantStatus,
    ResponseKind,
    Track,
)
from casebridge.formtools import ModelChoiceField, ModelMultipleChoiceField
from casebridge.inputs import BoundedForm, DateField


class EnrolForm(BoundedForm, forms.Form):
    court_program = ModelChoiceField(
        label="Court",
        queryset=CourtProgram.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the court.", "invalid_choice": "Choose the court."},
    )
    docket_number = forms.CharField(
        label="Docket number", max_length=60, help_text="As the court's papers give it."
    )
    charge_category = forms.ChoiceField(
        label="Kind of charge",
        choices=ChargeCategory.choices,
        help_text="Only the kind of charge that brought them to the court: no criminal history.",
    )
    track = forms.ChoiceField(label="Track", choices=Track.choices)
    entered_on = DateField(label="Date of entry")
    expected_graduation_on = DateField(label="Expected graduation", required=False)

    def __init__(self, *args: Any, courts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courts is not None:
            self.fields["court_program"].queryset = courts  # type: ignore[attr-defined]


class HearingChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.held_on:%A %B} {obj.held_on.day}, {obj.held_on.year}"


class AdvanceForm(BoundedForm, forms.Form):
    hearing = HearingChoiceField(
        label="Decided at the hearing of",
        queryset=Hearing.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose the hearing the decision was made at.",
            "invalid_choice": "Choose the hearing the decision was made at.",
        },
    )
    team_confirmed = forms.BooleanField(
        label="The team confirmed what the record does not show",
        required=False,
        help_text="Treatment hours, work or school, community service, fees: as the phase asks.",
    )
    override_reason = forms.CharField(
        label="The team's reason, if the criteria are not met",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, hearings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if hearings is not None:
            self.fields["hearing"].queryset = hearings  # type: ignore[attr-defined]


class HearingForm(BoundedForm, forms.Form):
    held_on = DateField(label="Date", error_messages={"required": "Give the hearing's date."})
    courtroom = forms.CharField(label="Courtroom", max_length=100, required=False)


class BehaviourChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({'a step forward' if obj.positive else 'a step back'})"


class ResponseForm(BoundedForm, forms.Form):
    hearing = HearingChoiceField(
        label="Given at the hearing of",
        queryset=Hearing.objects.none(),
        empty_label="Choose the hearing",
        error_messages={
            "required": "The judge gives a response at a hearing: choose the hearing.",
            "invalid_choice": "Choose a hearing of the participant's court.",
        },
    )
    behaviour = BehaviourChoiceField(
        label="What it answers",
        queryset=Behaviour.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose what the response is for.",
            "invalid_choice": "Choose what the response is for.",
        },
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("", "As the court's schedule gives it"), *ResponseKind.choices],
        required=False,
    )
    description = forms.CharField(
        label="What the judge gave",
        max_length=200,
        required=False,
        help_text="Leave empty for the schedule's response shown above.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, hearings: Any = None, behaviours: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if hearings is not None:
            self.fields["hearing"].queryset = hearings  # type: ignore[attr-defined]
        if behaviours is not None:
            self.fields["behaviour"].queryset = behaviours  # type: ignore[attr-defined]


END_CHOICES = [
    (ParticipantStatus.GRADUATED.value, "Graduated"),
    (ParticipantStatus.TERMINATED.value, "Terminated"),
    (ParticipantStatus.WITHDRAWN.value, "Withdrew"),
]


class EndForm(BoundedForm, forms.Form):
    status = forms.ChoiceField(
        label="How it ends",
        choices=END_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the participation ends."},
    )
    hearing = HearingChoiceField(
        label="Ended at the hearing of",
        queryset=Hearing.objects.none(),
        required=False,
        empty_label="No hearing (a withdrawal only)",
    )
    team_confirmed = forms.BooleanField(
        label="The team confirmed what the record does not show",
        required=False,
        help_text="For graduation: treatment hours, work or school, community service, fees.",
    )
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Always for a termination or withdrawal; for graduation when the record "
        "does not meet what it asks.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, hearings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if hearings is not None:
            self.fields["hearing"].queryset = hearings  # type: ignore[attr-defined]


class RecommendationForm(BoundedForm, forms.Form):
    recommendation = forms.CharField(
        label="Recommendation to the team",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the recommendation."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReleaseForm(BoundedForm, forms.Form):
    method = forms.ChoiceField(
        label="How it reaches the court team",
        choices=[
            (DisclosureMethod.PRINTED.value, DisclosureMethod.PRINTED.label),
            (DisclosureMethod.EMAILED.value, DisclosureMethod.EMAILED.label),
            (DisclosureMethod.ELECTRONIC.value, DisclosureMethod.ELECTRONIC.label),
        ],
        error_messages={"required": "Say how it reaches the court team."},
    )


class TeamAccountsField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.user.get_full_name() or obj.user.username
        return f"{name}, {obj.get_seat_display().lower()}"


class TeamForm(BoundedForm, forms.Form):
    judge = ModelChoiceField(
        label="Judge", queryset=Collateral.objects.none(), required=False, empty_label="Not named"
    )
    defence_attorney = ModelChoiceField(
        label="Defence attorney",
        queryset=Collateral.objects.none(),
        required=False,
        empty_label="Not named",
    )
    prosecutor = ModelChoiceField(
        label="Prosecutor",
        queryset=Collateral.objects.none(),
        required=False,
        empty_label="Not named",
    )
    supervising_officer = ModelChoiceField(
        label="Probation or parole officer",
        queryset=Collateral.objects.none(),
        required=False,
        empty_label="Not named",
    )
    accounts = TeamAccountsField(
        label="Who reads through their own account",
        queryset=CourtTeamMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Court team members with a read-only account. Each reads only what a consent "
        "in effect lets the program share with them.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, contacts: Any = None, accounts: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["accounts"].queryset = accounts  # type: ignore[attr-defined]
            self.fields["accounts"].error_messages["invalid_choice"] = (
                "Choose among this court's team accounts."
            )
            if not accounts:
                del self.fields["accounts"]
        if contacts is not None:
            for name in ("judge", "defence_attorney", "prosecutor", "supervising_officer"):
                self.fields[name].queryset = contacts  # type: ignore[attr-defined]
                self.fields[name].error_messages["invalid_choice"] = (
                    "Choose one of the client's contacts."
                )


class CallInForm(BoundedForm, forms.Form):
    day = DateField(label="Day of the call", error_messages={"required": "Give the day."})
