"""The form that assigns a coach with an intensity and an agreement."""

from typing import Any

from django import forms

from casebridge.accounts.models import User
from casebridge.coaching.models import Intensity
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import BoundedForm, DateField


class CoachForm(BoundedForm, forms.Form):
    coach = ModelChoiceField(
        label="Coach",
        queryset=User.objects.none(),
        error_messages={
            "required": "Choose the coach.",
            "invalid_choice": "Choose a coach of the client's program.",
        },
    )
    intensity = forms.ChoiceField(
        label="How often they are in touch",
        choices=Intensity.choices,
        error_messages={"required": "Choose how often."},
    )
    agreement = forms.CharField(
        label="What they agreed",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the client wants from coaching, when and how the coach is in touch, and "
        "what the coach passes on to the case manager.",
        error_messages={"required": "Write what the client and the coach agreed."},
    )
    started_on = DateField(label="Starting", error_messages={"required": "Give the first day."})
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        coaches: Any = None,
        listed: list[User] | None = None,
        described_by: str = "",
        **kwargs: Any,
    ) -> None:
        """`coaches`: whom the form accepts; `listed`: whom it lists, when not all of them (a
        program with many coaches lists some and finds the others by name, which the element
        `described_by` says)."""
        super().__init__(*args, **kwargs)
        coach = self.fields["coach"]
        if described_by:
            coach.widget.attrs["aria-describedby"] = described_by
        coach.queryset = User.objects.none() if coaches is None else coaches  # type: ignore[attr-defined]
        coach.label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]
        if listed is not None:
            coach.widget.choices = [
                ("", coach.empty_label),  # type: ignore[attr-defined]
                *((person.pk, person.display_name) for person in listed),
            ]
