"""Program administrators set how often each program reviews plans and whether a supervisor
co-signs them."""

from django.contrib import admin

from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.plans.models import PlanRules


@admin.register(PlanRules)
class PlanRulesAdmin(ProgramScopedAdmin):
    list_display = ["program", "review_every_days", "supervisor_cosign"]
    fields = ["program", "review_every_days", "supervisor_cosign"]
