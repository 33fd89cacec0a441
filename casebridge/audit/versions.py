"""Optimistic locking, written once: refuse a save that would overwrite someone else's, and
say what they changed (read back from the audit trail, which records every saved change)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from casebridge.accounts.models import User
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_record

DEFAULT_MESSAGE = (
    "Someone else changed this record while you were editing it. "
    "Your changes were not saved; review theirs below and make yours again."
)


@dataclass(frozen=True)
class Change:
    """One saved change by someone else: who, when, and {field: [before, after]}."""

    who: str
    at: datetime
    fields: dict[str, list[Any]]


class VersionConflict(Exception):
    """The record moved on since the person opened it; nothing was saved.

    Every app raises this one error, so every page shows a conflict the same way
    (`clients/_conflict.html`) and every API answers it with 409.
    """

    def __init__(self, message: str = DEFAULT_MESSAGE, changes: list[Change] | None = None):
        super().__init__(message)
        self.changes = changes or []


def changes_since(
    *, client_id: int | None, object_type: str, object_id: object, version: int
) -> list[Change]:
    """The saved changes to one record made after the version a person started editing.

    Only updates that carry their version move (`{"version": [old, new]}`) are listed.
    """
    events = AuditEvent.objects.filter(
        client_id=client_id, object_type=object_type, object_id=str(object_id), action="update"
    ).order_by("id")
    return [
        Change(who=event.actor_username, at=event.at, fields=event.changes)
        for event in events
        if isinstance(event.changes.get("version"), list) and event.changes["version"][1] > version
    ]


def check_version(
    *,
    current: int,
    version: int,
    client_id: int | None,
    object_type: str,
    object_id: object,
    message: str = DEFAULT_MESSAGE,
) -> None:
    """Raise VersionConflict when `version` (what the person opened) is not `current`."""
    if current != version:
        raise VersionConflict(
            message,
            changes_since(
                client_id=client_id, object_type=object_type, object_id=object_id, version=version
            ),
        )


class Versioned(Protocol):
    """A client's record edited under optimistic locking: it has a version and a client."""

    pk: Any
    version: int
    client_id: int

    def full_clean(self) -> None: ...
    def save(self) -> None: ...


def check_record_version(
    record: Versioned,
    version: int | None,
    *,
    object_type: str,
    message: str = DEFAULT_MESSAGE,
) -> None:
    """`check_version` for a client's record, locked by the caller: no version given (a form
    that lost it) is never the current one."""
    check_version(
        current=record.version,
        version=version if version is not None else -1,
        client_id=record.client_id,
        object_type=object_type,
        object_id=record.pk,
        message=message,
    )


def save_version(
    record: Versioned, *, actor: User, object_type: str, changes: dict[str, Any]
) -> None:
    """Save a changed record as its next version and audit the update with the version move,
    which is what lets `check_version` name who changed it to anyone still on the old one."""
    record.version += 1
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="update",
        client_id=record.client_id,
        object_type=object_type,
        object_id=record.pk,
        changes=changes | {"version": [record.version - 1, record.version]},
    )
