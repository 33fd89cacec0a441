"""The directory search form: every field bounded, every choice from the agency's taxonomy."""

from typing import Any

from django import forms

from casebridge.accounts.models import Organisation
from casebridge.directory import queries
from casebridge.inputs import BoundedForm


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name or obj.code)


class DirectorySearchForm(BoundedForm, forms.Form):
    q = forms.CharField(
        label="Words",
        max_length=200,
        required=False,
        help_text="In the service's or the provider's name or description.",
    )
    category = TermChoiceField(
        label="Kind of service", queryset=None, required=False, empty_label="Any"
    )
    payment = TermChoiceField(
        label="Accepts", queryset=None, required=False, empty_label="Any payment"
    )
    language = forms.CharField(
        label="Language",
        max_length=60,
        required=False,
        help_text="Spoken without an interpreter: a name (Spanish) or a code (es, spa).",
    )
    open_now = forms.BooleanField(label="Open now", required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = queries.category_terms(organisation)  # type: ignore[attr-defined]
        self.fields["payment"].queryset = queries.payment_terms(organisation)  # type: ignore[attr-defined]
