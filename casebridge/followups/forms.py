"""Forms of the followups app. They read what is typed (types, choices, the house bounds); the
rules (an attempt on an open follow-up, not in the future, an outcome once reached) live in
casebridge.followups.services, whose errors the views put beside each field."""

from django import forms

from casebridge.followups.models import NOTE_LIMIT, QUESTIONS, AttemptResult
from casebridge.inputs import BoundedForm, DateField

CHOOSE_ONE = {"required": "Choose one answer.", "invalid_choice": "Choose one of the answers."}


class AttemptForm(BoundedForm, forms.Form):
    result = forms.ChoiceField(
        label="How it went",
        choices=AttemptResult.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how it went.",
            "invalid_choice": "Choose how it went.",
        },
    )
    attempted_on = DateField(label="When you tried", help_text="Today, or the day you tried.")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: left a voicemail; the number belongs to someone else now.",
    )


class AttemptNoteForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OutcomeForm(BoundedForm, forms.Form):
    """How the client is doing, in six short questions asked when they are reached."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, label, choices in QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices.choices,
                widget=forms.RadioSelect,
                error_messages=CHOOSE_ONE,
            )
