"""Writes for staff accounts: authenticator (TOTP) enrolment and personal API tokens."""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebridge.accounts.models import ApiToken
from casebridge.audit.services import audit_record


def totp_device_for_setup(*, user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made if there is none yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the device when the code matches; other devices of the user are removed."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


TOKEN_PREFIX = "cb_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(
    *, user: Any, name: str, days: int, two_factor: bool = False
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored. `two_factor` says the
    session making it passed two-factor sign-in."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token after the program that will use it."})
    if not 1 <= days <= 365:
        raise ValidationError({"days": "Choose between 1 and 365 days."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:12],
            digest=_digest(raw),
            expires_at=timezone.now() + timedelta(days=days),
            role=user.role,
            organisation_id=user.organisation_id,
            two_factor=two_factor,
        )
        audit_record(
            actor=user,
            action="create",
            object_type="api_token",
            object_id=token.pk,
            changes={"name": [None, name], "days": [None, days]},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, by: Any) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action="update",
            object_type="api_token",
            object_id=token.pk,
            changes={"revoked": [False, True]},
        )


def api_token_user(raw: str) -> tuple[Any, ApiToken] | tuple[None, None]:
    """The staff member a token signs in, and the token, if it is valid, unexpired, not revoked,
    its owner is active in the same role and organisation it was made for, and it was made with
    two-factor sign-in wherever two-factor now applies."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) < 20:
        return None, None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(prefix=raw[:12])
        .first()
    )
    now = timezone.now()
    if (
        token is None
        or not hmac.compare_digest(token.digest, _digest(raw))
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.user.is_active
        or token.user.role != token.role
        or token.user.organisation_id != token.organisation_id
    ):
        return None, None
    user = token.user
    needs_two_factor = bool(
        getattr(user.organisation, "require_two_factor", False) or user_has_device(user)
    )
    if needs_two_factor and not token.two_factor:
        return None, None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user, token
