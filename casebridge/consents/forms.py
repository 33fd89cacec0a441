"""Forms for recording, revoking and using consents. Every element Part 2 asks for is a field
with a plain label; what is missing is said beside the field."""

import secrets
from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from casebridge.clients.models import Client, Collateral
from casebridge.consents.models import (
    REVOCATION_METHODS,
    Consent,
    DisclosureMethod,
    ExpiryKind,
    InformationCategory,
    Purpose,
    RecipientKind,
    SignatureMethod,
)
from casebridge.consents.services import CONSENT_FIELDS
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import (
    MAX_SIGNATURE_CHARS,
    BoundedForm,
    DateField,
    DateInput,
    check_drawn_signature,
    check_scan,
)

DATE = DateInput()
# The recipient recorded for an emergency disclosure is "personnel, facility" in one column of
# 200 characters, so each part takes 99.
EMERGENCY_NAME_LENGTH = 99


class ConsentForm(BoundedForm, forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label="Information the client agrees to share",
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recipient_kind = forms.ChoiceField(
        label="Who may receive it", choices=[("", "Choose"), *RecipientKind.choices], required=False
    )
    purpose = forms.ChoiceField(
        label="Why it is shared", choices=[("", "Choose"), *Purpose.choices], required=False
    )
    expiry_kind = forms.ChoiceField(
        label="When the consent ends", choices=[("", "Choose"), *ExpiryKind.choices], required=False
    )
    signature_method = forms.ChoiceField(
        label="How the client signed",
        choices=[("", "Choose"), *SignatureMethod.choices],
        required=False,
    )
    court_team = forms.TypedMultipleChoiceField(
        label="The court team who may receive it",
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="From the client's contacts: add the judge, attorneys and officer there first.",
        error_messages={"invalid_choice": "Choose the court team from the client's contacts."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    signature_image = forms.CharField(
        required=False,
        max_length=MAX_SIGNATURE_CHARS,
        widget=forms.HiddenInput(attrs={"data-signature-input": "true"}),
        error_messages={"max_length": "The signature is too large; clear it and sign again."},
    )

    class Meta:
        model = Consent
        fields = CONSENT_FIELDS
        field_classes = {"recipient_collateral": ModelChoiceField}
        labels = {
            "patient_name": "Client's name",
            "recipient_collateral": "Which contact",
            "recipient_name": "Person or organisation",
            "purpose_detail": "More about the purpose",
            "expires_on": "End date",
            "expiry_event": "Ending event",
            "signature_scan": "Signed paper form (scan or photo)",
            "signed_on": "Date signed",
            "language": "Language of the form the client read",
            "criminal_justice": "Given as a condition of a court, probation or parole referral",
        }
        widgets = {
            "expires_on": DATE,
            "signed_on": DATE,
        }

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["recipient_collateral"].queryset = Collateral.objects.filter(client=client)  # type: ignore[attr-defined]
        self.fields["recipient_collateral"].required = False
        self.fields["court_team"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.name} ({c.get_relationship_display()})")
            for c in Collateral.objects.filter(client=client).order_by("name")
        ]
        self.fields["patient_name"].required = False
        self.fields["disclosing_party"].required = False
        self.fields["signature_scan"].widget.attrs["accept"] = "image/*,application/pdf"

    def clean_signature_scan(self) -> Any:
        scan = self.cleaned_data.get("signature_scan")
        if scan and hasattr(scan, "content_type"):  # a new upload, not the file already kept
            kind = check_scan(scan)
            # Stored under a name of our own: the name on the person's computer may name the
            # client, and only the content says what the file is. The random part keeps two
            # scans apart in a store that has no "create only if absent" (S3).
            scan.name = f"consent-scan-{secrets.token_hex(8)}.{'jpg' if kind == 'jpeg' else kind}"
        return scan

    def clean_signature_image(self) -> str:
        image = self.cleaned_data.get("signature_image", "")
        if image:
            check_drawn_signature(image)
        return image

    def clean_expires_on(self) -> Any:
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on and expires_on < timezone.localdate():
            raise forms.ValidationError("The end date has already passed.")
        if expires_on and expires_on > timezone.localdate() + timedelta(days=366 * 5):
            raise forms.ValidationError("Choose an end date within five years.")
        return expires_on


class RevokeForm(BoundedForm, forms.Form):
    revoked_on = DateField(label="Date the client revoked it")
    method = forms.ChoiceField(
        label="How the client said so",
        choices=REVOCATION_METHODS,
    )
    note = forms.CharField(label="Note", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revoked_on"].initial = timezone.localdate()


class EventForm(BoundedForm, forms.Form):
    happened_on = DateField(label="Date it happened")


class ConditionForm(BoundedForm, forms.Form):
    met_on = DateField(label="Date the condition was met")


class DisclosureForm(BoundedForm, forms.Form):
    recipient_collateral = ModelChoiceField(
        label="Send to a contact on the record",
        queryset=Collateral.objects.none(),
        required=False,
        empty_label="Someone else (name below)",
    )
    recipient_name = forms.CharField(
        label="Or: person or organisation", max_length=200, required=False
    )
    is_health_care = forms.BooleanField(
        label="The recipient is a health care provider or health plan", required=False
    )
    categories = forms.MultipleChoiceField(
        label="Information shared",
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.ChoiceField(label="Why", choices=Purpose.choices)
    description = forms.CharField(
        label="What is being shared, in a sentence",
        max_length=300,
        help_text="For example: attendance letter for October, 8 of 8 sessions attended.",
    )
    body = forms.CharField(
        label="Letter or summary",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Printed with the legal notice that forbids passing it on.",
    )
    method = forms.ChoiceField(label="How it is sent", choices=DisclosureMethod.choices)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_collateral"].queryset = Collateral.objects.filter(client=client)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            not cleaned.get("recipient_collateral")
            and not (cleaned.get("recipient_name") or "").strip()
        ):
            self.add_error(
                "recipient_name", "Choose a contact or name who receives the information."
            )
        return cleaned


class EmergencyDisclosureForm(BoundedForm, forms.Form):
    personnel = forms.CharField(
        label="Medical personnel who received it", max_length=EMERGENCY_NAME_LENGTH
    )
    facility = forms.CharField(label="Their facility or service", max_length=EMERGENCY_NAME_LENGTH)
    nature = forms.CharField(
        label="The medical emergency", widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(label="What was shared", max_length=300)
    method = forms.ChoiceField(label="How", choices=DisclosureMethod.choices)


class PeriodForm(BoundedForm, forms.Form):
    since = DateField(label="From")
    until = DateField(label="To")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", "The end date is before the start date.")
        return cleaned
