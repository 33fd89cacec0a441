"""Filters for the audit trail."""

from django import forms
from django.contrib.auth import get_user_model

from casebridge.audit.models import AuditAction
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import BoundedForm, DateField


class AuditFilterForm(BoundedForm, forms.Form):
    actor = ModelChoiceField(
        label="Staff member",
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="Anyone",
    )
    client_id = forms.IntegerField(label="Client id", required=False, min_value=1)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices]
    )
    since = DateField(label="From", required=False)
    until = DateField(label="To", required=False)

    def __init__(self, *args: object, organisation_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["actor"].queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:  # type: ignore[operator]
            self.add_error("until", "The end date is before the start date.")
        return cleaned
