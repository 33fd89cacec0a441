"""Program administrators set each program's note format, when a note is a late entry, whether
a supervisor co-signs notes, and which contact types count towards the contact rule. Every
change is on the audit trail (ProgramScopedAdmin)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from casebridge.accounts.models import CaseManagementModel, Role
from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.monitoring.formats import format_choices
from casebridge.monitoring.models import ContactNoteRules, ContactStandard, ContactType
from casebridge.monitoring.standards import DEFAULT_COUNTING, labels


class ProgramSettingAdmin(ProgramScopedAdmin):
    """A program administrator may view, add, change and remove these settings for their own
    organisation's programs (the same grant accounts.backends gives the other program settings;
    the role's permission list lives there and does not name these yet)."""

    def _configures(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "role", None) == Role.ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._configures(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._configures(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._configures(request) or super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._configures(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._configures(request) or super().has_delete_permission(request, obj)


class ContactNoteRulesForm(forms.ModelForm):
    note_format = forms.ChoiceField(choices=format_choices)

    class Meta:
        model = ContactNoteRules
        fields = ["program", "note_format", "late_after_days", "supervisor_cosign"]


@admin.register(ContactNoteRules)
class ContactNoteRulesAdmin(ProgramSettingAdmin):
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
class ContactStandardAdmin(ProgramSettingAdmin):
    form = ContactStandardForm
    list_display = ["program", "model"]
    list_filter = ["program", "model"]
