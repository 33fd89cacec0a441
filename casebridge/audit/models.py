"""Audit events: rows, not log lines. Each organisation's events form a chain: each row carries
the keyed hash (HMAC) of the one before it in its chain."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    BREAK_GLASS = "break_glass", "Emergency access"
    ON_CALL_READ = "on_call_read", "On-call access"
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    REFUSED = "refused", "Refused"


class HashScheme(models.TextChoices):
    # Rows written before keyed hashing: SHA-256 without a key, one chain in id order.
    LEGACY_SHA256 = "sha256", "SHA-256, unkeyed (before keyed hashing)"
    # HMAC-SHA256 with the audit key (outside the database) over canonical JSON of every column.
    HMAC_SHA256_V1 = "hmac-sha256-v1", "HMAC-SHA256 with the audit key"


# The chain of rows written before chains were kept per organisation (and before keyed hashing).
LEGACY_CHAIN = "legacy"
# The chain of events that belong to no organisation (failed sign-ins with unknown usernames).
NO_ORGANISATION_CHAIN = "none"


def chain_of(organisation_id: int | None) -> str:
    """Which chain an event for this organisation joins: one per organisation, so writers in one
    organisation never wait for another's."""
    return NO_ORGANISATION_CHAIN if organisation_id is None else f"org:{organisation_id}"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now)
    # Found through the index on the person and time (Meta), not one of its own: every index is
    # written on each of the millions of reads the trail records.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    # Kept as written so the trail reads the same if the account is renamed.
    actor_username = models.CharField(max_length=150, blank=True)
    # Which organisation's trail this belongs to (auditors read only their own).
    organisation_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    client_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    # The chain (chain_of(organisation_id), or LEGACY_CHAIN) and the position in it, from 1;
    # legacy rows have no position: their order is their id.
    chain = models.CharField(max_length=32)
    seq = models.BigIntegerField(null=True, blank=True)
    scheme = models.CharField(max_length=20, choices=HashScheme.choices)
    # Which audit key signed the row (blank for legacy rows); see casebridge.audit.keys.
    key_id = models.CharField(max_length=16, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    # Not looked up, and not kept unique by an index: a keyed hash is a random key, and an index
    # of random keys over millions of rows made each write touch pages nothing else did (two on
    # PostgreSQL, with its index for LIKE). The chain is held in line by (chain, seq) and by
    # each event signing the one before it; audit migration 0007.
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["client_id", "at"]),
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["organisation_id", "at"]),
            # Refused attempts are few among millions of reads: the Team page and the team's
            # day look for repeated ones in the last two weeks through this index alone.
            models.Index(
                fields=["organisation_id", "at"],
                condition=models.Q(action="refused"),
                name="audit_refused_by_time",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_one_per_position"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only.")


class AuditChainHead(models.Model):
    """The newest event of one chain. Locking it keeps that chain in one line; each organisation
    has its own, so organisations do not queue behind each other."""

    chain = models.CharField(max_length=32, unique=True)
    last_hash = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(null=True, blank=True)
