"""Permissions that follow from a staff member's role rather than per-user grants."""

from typing import Any

from django.contrib.auth.backends import BaseBackend

from casebridge.accounts.models import Role

# A program administrator configures their own organisation: its details, programs, the
# per-model rules, staff accounts, and each program's instrument schedules, plan rules, contact
# note rules, contact standards, referral rules and alert rules. Removing a program or an account is not
# offered: accounts are switched off instead, so the audit trail keeps who did what.
ADMIN_PERMISSIONS = frozenset(
    {
        "accounts.view_organisation",
        "accounts.change_organisation",
        *(f"accounts.{verb}_program" for verb in ("view", "add", "change")),
        *(f"accounts.{verb}_programmodelrule" for verb in ("view", "add", "change", "delete")),
        *(f"accounts.{verb}_user" for verb in ("view", "add", "change")),
        *(f"assessments.{verb}_instrumentschedule" for verb in ("view", "add", "change", "delete")),
        *(f"plans.{verb}_planrules" for verb in ("view", "add", "change", "delete")),
        *(
            f"monitoring.{verb}_{model}"
            for model in ("contactnoterules", "contactstandard")
            for verb in ("view", "add", "change", "delete")
        ),
        *(f"referrals.{verb}_referralrules" for verb in ("view", "add", "change", "delete")),
        *(f"alerts.{verb}_alertrule" for verb in ("view", "add", "change", "delete")),
        *(f"followups.{verb}_followuprules" for verb in ("view", "add", "change", "delete")),
        *(f"court.{verb}_courtprogram" for verb in ("view", "add", "change")),
        *(f"coaching.{verb}_coachingrules" for verb in ("view", "add", "change", "delete")),
        *(
            f"court.{verb}_{model}"
            for model in (
                "phase",
                "testinggroup",
                "behaviour",
                "scheduledresponse",
                "courtteammember",
            )
            for verb in ("view", "add", "change", "delete")
        ),
        *(
            f"directory.view_{model}"
            for model in ("provider", "service", "location", "taxonomyterm", "directoryimport")
        ),
    }
)
# The apps whose configuration screens are listed for a program administrator: those the
# permissions above reach.
ADMIN_APPS = frozenset(perm.split(".", 1)[0] for perm in ADMIN_PERMISSIONS)


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(
            user_obj.is_active
            and getattr(user_obj, "role", None) == Role.ADMIN
            and perm in ADMIN_PERMISSIONS
        )

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(
            user_obj.is_active
            and getattr(user_obj, "role", None) == Role.ADMIN
            and app_label in ADMIN_APPS
        )
