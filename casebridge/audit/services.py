"""Writing to and checking the audit trail."""

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from casebridge.audit.context import current_remote_addr
from casebridge.audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _normalise(changes: dict[str, Any]) -> dict[str, Any]:
    """Make changes survive a JSON round trip unchanged, so the hash can be recomputed."""
    result: dict[str, Any] = json.loads(json.dumps(changes, default=str, sort_keys=True))
    return result


def event_hash(
    *,
    prev_hash: str,
    at: datetime,
    organisation_id: int | None,
    actor_id: int | None,
    action: str,
    client_id: int | None,
    object_type: str,
    object_id: str,
    changes: dict[str, Any],
    remote_addr: str | None,
) -> str:
    body = json.dumps(
        [
            prev_hash,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            organisation_id,
            actor_id,
            action,
            client_id,
            object_type,
            object_id,
            changes,
            remote_addr,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    client_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    changes: dict[str, Any] | None = None,
    remote_addr: str | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one event to the trail. Runs inside the caller's transaction when there is one."""
    actor_obj = actor if getattr(actor, "pk", None) else None
    payload = _normalise(changes or {})
    if organisation_id is None:
        organisation_id = getattr(actor_obj, "organisation_id", None)
    addr = remote_addr if remote_addr is not None else current_remote_addr.get()
    at = timezone.now()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        digest = event_hash(
            prev_hash=head.last_hash,
            at=at,
            organisation_id=organisation_id,
            actor_id=actor_obj.pk if actor_obj else None,
            action=action,
            client_id=client_id,
            object_type=object_type,
            object_id=str(object_id),
            changes=payload,
            remote_addr=addr,
        )
        event = AuditEvent.objects.create(
            at=at,
            organisation_id=organisation_id,
            actor=actor_obj,
            actor_username=getattr(actor_obj, "username", "") if actor_obj else "",
            action=action,
            client_id=client_id,
            object_type=object_type,
            object_id=str(object_id),
            changes=payload,
            remote_addr=addr,
            prev_hash=head.last_hash,
            hash=digest,
        )
        AuditChainHead.objects.filter(pk=1).update(last_hash=digest)
    return event


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def audit_verify(events: Iterable[AuditEvent] | None = None) -> list[str]:
    """Recompute the chain; return a plain description of each break (empty when intact)."""
    problems: list[str] = []
    expected_prev = GENESIS
    rows = events if events is not None else AuditEvent.objects.order_by("id").iterator()
    last_hash = GENESIS
    for event in rows:
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.pk}: does not follow the event before it")
        recomputed = event_hash(
            prev_hash=event.prev_hash,
            at=event.at,
            organisation_id=event.organisation_id,
            actor_id=event.actor_id,
            action=event.action,
            client_id=event.client_id,
            object_type=event.object_type,
            object_id=event.object_id,
            changes=event.changes,
            remote_addr=event.remote_addr,
        )
        if recomputed != event.hash:
            problems.append(f"event {event.pk}: its contents were changed after it was written")
        expected_prev = event.hash
        last_hash = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and events is None and head.last_hash != last_hash:
        problems.append("the newest events are missing from the trail")
    return problems
