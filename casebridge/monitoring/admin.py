"""Program administrators set each program's note format, when a note is a late entry, whether
a supervisor co-signs notes, and which contact types count towards the contact rule (the
role's permissions are in accounts.backends). Every change is on the audit trail
(ProgramScopedAdmin)."""

from typing import Any

from django import forms
from django.contrib import admin

from casebridge.accounts.models import CaseManagementModel
from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.monitoring.formats import format_choices
from casebridge.monitoring.models import ContactNoteRules, ContactStandard, ContactType
from casebridge.monitoring.standards import DEFAULT_COUNTING, labels


class ContactNoteRulesForm(forms.ModelForm):
    note_format = forms.ChoiceField(choices=format_choices)

    class Meta:
        model = ContactNoteRules
        fields = ["program", "note_format", "late_after_days", "supervisor_cosign"]


@admin.register(ContactNoteRules)
class ContactNoteRulesAdmin(ProgramScopedAdmin):
    form = ContactNoteRulesForm
    list_display = ["program", "note_format", "late_after_days", "supervisor_cosign"]


# An attempt that did not reach the client is never a contact, so it is not offered.
COUNTABLE = [(value, label) for value, label in ContactType.choices if value != "attempted"]


class ContactStandardForm(forms.ModelForm):
    counting_types = forms.MultipleChoiceField(
        choices=COUNTABLE,
        widget=forms.CheckboxSelectMultiple,
        label="Contact types that count",
        help_text="Under this model, a contact of these types resets the days until the next "
        "contact is due. Without a setting here the defaults apply: "
        + "; ".join(
            f"{CaseManagementModel(model).label}: {', '.join(labels(types)).lower()}"
            for model, types in DEFAULT_COUNTING.items()
        ),
    )

    class Meta:
        model = ContactStandard
        fields = ["program", "model", "counting_types"]

    def clean_counting_types(self) -> list[str]:
        chosen: list[Any] = self.cleaned_data["counting_types"]
        return [value for value, _ in COUNTABLE if value in chosen]


@admin.register(ContactStandard)
class ContactStandardAdmin(ProgramScopedAdmin):
    form = ContactStandardForm
    list_display = ["program", "model"]
    list_filter = [("program", admin.RelatedOnlyFieldListFilter), "model"]
