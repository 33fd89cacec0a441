"""Writes of the access policy: granting break-the-glass access and telling supervisors."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.access.policy import may_use_break_glass
from casebridge.access.tasks import notify_supervisors_of_break_glass
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record


def break_glass_grant(
    *, user: User, client_id: int, program_id: int, reason: str
) -> BreakGlassGrant:
    """Give `user` time-limited view access to one client, audited, and notify supervisors."""
    if not may_use_break_glass(user):
        raise ValidationError("Your role cannot use emergency access.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": "Say why you need emergency access (at least 10 characters)."}
        )
    with transaction.atomic():
        grant = BreakGlassGrant(
            user=user,
            client_id=client_id,
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        grant.full_clean(exclude=["client"])
        grant.save()
        audit_record(
            actor=user,
            action="break_glass",
            client_id=client_id,
            object_type="break_glass_grant",
            object_id=grant.pk,
            changes={"reason": reason, "expires_at": grant.expires_at.isoformat()},
        )
        transaction.on_commit(
            lambda: notify_supervisors_of_break_glass.enqueue(
                grant_id=grant.pk, program_id=program_id
            )
        )
    return grant
