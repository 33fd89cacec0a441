"""The directory's forms: the search (every field bounded, every choice from the agency's
taxonomy) and, for administrators, the import of an HSDS file and the export."""

from typing import Any

from django import forms

from casebridge.accounts.models import Organisation
from casebridge.directory import queries
from casebridge.directory.hsds.exporting import ExportFormat
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import BoundedForm

# The largest file the screen takes; larger directories go through `casebridge hsds-import`.
MAX_IMPORT_BYTES = 100 * 1024 * 1024
WITHIN_MILES = [(1, "1 mile"), (5, "5 miles"), (10, "10 miles"), (25, "25 miles"), (50, "50 miles")]


class TermChoiceField(ModelChoiceField):
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
    within = forms.TypedChoiceField(
        label="Within",
        choices=[("", "Any distance"), *WITHIN_MILES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Of the client's ZIP code, as the crow flies.",
    )
    client = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    page = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, organisation: Organisation, from_client: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = queries.category_terms(organisation)  # type: ignore[attr-defined]
        self.fields["payment"].queryset = queries.payment_terms(organisation)  # type: ignore[attr-defined]
        if not from_client:
            # Distance is from a client's ZIP code; without one there is nothing to measure.
            del self.fields["within"]


class DirectoryImportForm(BoundedForm, forms.Form):
    file = forms.FileField(
        label="HSDS file",
        help_text="Open Referral HSDS 3.0: a JSON file, or a .zip of the CSV files with "
        "datapackage.json. At most 100 MB.",
    )
    dry_run = forms.BooleanField(
        label="Dry run",
        required=False,
        help_text="Check the file and report what would change, without changing anything.",
    )
    strict = forms.BooleanField(
        label="Strict",
        required=False,
        help_text="Import nothing if any row is rejected or refers to a record that is missing.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                "This file is larger than 100 MB. Split it, or ask for it to be imported "
                "with the casebridge hsds-import command."
            )
        head = upload.read(1024)
        upload.seek(0)
        if not head.startswith(b"PK\x03\x04") and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (
            b"{",
            b"[",
        ):
            raise forms.ValidationError(
                "This is neither a JSON file nor a zip archive. Choose the HSDS JSON file, or "
                "a .zip of the CSV files with datapackage.json."
            )
        return upload


class DirectoryExportForm(BoundedForm, forms.Form):
    format = forms.ChoiceField(
        label="Format",
        choices=[(ExportFormat.JSON.value, "JSON"), (ExportFormat.CSV.value, "CSV files (zip)")],
        initial=ExportFormat.JSON.value,
        widget=forms.RadioSelect,
    )
