"""Forms for intake, editing details, stage moves, assignment, collaterals, flags and
emergency access. Every field has a label and plain help; errors show beside the field; every
field has the house bounds (casebridge.inputs)."""

from typing import Any, cast

from django import forms

from casebridge.accounts.models import Role, User
from casebridge.clients import stages
from casebridge.clients.models import (
    AssignmentRole,
    Client,
    Collateral,
    FlagKind,
    Substance,
)
from casebridge.clients.queries import CaseloadSort
from casebridge.clients.services import (
    CLIENT_DETAIL_FIELDS,
    CLIENT_REGISTRATION_FIELDS,
    COLLATERAL_FIELDS,
)
from casebridge.clients.validation import clean_date_of_birth, clean_phone
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import BoundedForm, DateInput


class ClientDetailsForm(BoundedForm, forms.ModelForm):
    primary_substances = forms.MultipleChoiceField(
        label="Primary substances",
        choices=Substance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every substance the client names as a main concern.",
        error_messages={"invalid_choice": "Tick only substances from the list."},
    )

    class Meta:
        model = Client
        fields = CLIENT_DETAIL_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "goals_in_own_words": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "preferred_name": "The name the client wants to be called, if different.",
            "pronouns": "For example: she/her, he/him, they/them.",
            "phone": "10 digits, like 555-123-4567.",
            "referral_source_detail": "Who referred them, if useful (for example, which court).",
            "case_management_model": "Sets how often contact is expected.",
        }
        # Django's "Select a valid choice. ... is not one of the available choices." in plain words.
        error_messages = {
            "referral_source": {"invalid_choice": "Choose one of the ways listed."},
            "case_management_model": {"invalid_choice": "Choose one of the models listed."},
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].help_text = "Month, day and year."

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_emergency_contact_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("emergency_contact_phone", ""))

    def clean_date_of_birth(self) -> Any:
        return clean_date_of_birth(self.cleaned_data["date_of_birth"])


class ClientIntakeForm(ClientDetailsForm):
    class Meta(ClientDetailsForm.Meta):
        fields = CLIENT_REGISTRATION_FIELDS
        field_classes = {"program": ModelChoiceField}
        error_messages = ClientDetailsForm.Meta.error_messages | {
            "program": {
                "required": "Choose the program they join.",
                "invalid_choice": "Choose one of your programs.",
            }
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        program = cast(forms.ModelChoiceField, self.fields["program"])
        programs = user.programs.filter(is_active=True)
        program.queryset = (
            programs.none()
            if user.organisation_id is None
            else programs.filter(organisation_id=user.organisation_id)
        )
        program.empty_label = "Choose a program"

    confirm_new_person = forms.BooleanField(
        required=False,
        label="This is a different person: register them anyway",
        widget=forms.HiddenInput,
    )


class ClientEditForm(ClientDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StageMoveForm(BoundedForm, forms.Form):
    to_stage = forms.ChoiceField(label="Move to", choices=stages.Stage.choices)
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What changed: for example, assessment finished, or relapse after 60 days.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = stages.allowed_moves(client.stage)
        cast(forms.ChoiceField, self.fields["to_stage"]).choices = [("", "Choose a stage")] + [
            (value, label) for value, label in stages.Stage.choices if value in allowed
        ]


class AssignForm(BoundedForm, forms.Form):
    role = forms.ChoiceField(label="Role on the case", choices=AssignmentRole.choices)
    to_user = ModelChoiceField(
        label="Staff member",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody",
    )
    reason = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_user"]).queryset = User.objects.filter(
            organisation_id=client.organisation_id,
            is_active=True,
            role__in=[Role.CASE_MANAGER, Role.SUPERVISOR, Role.COACH],
        ).order_by("role", "last_name")


class CollateralForm(BoundedForm, forms.ModelForm):
    class Meta:
        model = Collateral
        fields = COLLATERAL_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("phone") and not cleaned.get("email") and not self.errors:
            raise forms.ValidationError(
                "Give a phone number or an email so this person can be reached."
            )
        return cleaned


class CollateralEditForm(CollateralForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FlagForm(BoundedForm, forms.Form):
    kind = forms.ChoiceField(label="Flag", choices=[("", "Choose a flag"), *FlagKind.choices])
    note = forms.CharField(label="Note", required=False, max_length=300)


class FlagClearForm(BoundedForm, forms.Form):
    note = forms.CharField(label="Why it can be cleared", max_length=300)


class EmergencyAccessForm(BoundedForm, forms.Form):
    case_number = forms.CharField(label="Case number", max_length=24)
    reason = forms.CharField(
        label="Why you need access now",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is recorded, and the client's supervisors are told.",
    )


class CaseloadFilterForm(BoundedForm, forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="Name, case number or phone.")
    stage = forms.ChoiceField(
        label="Stage", required=False, choices=[("", "Any stage"), *stages.Stage.choices]
    )
    program = forms.TypedChoiceField(label="Program", required=False, coerce=int, empty_value=None)
    flag = forms.ChoiceField(
        label="Flag", required=False, choices=[("", "Any flag"), *FlagKind.choices]
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=CaseloadSort.choices,
        help_text="Most urgent: open safety concerns, then the most overdue contact.",
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["program"]).choices = [("", "Any program")] + [
            (p.pk, p.name) for p in user.programs.all()
        ]

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or CaseloadSort.URGENCY
