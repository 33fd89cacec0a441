"""Forms of levels of care. They read what is typed (types, choices, bounds); the rules
(no overlapping stays, no leaving before admission, no move to the level the client is at)
live in casebridge.transitions.services, whose errors the views put beside each field."""

from collections.abc import Callable
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


class _Picks:
    """Choices of rows (programs, assessments, referrals, people) offered by id; the row picked
    is read back from what was offered, so nothing outside the list can be chosen."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    _offered: dict[str, dict[str, Any]]

    def offer(self, name: str, rows: Any, empty: str, label: Callable[[Any], str]) -> None:
        offered = {str(row.pk): row for row in rows}
        if not hasattr(self, "_offered"):
            self._offered = {}
        self._offered[name] = offered
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", empty), *[(pk, label(row)) for pk, row in offered.items()]]

    def picked(self, name: str) -> Any:
        return self._offered[name].get(self.cleaned_data.get(name) or "")


def _assessment_label(assessment: Any) -> str:
    level = f" · level {assessment.chosen_level}" if assessment.chosen_level else ""
    return f"Signed {assessment.signed_at:%b %d, %Y}{level}"


class _PlaceFields(_Picks, BoundedForm, forms.Form):
    program_field = "program"

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer(self.program_field, programs, "Somewhere else (name it below)", lambda p: p.name)

    def chosen_program(self) -> Any:
        return self.picked(self.program_field)


class EpisodeForm(_PlaceFields):
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
        self.offer("assessment", assessments, "None", _assessment_label)

    def chosen_assessment(self) -> Any:
        return self.picked("assessment")


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
        self.offer(
            "referral",
            referrals,
            "None",
            lambda r: r.provider_name + (f" · {r.service_name}" if r.service_name else ""),
        )

    def chosen_referral(self) -> Any:
        return self.picked("referral")


class AdmitForm(_Picks, BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    admitted_on = DateField(label="Admitted on")
    assessment = forms.ChoiceField(label="Assessment behind it", required=False)

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("assessment", assessments, "None", _assessment_label)

    def chosen_assessment(self) -> Any:
        return self.picked("assessment")


class CancelForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label="Why the move is off",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HandoffItemForm(_Picks, BoundedForm, forms.Form):
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
        self.offer("owner", team, "Choose someone", lambda u: u.display_name)

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
        return self.picked("owner")


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
