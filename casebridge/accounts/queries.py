"""Reads of staff accounts: their own API tokens, and changes to staff access."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from casebridge.accounts.models import (
    ApiToken,
    Program,
    Role,
    StaffChange,
    StaffChangeStatus,
    User,
)
from casebridge.accounts.services import may_decide_staff_change
from casebridge.inputs import parse_id


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_of(user: User, token_id: object) -> ApiToken | None:
    """One of the user's own tokens (never another person's), or None."""
    pk = parse_id(token_id)
    if pk is None:
        return None
    return tokens_of(user).filter(pk=pk).first()


@dataclass(frozen=True)
class StaffChangeRow:
    change: StaffChange
    role_from: str
    role_to: str
    programs_added: list[str]
    email: list[str] | None
    may_decide: bool


def _role_label(value: str) -> str:
    return str(dict(Role.choices).get(value, value))


def _rows(changes: list[StaffChange], viewer: User) -> list[StaffChangeRow]:
    if not changes:  # most days: nothing more to read
        return []
    # The viewer's programs once for the whole list, not once per change (supervisors decide
    # changes that stay inside the programs they supervise).
    supervised = (
        set(viewer.programs.values_list("pk", flat=True))
        if viewer.role == Role.SUPERVISOR
        else None
    )
    program_names = dict(
        Program.objects.filter(
            pk__in={pk for c in changes for pk in c.changes.get("programs_added", [])}
        ).values_list("pk", "name")
    )
    rows = []
    for change in changes:
        role = change.changes.get("role")
        rows.append(
            StaffChangeRow(
                change=change,
                role_from=_role_label(role[0]) if role else "",
                role_to=_role_label(role[1]) if role else "",
                programs_added=[
                    program_names.get(pk, str(pk))
                    for pk in change.changes.get("programs_added", [])
                ],
                email=change.changes.get("email"),
                may_decide=change.status == StaffChangeStatus.PENDING
                and may_decide_staff_change(viewer, change, supervised),
            )
        )
    return rows


def may_see_staff_changes(user: User | AnonymousUser) -> bool:
    return bool(
        isinstance(user, User)
        and user.is_authenticated
        and (
            user.is_superuser
            or (user.organisation_id and user.role in {Role.ADMIN, Role.SUPERVISOR})
        )
    )


def staff_changes(
    viewer: User, days: int = 30
) -> tuple[list[StaffChangeRow], list[StaffChangeRow]]:
    """Changes to staff access in the viewer's organisation: those waiting, and those decided in
    the last `days` days."""
    found = StaffChange.objects.select_related("user", "requested_by", "decided_by")
    if not viewer.is_superuser:
        if viewer.organisation_id is None:
            return [], []
        found = found.filter(organisation_id=viewer.organisation_id)
    waiting = list(
        found.filter(status=StaffChangeStatus.PENDING).prefetch_related("user__programs")
    )
    decided = list(
        found.exclude(status=StaffChangeStatus.PENDING).filter(
            decided_at__gte=timezone.now() - timedelta(days=days)
        )[:100]
    )
    return _rows(waiting, viewer), _rows(decided, viewer)


def read_programs(user: User) -> None:
    """Reads the person's programs once for the rest of the request: `user.programs.all()`
    then answers from them (and adding or taking one away forgets them)."""
    prefetch_related_objects([user], "programs")


def role_grants(viewer: User, days: int = 30) -> list[StaffChangeRow]:
    """Roles that reach clients, given or asked for in the viewer's organisation lately, for
    the supervisors' Team page."""
    if viewer.organisation_id is None:
        return []
    recent = (
        StaffChange.objects.filter(
            organisation_id=viewer.organisation_id,
            requested_at__gte=timezone.now() - timedelta(days=days),
        )
        .exclude(status=StaffChangeStatus.REFUSED)
        .select_related("user", "requested_by", "decided_by")
    )
    return [row for row in _rows(list(recent), viewer) if row.role_to or row.programs_added]


def staff_change_of(viewer: User, change_id: int) -> StaffChange | None:
    if not may_see_staff_changes(viewer):
        return None
    found = StaffChange.objects.select_related("user").filter(pk=change_id)
    if not viewer.is_superuser:
        if viewer.organisation_id is None:
            return None
        found = found.filter(organisation_id=viewer.organisation_id)
    return found.first()
