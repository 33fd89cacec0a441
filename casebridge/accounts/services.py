"""Writes for staff accounts: authenticator (TOTP) enrolment, personal API tokens, and changes
to staff access that need a second person."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebridge.accounts.devices import any_checked, authenticator_checks, has_authenticator
from casebridge.accounts.models import (
    CLIENT_REACHING_ROLES,
    CLINICAL_ROLES,
    ApiToken,
    Program,
    Role,
    StaffChange,
    StaffChangeStatus,
    User,
)
from casebridge.accounts.tasks import notify_authenticator_changed, send_password_link
from casebridge.audit.services import audit_record, changed_fields
from casebridge.prepared import Prepared


class TwoFactorSessionRequired(PermissionDenied):
    """Replacing an authenticator needs a session that already passed two-factor sign-in."""


TWO_FACTOR_DEVICE = "two_factor_device"
SETUP_REFUSED = {"reason": "setup needs a two-factor session"}


def _totp_setup_refused(*, user: User) -> TwoFactorSessionRequired:
    """Record that a password-only session tried to set up an authenticator over an existing one.
    Written in its own transaction, so the caller can raise without undoing it."""
    existing = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    with transaction.atomic():
        audit_record(
            actor=user,
            action="refused",
            object_type=TWO_FACTOR_DEVICE,
            object_id=existing.pk if existing is not None else "",
            changes=SETUP_REFUSED,
        )
    return TwoFactorSessionRequired(
        "You already have an authenticator app. Sign in with a code from it to change it."
    )


def totp_device_for_setup(*, user: User, verified: bool) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made if there is none yet.

    A password alone may start a first enrolment only: anyone holding the password of someone
    who already has an authenticator must not be handed a new secret, so unless `verified` says
    the session passed two-factor sign-in, that is refused (and audited)."""
    if not verified and has_authenticator(user):
        raise _totp_setup_refused(user=user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_confirm(*, device: TOTPDevice, token: str, verified: bool) -> bool:
    """Confirm the device when the code matches. False when it does not.

    A first enrolment leaves any other device alone. Replacing an authenticator removes the
    user's other authenticator devices, and only a session that passed two-factor sign-in
    (`verified`) may do it: otherwise TwoFactorSessionRequired is raised and nothing changes.
    The enrolment or replacement is audited and the user is emailed once it is committed."""
    user = device.user
    refused = False
    with transaction.atomic():
        # Lock the person so two set-ups at once cannot both count as the first enrolment.
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed:
            raise ValidationError("This authenticator app is already set up.")
        replacing = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if not verified and has_authenticator(user):
            refused = True
        elif not device.verify_token(token):
            return False
        else:
            others = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk)
            if not replacing:
                others = others.filter(confirmed=False)
            others.delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            change = "replaced" if replacing else "enrolled"
            audit_record(
                actor=user,
                action="update" if replacing else "create",
                object_type=TWO_FACTOR_DEVICE,
                object_id=device.pk,
                changes={"authenticator": ["replaced" if replacing else None, "enrolled"]},
            )
            if user.email:
                user_id, at = user.pk, timezone.now().isoformat()
                transaction.on_commit(
                    lambda: notify_authenticator_changed.enqueue(
                        user_id=user_id, change=change, at=at
                    )
                )
    if refused:
        raise _totp_setup_refused(user=user)
    return True


def totp_verify(*, user: User, token: str) -> Device | None:
    """The user's confirmed device that accepts the code, or None; a wrong code is audited as a
    failed sign-in at the two-factor step (without the code)."""
    device: Device | None = match_token(user, token)
    if device is None:
        audit_record(
            actor=user,
            action="login_failed",
            object_type=TWO_FACTOR_DEVICE,
            changes={"step": "two_factor"},
        )
    return device


TOKEN_PREFIX = "cb_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str, days: int, two_factor: bool = False
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


def api_token_revoke(*, token: ApiToken, by: User) -> None:
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


# Every API call looks its token up, with its owner, the owner's organisation and whether the
# owner has an authenticator, in one query built once (casebridge.prepared). The prefix is
# unique: one row, and no ORDER BY.
_TOKEN_BY_PREFIX = Prepared(
    lambda prefix: (
        ApiToken.objects.select_related("user", "user__organisation")
        .annotate(**authenticator_checks("user"))
        .filter(prefix=prefix)
        .order_by()[:1]
    ),
    prefix="«token prefix»",
)


def api_token_user(
    raw: str, *, method: str = "", path: str = ""
) -> tuple[Any, ApiToken] | tuple[None, None]:
    """The staff member a token signs in, and the token, if it is valid, unexpired, not revoked,
    its owner is active in the same role and organisation it was made for, and it was made with
    two-factor sign-in wherever two-factor now applies.

    A token in use signs in on the trail once a minute (with the call that did it), not on
    every call: each call's own events name the token (casebridge.audit.context)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) < 20:
        return None, None
    token = next(iter(_TOKEN_BY_PREFIX(prefix=raw[:12])), None)
    devices = authenticator_checks("user")
    now = timezone.now()
    if (
        token is None
        or not hmac.compare_digest(token.digest, _digest(raw))
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.user.is_active
        or token.user.role != token.role
        or token.user.organisation_id != token.organisation_id
        # A role changed and set back does not wake a token made before the change.
        or (
            token.user.access_changed_at is not None
            and token.created_at < token.user.access_changed_at
        )
    ):
        return None, None
    user = token.user
    # A token made after two-factor sign-in passes whatever two-factor asks now; only one made
    # without it needs the account's devices looked up.
    needs_two_factor = not token.two_factor and bool(
        getattr(user.organisation, "require_two_factor", False) or any_checked(token, devices)
    )
    if needs_two_factor:
        return None, None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            audit_record(
                actor=user,
                action="login",
                object_type="api_token",
                object_id=token.pk,
                changes={"method": method, "path": path},
            )
        token.last_used_at = now
    return user, token


# Staff access: roles that reach clients take two people ----------------------------------


@dataclass(frozen=True)
class StaffAccess:
    """What decides what a staff member reaches: role, programs, and the email address that
    links to set a password go to."""

    role: str
    email: str
    program_ids: frozenset[int]


def access_held_for_confirmation(
    *, before: StaffAccess | None, after: StaffAccess
) -> dict[str, Any]:
    """The part of a change that must wait for a second person (empty when none must).

    A role that reaches clients, given or changed; programs added to such a role; a new email
    address on such an account (a password link sent there would hand over the account).
    Taking access away never waits.
    """
    held: dict[str, Any] = {}
    from_role = before.role if before is not None else Role.NONE
    if after.role in CLIENT_REACHING_ROLES and after.role != from_role:
        held["role"] = [from_role, after.role]
    if after.role in CLIENT_REACHING_ROLES:
        added = after.program_ids - (before.program_ids if before is not None else frozenset())
        if added:
            held["programs_added"] = sorted(added)
        if before is not None and before.email != after.email:
            held["email"] = [before.email, after.email]
    return held


def staff_change_pending(user: User) -> StaffChange | None:
    return StaffChange.objects.filter(user=user, status=StaffChangeStatus.PENDING).first()


def staff_change_request(
    *, user: User, changes: dict[str, Any], by: User, reason: str = ""
) -> StaffChange:
    """Hold a change to someone's access until a second person confirms it (audited)."""
    if "role" in changes and by.pk == user.pk:
        raise ValidationError(
            {"role": "You cannot change your own role. Ask another administrator."}
        )
    if staff_change_pending(user) is not None:
        raise ValidationError(
            "A change to this person's access is already waiting for confirmation. "
            "Confirm or refuse it first."
        )
    if user.organisation_id is None:
        raise ValidationError("This person belongs to no organisation, so nobody can confirm it.")
    with transaction.atomic():
        change = StaffChange.objects.create(
            user=user,
            organisation_id=user.organisation_id,
            changes=changes,
            reason=(reason or "").strip()[:300],
            requested_by=by,
        )
        audit_record(
            actor=by,
            action="create",
            object_type="staff_change",
            object_id=change.pk,
            changes={"staff": [None, user.pk], **{k: [None, v] for k, v in changes.items()}},
            organisation_id=user.organisation_id,
        )
    return change


def _programs_involved(change: StaffChange) -> set[int]:
    # .all() so that a list of changes fetched with prefetch_related("user__programs") asks once.
    current = {program.pk for program in change.user.programs.all()}
    return current | set(change.changes.get("programs_added", []))


def may_decide_staff_change(
    person: User, change: StaffChange, supervised: set[int] | None = None
) -> bool:
    """A second person: not who asked, not whom it is about; another administrator of the
    organisation, or a supervisor of every program the change concerns (auditor roles are for
    administrators to confirm); the installation's operator (superuser) in a new organisation.

    `supervised` is the person's programs when the caller already has them (a list of changes)."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return False
    if person.pk in {change.requested_by_id, change.user_id}:
        return False
    if person.is_superuser:
        return True
    if person.organisation_id != change.organisation_id:
        return False
    if person.role == Role.ADMIN:
        return True
    if person.role != Role.SUPERVISOR:
        return False
    to_role = change.changes.get("role", [None, change.user.role])[1]
    if to_role not in CLINICAL_ROLES:
        return False
    involved = _programs_involved(change)
    if supervised is None:
        supervised = set(person.programs.values_list("pk", flat=True))
    return bool(involved) and involved <= supervised


def _access_snapshot(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "email": user.email,
        "programs": sorted(user.programs.values_list("pk", flat=True)),
    }


def staff_change_confirm(*, change: StaffChange, by: User, note: str = "") -> StaffChange:
    """Apply a held change, if `by` may decide it and the account has not changed meanwhile."""
    with transaction.atomic():
        change = StaffChange.objects.select_for_update().select_related("user").get(pk=change.pk)
        if change.status != StaffChangeStatus.PENDING:
            raise ValidationError("This change was already decided.")
        if not may_decide_staff_change(by, change):
            raise ValidationError("Someone other than the person who asked must confirm this.")
        user = change.user
        before = _access_snapshot(user)
        if "role" in change.changes:
            if user.role != change.changes["role"][0]:
                raise ValidationError(
                    "This person's role changed since the request was made. Refuse it and ask "
                    "again."
                )
            user.role = change.changes["role"][1]
        if "email" in change.changes:
            user.email = change.changes["email"][1]
        user.save()
        added = Program.objects.filter(
            pk__in=change.changes.get("programs_added", []), organisation=change.organisation_id
        )
        user.programs.add(*added)
        change.status = StaffChangeStatus.CONFIRMED
        change.decided_by = by
        change.decided_at = timezone.now()
        change.decision_note = (note or "").strip()[:300]
        change.save()
        audit_record(
            actor=by,
            action="update",
            object_type="accounts.user",
            object_id=user.pk,
            changes=changed_fields(before, _access_snapshot(user)) | {"staff_change": change.pk},
            organisation_id=user.organisation_id,
        )
    return change


def staff_change_refuse(*, change: StaffChange, by: User, note: str) -> StaffChange:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why the change is refused."})
    with transaction.atomic():
        change = StaffChange.objects.select_for_update().get(pk=change.pk)
        if change.status != StaffChangeStatus.PENDING:
            raise ValidationError("This change was already decided.")
        # Whoever asked may withdraw their own request; otherwise the same people as confirm.
        if by.pk != change.requested_by_id and not may_decide_staff_change(by, change):
            raise ValidationError("You cannot decide on this change.")
        change.status = StaffChangeStatus.REFUSED
        change.decided_by = by
        change.decided_at = timezone.now()
        change.decision_note = note[:300]
        change.save()
        audit_record(
            actor=by,
            action="update",
            object_type="staff_change",
            object_id=change.pk,
            changes={"status": ["pending", "refused"], "note": note[:300]},
            organisation_id=change.organisation_id,
        )
    return change


def password_link_send(*, user: User, by: User, site: str) -> bool:
    """Send the person a link to set their own password (administrators never set one)."""
    if not user.email or not user.is_active:
        return False
    with transaction.atomic():
        audit_record(
            actor=by,
            action="update",
            object_type="accounts.user",
            object_id=user.pk,
            changes={"password_link": [None, "sent"]},
            organisation_id=user.organisation_id,
        )
        user_id = user.pk
        transaction.on_commit(lambda: send_password_link.enqueue(user_id=user_id, site=site))
    return True
