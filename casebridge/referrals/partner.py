"""The provider's link to a referral: made and withdrawn by staff who may disclose the client's
record, used by the provider without an account to see the packet and answer (accept, decline
with a reason, book the first appointment, say how it ended).

The link is a secret address: `secrets.token_urlsafe(32)` shown once, of which only the SHA-256
is kept, and looked up by that hash. It works while it is neither expired nor withdrawn (a new
link withdraws the old), the referral is open, and the consent the referral was sent under still
covers it (referrals.packet). The provider's moves are the provider's side of the one status
table (statuses.PROVIDER_MOVES), recorded as the provider's answer (`for_provider`) with no staff
member behind them; every view and answer is on the audit trail with the link as the actor
(`actor_name`), like any access to the client's record.
"""

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.models import AuditAction, AuditEvent
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version
from casebridge.background.outbox import deliver_once
from casebridge.clients import services as client_services
from casebridge.clients.queries import user_may
from casebridge.inputs import text_problem
from casebridge.referrals.models import Referral, ReferralLink
from casebridge.referrals.packet import packet_refusal
from casebridge.referrals.services import move_apply, move_problems, move_summary
from casebridge.referrals.statuses import (
    FINAL,
    ReferralStatus,
    is_allowed,
)

log = logging.getLogger(__name__)

OBJECT_TYPE = "referral_link"
DEFAULT_DAYS = 30
MIN_DAYS = 1
MAX_DAYS = 90
# secrets.token_urlsafe(32) is 43 characters of the URL-safe alphabet; anything else is no link.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# At most this many refused uses of one known link are recorded a minute (an address pasted
# into a crawler must not flood the trail).
REFUSALS_PER_MINUTE = 10


class LinkProblem:
    """Why a link does not work (for staff; the provider's page never says which)."""

    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CLOSED = "closed"
    NOT_COVERED = "not covered"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def link_actor(link: ReferralLink) -> str:
    """How the audit trail names the provider acting through a link."""
    return f"provider link {link.pk}"


def live_link(referral: Referral) -> ReferralLink | None:
    """The referral's link that is not withdrawn (it may have expired)."""
    return referral.partner_links.filter(revoked_at__isnull=True).first()


def link_problem(link: ReferralLink, now: datetime | None = None) -> str:
    """Why the link does not work now, or "" when it does."""
    now = now or timezone.now()
    referral = link.referral
    if link.revoked_at is not None:
        return LinkProblem.WITHDRAWN
    if link.expires_at <= now:
        return LinkProblem.EXPIRED
    if referral.status in FINAL or referral.status == ReferralStatus.DRAFT:
        return LinkProblem.CLOSED
    if packet_refusal(referral):
        return LinkProblem.NOT_COVERED
    return ""


def link_find(raw: object) -> ReferralLink | None:
    """The link whose secret this is, by its hash; None for anything else."""
    if not isinstance(raw, str) or not _TOKEN.fullmatch(raw):
        return None
    return (
        ReferralLink.objects.select_related(
            "referral__client__organisation",
            "referral__client__program",
            "referral__created_by",
            "referral__goal",
            "referral__disclosure__consent",
        )
        .filter(token_hash=token_digest(raw))
        .first()
    )


def _may_disclose(by: User, referral: Referral) -> None:
    if not user_may(by, referral.client, Action.DISCLOSE):
        raise ValidationError(
            "Only the client's case manager or a supervisor gives providers a link."
        )


def _withdraw(referral: Referral, by: User, now: datetime) -> None:
    for link in referral.partner_links.select_for_update().filter(revoked_at__isnull=True):
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action="update",
            client_id=referral.client_id,
            object_type=OBJECT_TYPE,
            object_id=link.pk,
            changes={"revoked_at": [None, now.isoformat()]},
        )


def _email(*, link: ReferralLink, to: str, url: str, agency: str) -> bool:
    """Send the link to the provider: the address and the agency's name, nothing about the
    client. Sent from the request, not a task, so the secret never rests in a queue, and the
    person knows at once whether it went."""
    message = EmailMessage(
        subject=f"A referral from {agency}",
        body=(
            f"{agency} has sent you a referral. Open it here:\n\n{url}\n\n"
            "The link works for a limited time. If it does not open, contact the agency.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    try:
        return deliver_once(key=f"referral_link:{link.pk}", message=message)
    except Exception:  # a mail server that is down must not lose the link just made
        log.exception("The email with provider link %s could not be sent", link.pk)
        return False


def link_create(
    *,
    referral: Referral,
    by: User,
    days: int = DEFAULT_DAYS,
    email: str = "",
    address_of: Callable[[str], str],
) -> tuple[ReferralLink, str, bool]:
    """A new link for a sent, open referral whose consent still covers it (the old one stops
    working). Returns the link, its address (`address_of(secret)`: shown once, never stored) and
    whether the address was emailed to `email`."""
    _may_disclose(by, referral)
    errors: dict[str, str] = {}
    if not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        errors["days"] = f"Choose between {MIN_DAYS} and {MAX_DAYS} days."
    email = (email or "").strip()
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["email"] = "Give an email address like intake@example.org, or leave it empty."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        current = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("client__organisation", "disclosure__consent")
            .get(pk=referral.pk)
        )
        if current.status == ReferralStatus.DRAFT:
            raise ValidationError("Send the referral first; then the provider can have a link.")
        if current.status in FINAL:
            raise ValidationError("This referral is closed; a provider link is no longer needed.")
        problem = packet_refusal(current)
        if problem:
            raise ValidationError(problem)
        _withdraw(current, by, now)
        raw = secrets.token_urlsafe(32)
        link = ReferralLink(
            referral=current,
            token_hash=token_digest(raw),
            created_by=by,
            expires_at=now + timedelta(days=days),
        )
        link.full_clean()
        link.save()
        audit_record(
            actor=by,
            action="create",
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=link.pk,
            changes={
                "referral": [None, current.pk],
                "expires_at": [None, link.expires_at.isoformat()],
                "email_to": [None, email or None],
            },
        )
    address = address_of(raw)
    emailed = bool(email) and _email(
        link=link, to=email, url=address, agency=current.client.organisation.name
    )
    if email:
        # Whether it went, once the mail server has answered (an address kept is not a sent one).
        audit_record(
            actor=by,
            action="update",
            client_id=current.client_id,
            object_type=OBJECT_TYPE,
            object_id=link.pk,
            changes={"emailed": [None, emailed]},
        )
    return link, address, emailed


def link_revoke(*, referral: Referral, by: User) -> bool:
    """Withdraw the referral's link; False when there was none."""
    _may_disclose(by, referral)
    with transaction.atomic():
        had = referral.partner_links.filter(revoked_at__isnull=True).exists()
        _withdraw(referral, by, timezone.now())
    return had


def _audit(link: ReferralLink, action: str, changes: dict[str, Any], object_type: str = "") -> None:
    referral = link.referral
    audit_record(
        actor=None,
        actor_name=link_actor(link),
        organisation_id=referral.client.organisation_id,
        action=action,
        client_id=referral.client_id,
        object_type=object_type or "referral",
        object_id=referral.pk,
        changes=changes,
    )


def link_opened(link: ReferralLink, categories: list[str]) -> None:
    """The provider opened the packet: a read of the client's record."""
    now = timezone.now()
    with transaction.atomic():
        ReferralLink.objects.filter(pk=link.pk).update(last_used_at=now)
        link.last_used_at = now
        _audit(link, "view", {"link": link.pk, "categories": categories})


def link_refused(link: ReferralLink, problem: str) -> None:
    """Someone used a link that no longer works: a refusal is a fact too (a few a minute)."""
    since = timezone.now() - timedelta(minutes=1)
    recent = AuditEvent.objects.filter(
        action=AuditAction.REFUSED,
        object_type=OBJECT_TYPE,
        object_id=str(link.pk),
        at__gte=since,
    ).aggregate(rows=Count("id"))["rows"]
    if recent >= REFUSALS_PER_MINUTE:
        return
    referral = link.referral
    audit_record(
        actor=None,
        actor_name=link_actor(link),
        organisation_id=referral.client.organisation_id,
        action=AuditAction.REFUSED,
        client_id=referral.client_id,
        object_type=OBJECT_TYPE,
        object_id=link.pk,
        changes={"reason": problem},
    )


class LinkStopped(Exception):
    """The link stopped working while the provider had the page open; nothing was saved."""


def _text(errors: dict[str, str], name: str, value: str, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    problem = text_problem(value, max_length=limit)
    if problem:
        errors[name] = problem
    return value


def _provider_move(
    *,
    link: ReferralLink,
    to_status: str,
    version: int,
    reason: str = "",
    detail: str = "",
    outcome: str = "",
    outcome_note: str = "",
    follow_up_on: date | None = None,
    errors: dict[str, str] | None = None,
) -> Referral:
    errors = errors if errors is not None else {}
    if to_status not in ReferralStatus.values:
        raise ValidationError({"to_status": "Choose what happened to the referral."})
    detail, outcome_note = move_problems(
        errors,
        to_status=to_status,
        reason=reason if isinstance(reason, str) else "",
        detail=detail if isinstance(detail, str) else "",
        outcome=outcome,
        outcome_note=outcome_note if isinstance(outcome_note, str) else "",
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The referral first, then its link: the order making a new link takes them in.
        current = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("client__organisation", "disclosure__consent")
            .get(pk=link.referral_id)
        )
        locked = ReferralLink.objects.select_for_update().get(pk=link.pk)
        locked.referral = current
        if link_problem(locked):
            raise LinkStopped
        check_version(
            current=current.version,
            version=version,
            client_id=current.client_id,
            object_type="referral",
            object_id=current.pk,
        )
        if not is_allowed(current.status, to_status, by_provider=True):
            raise ValidationError(
                {
                    "to_status": (
                        f"The referral is {ReferralStatus(current.status).label.lower()}, so it "
                        f"cannot become {ReferralStatus(to_status).label.lower()} now."
                    )
                }
            )
        changes = move_apply(
            current,
            to_status=to_status,
            by=None,
            for_provider=True,
            reason=reason,
            detail=detail,
            outcome=outcome,
            outcome_note=outcome_note,
            next_follow_up_on=follow_up_on,
        )
        current.version += 1
        current.full_clean()
        current.save()
        locked.last_used_at = timezone.now()
        locked.save(update_fields=["last_used_at"])
        changes["version"] = [current.version - 1, current.version]
        changes["link"] = link.pk
        _audit(locked, "update", changes)
        client_services.timeline_add(
            client=current.client,
            kind="referral",
            summary=f"{move_summary(current)}, as the provider answered through its link",
            detail=detail,
            actor=None,
        )
    return current


# What the provider may answer through the link, each a move of the provider's side of the table.
ANSWERS = {
    "accept": ReferralStatus.ACCEPTED,
    "decline": ReferralStatus.REJECTED,
    "completed": ReferralStatus.COMPLETED,
    "failed": ReferralStatus.FAILED,
}


def partner_answer(
    *,
    link: ReferralLink,
    to_status: str,
    version: int,
    reason: str = "",
    detail: str = "",
    outcome: str = "",
    outcome_note: str = "",
) -> Referral:
    """The provider accepts, declines (with a reason) or says how it ended (completed with what
    came of it, or did not happen with a reason)."""
    return _provider_move(
        link=link,
        to_status=to_status,
        version=version,
        reason=reason,
        detail=detail,
        outcome=outcome,
        outcome_note=outcome_note,
    )


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return f"{local:%a %b} {local.day}, {local:%Y} at {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


def partner_schedule(
    *, link: ReferralLink, version: int, starts_at: datetime | None, place: str
) -> Referral:
    """The provider booked the client's first appointment: the referral is in progress, the
    history says when and where, and the case manager's next follow-up is the day after it."""
    errors: dict[str, str] = {}
    now = timezone.now()
    if starts_at is None:
        errors["day"] = "Give the date and time of the first appointment."
    elif starts_at < now - timedelta(days=1):
        errors["day"] = "The first appointment is today or later. Check the date."
    elif starts_at > now + timedelta(days=366):
        errors["day"] = "Give a date within a year."
    place = _text(errors, "place", place, 200)
    if not place and "place" not in errors:
        errors["place"] = "Say where the client should go."
    detail = f"First appointment: {_when(starts_at)}, {place}" if starts_at and place else ""
    follow_up = timezone.localdate(starts_at) + timedelta(days=1) if starts_at else None
    return _provider_move(
        link=link,
        to_status=ReferralStatus.IN_PROGRESS,
        version=version,
        detail=detail[:300],
        follow_up_on=follow_up if follow_up and follow_up >= timezone.localdate() else None,
        errors=errors,
    )
