"""Program administrators choose whether case managers assign coaches (on the audit trail)."""

from django.contrib import admin

from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.coaching.models import CoachingRules


@admin.register(CoachingRules)
class CoachingRulesAdmin(ProgramScopedAdmin):
    list_display = ["program", "case_managers_assign"]
    fields = ["program", "case_managers_assign"]
