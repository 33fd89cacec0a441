"""Forms of the Recovery capital tab."""

from django import forms

from casebridge.inputs import BoundedForm, DateField
from casebridge.recovery_capital.models import TieKind


class TieForm(BoundedForm, forms.Form):
    kind = forms.ChoiceField(
        label="Who or what", choices=TieKind.choices, error_messages={"required": "Choose one."}
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="A person, a group or a place.",
        error_messages={"required": "Give the name."},
    )
    note = forms.CharField(label="Note", max_length=300, required=False)
    since = DateField(label="Since", required=False)


class OwnWordsForm(BoundedForm, forms.Form):
    text = forms.CharField(
        label="What keeps them going, in their words",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write what they said."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
