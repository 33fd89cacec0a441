"""The alert forms: what a person does with an alert, and a concern raised by hand. The rules
are the services'; a form only turns what was typed into their arguments."""

from django import forms

from casebridge.alerts.models import NotificationPreference
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


class MoveClientsForm(BoundedForm, forms.Form):
    clients = forms.TypedMultipleChoiceField(
        label="Clients to move",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one client to move."},
    )
    to_user = forms.TypedChoiceField(
        label="New primary case manager",
        coerce=int,
        error_messages={"required": "Choose who takes them on."},
    )
    reason = forms.CharField(
        label="Why",
        max_length=300,
        help_text="Kept on each client's record, e.g. caseload over the cap; Dana is on leave.",
        error_messages={"required": "Say why, for the clients' records."},
    )

    def __init__(
        self,
        *args: object,
        clients: list[tuple[int, str]],
        targets: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["clients"].choices = clients  # type: ignore[attr-defined]
        self.fields["to_user"].choices = [("", "Choose a person"), *targets]  # type: ignore[attr-defined]


PHONE_CHARACTERS = set("0123456789+-() .")


class NotificationPreferenceForm(BoundedForm, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = NotificationPreference
        fields = ["email_from", "sms_from", "sms_number", "quiet_from", "quiet_until"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "quiet_from": "No email or text from this time (on call, you hear of urgent alerts "
            "anyway). Leave both empty for none.",
            "quiet_until": "Until this time; what came in meanwhile is sent then.",
        }

    def clean_sms_number(self) -> str:
        number = self.cleaned_data.get("sms_number", "").strip()
        digits = sum(ch.isdigit() for ch in number)
        if number and (not set(number) <= PHONE_CHARACTERS or not 7 <= digits <= 15):
            raise forms.ValidationError(
                "Give a mobile number of 7 to 15 digits, e.g. 937-555-0142."
            )
        return number

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("sms_from")
            and not cleaned.get("sms_number")
            and "sms_number" not in self.errors
        ):
            self.add_error("sms_number", "Give the number to text, or choose no text messages.")
        start, end = cleaned.get("quiet_from"), cleaned.get("quiet_until")
        if (start is None) != (end is None):
            self.add_error(
                "quiet_until" if start else "quiet_from",
                "Give both ends of the quiet hours, or neither.",
            )
        elif start is not None and start == end:
            self.add_error(
                "quiet_until", "Quiet hours need to end at another time than they start."
            )
        return cleaned
