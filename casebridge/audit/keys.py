"""The audit key: kept outside the database, so rows cannot be re-hashed by whoever holds the
database login. One secret (settings.AUDIT_KEY) gives separate keys for the event chain and for
checkpoints, and a short public id that each row and checkpoint records, so rows written under a
retired key (settings.AUDIT_RETIRED_KEYS) still verify after the key is changed."""

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    chain_key: bytes
    checkpoint_key: bytes

    def sign_event(self, body: bytes) -> str:
        return hmac.new(self.chain_key, body, hashlib.sha256).hexdigest()

    def sign_checkpoint(self, body: bytes) -> str:
        return hmac.new(self.checkpoint_key, body, hashlib.sha256).hexdigest()


def _derive(secret: str, purpose: bytes) -> bytes:
    # Separate keys per use: a checkpoint signature can never pass for an event hash.
    return hmac.new(secret.encode(), b"casebridge audit " + purpose, hashlib.sha256).digest()


@lru_cache(maxsize=8)
def audit_key_from(secret: str) -> AuditKey:
    if not secret:
        raise ValueError("The audit key is empty; set AUDIT_KEY or AUDIT_KEY_FILE.")
    return AuditKey(
        key_id=_derive(secret, b"key id").hex()[:16],
        chain_key=_derive(secret, b"chain"),
        checkpoint_key=_derive(secret, b"checkpoint"),
    )


def current_key() -> AuditKey:
    """The key new events and checkpoints are signed with."""
    return audit_key_from(settings.AUDIT_KEY)


def known_keys() -> dict[str, AuditKey]:
    """Every key this server can check rows with, by key id (the current one and retired ones)."""
    keys = [audit_key_from(secret) for secret in settings.AUDIT_RETIRED_KEYS if secret]
    keys.append(current_key())
    return {key.key_id: key for key in keys}
