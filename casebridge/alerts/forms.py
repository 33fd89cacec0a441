"""The alert forms: what a person does with an alert, and a concern raised by hand. The rules
are the services'; a form only turns what was typed into their arguments."""

from django import forms

from casebridge.inputs import BoundedForm, DateField

DO_CHOICES = [
    ("acknowledge", "I'm on it"),
    ("snooze", "Snooze until a day"),
    ("resolve", "Resolve with a note"),
]


class AlertActionForm(BoundedForm, forms.Form):
    do = forms.ChoiceField(
        label="What to do",
        choices=DO_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to do with the alert."},
    )
    until = DateField(
        label="Snooze until",
        required=False,
        help_text="It comes back on this day.",
    )
    note = forms.CharField(
        label="What was done",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to resolve: what you did or found, for whoever reads it next.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: object, prefix_id: str = "", **kwargs: object) -> None:
        # Several alerts' forms share a page: each has its own ids, the names stay the same.
        if prefix_id:
            kwargs["auto_id"] = f"id_alert{prefix_id}_%s"
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        do = cleaned.get("do")
        if do == "snooze" and not cleaned.get("until") and "until" not in self.errors:
            self.add_error("until", "Choose the day it should come back.")
        if do == "resolve" and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say what was done, so the next person knows.")
        return cleaned


class ConcernForm(BoundedForm, forms.Form):
    text = forms.CharField(
        label="What are you worried about?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you are worried about."},
        help_text=(
            "What you saw or heard, and when. The client's case manager sees it at once on "
            "their day and on the client's Alerts tab."
        ),
    )
