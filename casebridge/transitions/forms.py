"""Forms of levels of care. They read what is typed (types, choices, bounds); the rules
(no overlapping stays, no leaving before admission, no move to the level the client is at)
live in casebridge.transitions.services, whose errors the views put beside each field."""

from typing import Any

from django import forms

from casebridge.consents.models import DisclosureMethod, InformationCategory
from casebridge.inputs import BoundedForm, DateField, local_moment, skipped_time_message
from casebridge.monitoring.forms.notes import TimeInput
from casebridge.transitions.levels import LevelOfCare
from casebridge.transitions.models import DischargeType, HandoffState
from casebridge.transitions.services import DETAILS_LIMIT, TEXT_LIMIT

LEVEL_CHOICES = [("", "Choose a level of care"), *LevelOfCare.choices]
# Leaving for another level: the stay did not end in death (that is "the stay ended" alone).
LEAVING_CHOICES = [
    (value, label) for value, label in DischargeType.choices if value != DischargeType.DIED
]


def _choices(queryset: Any, empty: str, label: Any = str) -> list[tuple[str, str]]:
    return [("", empty), *[(str(row.pk), label(row)) for row in queryset]]


class _AssessmentChoice:
    """The signed assessment behind a stay, chosen from the client's."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def offer_assessments(self, assessments: Any) -> None:
        self.assessments = {str(a.pk): a for a in assessments}
        field = self.fields["assessment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _choices(
            assessments,
            "None",
            lambda a: (
                f"Signed {a.signed_at:%b %d, %Y}"
                + (f" · level {a.chosen_level}" if a.chosen_level else "")
            ),
        )

    def chosen_assessment(self) -> Any:
        return self.assessments.get(self.cleaned_data.get("assessment") or "")


class _PlaceFields(BoundedForm, forms.Form):
    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programs = {str(p.pk): p for p in programs}
        field = self.fields[self.program_field]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _choices(programs, "Somewhere else (name it below)", lambda p: p.name)

    program_field = "program"

    def chosen_program(self) -> Any:
        return self.programs.get(self.cleaned_data.get(self.program_field) or "")


class EpisodeForm(_AssessmentChoice, _PlaceFields):
    level = forms.ChoiceField(label="Level of care", choices=LEVEL_CHOICES)
    program = forms.ChoiceField(label="At one of our programs", required=False)
    place_name = forms.CharField(
        label="Or somewhere else",
        required=False,
        max_length=200,
        help_text="The treatment program, residence or service, as people call it.",
    )
    # Chosen in the directory search above the form; carried as its id.
    service = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    admitted_on = DateField(label="Admitted on")
    assessment = forms.ChoiceField(
        label="Assessment behind it",
        required=False,
        help_text="The signed assessment whose level of care this stay follows.",
    )

    def __init__(self, *args: Any, programs: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, programs=programs, **kwargs)
        self.assessments = {str(a.pk): a for a in assessments}
        field = self.fields["assessment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _choices(
            assessments,
            "None",
            lambda a: (
                f"Signed {a.signed_at:%b %d, %Y}"
                + (f" · level {a.chosen_level}" if a.chosen_level else "")
            ),
        )

    def chosen_assessment(self) -> Any:
        return self.assessments.get(self.cleaned_data.get("assessment") or "")


class DischargeForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    discharged_on = DateField(label="Left on")
    discharge_type = forms.ChoiceField(
        label="How the stay ended", choices=[("", "Choose"), *DischargeType.choices]
    )
    discharge_reason = forms.CharField(
        label="Why",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TransitionForm(_PlaceFields):
    program_field = "to_program"

    episode_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    to_level = forms.ChoiceField(label="Next level of care", choices=LEVEL_CHOICES)
    to_program = forms.ChoiceField(label="At one of our programs", required=False)
    to_place_name = forms.CharField(
        label="Or somewhere else",
        required=False,
        max_length=200,
        help_text="Leave empty when the referral below names the place.",
    )
    referral = forms.ChoiceField(
        label="Referral to the next level",
        required=False,
        help_text="Its provider can confirm the admission through the referral's link.",
    )
    left_on = DateField(label="Leaves (or left) the current level on")
    discharge_type = forms.ChoiceField(
        label="How the current stay ends", choices=LEAVING_CHOICES, initial="transferred"
    )
    reason = forms.CharField(
        label="Why the client is moving",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: finished residential treatment; steps down to keep going.",
    )

    def __init__(self, *args: Any, programs: Any, referrals: Any, **kwargs: Any) -> None:
        super().__init__(*args, programs=programs, **kwargs)
        self.referrals = {str(r.pk): r for r in referrals}
        field = self.fields["referral"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _choices(
            referrals,
            "None",
            lambda r: f"{r.provider_name}" + (f" · {r.service_name}" if r.service_name else ""),
        )

    def chosen_referral(self) -> Any:
        return self.referrals.get(self.cleaned_data.get("referral") or "")


class AdmitForm(_AssessmentChoice, BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    admitted_on = DateField(label="Admitted on")
    assessment = forms.ChoiceField(label="Assessment behind it", required=False)

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assessments = {str(a.pk): a for a in assessments}
        field = self.fields["assessment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _choices(
            assessments,
            "None",
            lambda a: (
                f"Signed {a.signed_at:%b %d, %Y}"
                + (f" · level {a.chosen_level}" if a.chosen_level else "")
            ),
        )

    def chosen_assessment(self) -> Any:
        return self.assessments.get(self.cleaned_data.get("assessment") or "")


class CancelForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label="Why the move is off",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HandoffItemForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    state = forms.ChoiceField(
        label="Status", choices=HandoffState.choices, widget=forms.RadioSelect
    )
    owner = forms.ChoiceField(label="Who sees it through")
    due_on = DateField(label="Due")
    details = forms.CharField(
        label="What was done",
        required=False,
        max_length=DETAILS_LIMIT,
        help_text="Where the appointment is; who doses or prescribes until the next prescriber "
        "takes over; how the client was reached. If not needed, say why.",
    )
    appointment_day = DateField(label="Appointment day", required=False)
    appointment_time = forms.TimeField(label="Appointment time", required=False, widget=TimeInput)

    def __init__(self, *args: Any, team: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = {str(u.pk): u for u in team}
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _choices(team, "Choose someone", lambda u: u.display_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, clock = data.get("appointment_day"), data.get("appointment_time")
        data["appointment_at"] = None
        if day and clock:
            moment = local_moment(day, clock)
            if moment is None:
                self.add_error("appointment_time", skipped_time_message(day, clock))
            data["appointment_at"] = moment
        elif day or clock:
            self.add_error("appointment_time", "Give both the day and the time.")
        return data

    def chosen_owner(self) -> Any:
        return self.team.get(self.cleaned_data.get("owner") or "")


class RecordsForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    categories = forms.MultipleChoiceField(
        label="What goes to the next level",
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what the next level needs. A consent must cover each.",
    )
    description = forms.CharField(
        label="What is being sent",
        max_length=DETAILS_LIMIT,
        help_text="For example: assessment, care plan and medication list.",
    )
    method = forms.ChoiceField(label="How it is sent", choices=DisclosureMethod.choices)
