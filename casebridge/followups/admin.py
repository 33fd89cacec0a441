"""Program administrators set the days after discharge at which their program follows up (the
role's permissions are in accounts.backends). Every change is on the audit trail
(ProgramScopedAdmin)."""

from django.contrib import admin

from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.followups.models import FollowUpRules


@admin.register(FollowUpRules)
class FollowUpRulesAdmin(ProgramScopedAdmin):
    fields = ["program", "days"]
    list_display = ["program", "days"]
