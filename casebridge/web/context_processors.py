"""What every page's layout needs to draw navigation for the signed-in person."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from casebridge.access.policy import (
    may_have_caseload,
    may_read_as_court_team,
    may_read_audit,
    may_register_clients,
    may_see_team,
    may_use_break_glass,
)
from casebridge.accounts.models import Role
from casebridge.accounts.queries import may_see_staff_changes
from casebridge.directory.queries import may_manage_directory
from casebridge.family.access import may_start_plans


def casebridge(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "nav": {
            "caseload": may_have_caseload(user),
            "register": may_register_clients(user),
            "team": may_see_team(user),
            "audit": may_read_audit(user),
            "emergency": may_use_break_glass(user),
            "admin": bool(getattr(user, "is_staff", False)),
            "access_changes": may_see_staff_changes(user),
            "directory_admin": may_manage_directory(user),
            # Everyone clinical sees who is on call; the on-call worker finds callers there.
            "on_call": may_have_caseload(user),
            "court_team": may_read_as_court_team(user),
            "interventions": may_start_plans(user),
            "coaching": may_have_caseload(user) and getattr(user, "role", "") == Role.COACH,
        },
        "idle_timeout_minutes": settings.IDLE_TIMEOUT_MINUTES,
    }
