"""Program administrators set how long a provider has to answer a referral and how soon staff
follow up after sending one (the role's permissions are in accounts.backends). Every change is
on the audit trail (ProgramScopedAdmin)."""

from django.contrib import admin

from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.referrals.models import ReferralRules


@admin.register(ReferralRules)
class ReferralRulesAdmin(ProgramScopedAdmin):
    fields = [
        "program",
        "answer_within_days",
        "follow_up_urgent_days",
        "follow_up_soon_days",
        "follow_up_routine_days",
    ]
    list_display = ["program", "answer_within_days", "follow_up_routine_days"]
