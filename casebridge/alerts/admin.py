"""Program administrators turn alert rules on or off and set their numbers per program. Every
change is on the audit trail (ProgramScopedAdmin); a change is felt at the next sweep."""

from typing import Any

from django import forms
from django.contrib import admin

from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.alerts.models import AlertRule
from casebridge.alerts.rules import RULES, threshold_problems


def _numbers_help() -> str:
    lines = []
    for definition in RULES.values():
        names = ", ".join(
            f"{t.name} ({t.label.lower()}, default {t.default})" for t in definition.thresholds
        )
        lines.append(f"{definition.kind.label}: {names or 'no numbers'}")
    return (
        'Only the numbers that differ from the defaults, for example {"grace_days": 2}. '
        + "; ".join(lines)
        + "."
    )


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["program", "kind", "enabled", "thresholds"]
        help_texts = {"thresholds": _numbers_help()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        thresholds = cleaned.get("thresholds")
        if kind and thresholds:
            problems = threshold_problems(kind, thresholds)
            if problems:
                self.add_error("thresholds", problems)
        return cleaned


@admin.register(AlertRule)
class AlertRuleAdmin(ProgramScopedAdmin):
    form = AlertRuleForm
    list_display = ["program", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
