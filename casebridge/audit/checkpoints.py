"""Signed checkpoints of the audit chains, kept outside the database.

A checkpoint is one small JSON file: when it was written, and for every chain how many events it
had, the newest one's id and hash, signed with the audit key (HMAC-SHA256). Whoever holds only the
database login can rewrite rows, move chain heads back or empty the table, but cannot change or
forge a checkpoint, so `audit_verify` compares the trail with the newest one. `casebridge clock`
writes one every SWEEP_EVERY_MINUTES (casebridge.audit.tasks); `casebridge audit-checkpoint`
writes one at once and prints it for an auditor. Keep AUDIT_CHECKPOINT_DIR on storage the
database login cannot reach (another machine, or write-once storage).
"""

import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from casebridge.audit.canonical import canonical_json
from casebridge.audit.keys import current_key, known_keys
from casebridge.audit.models import AuditChainHead

FORMAT = "casebridge-audit-checkpoint/1"
_FILE_NAME = re.compile(r"^checkpoint-\d{8}T\d{12}Z\.json$")


class CheckpointError(Exception):
    """A checkpoint file that cannot be trusted; the message says why, in plain words."""


@dataclass(frozen=True)
class ChainPosition:
    events: int
    last_event_id: int | None
    last_hash: str


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    written_at: datetime
    key_id: str
    chains: dict[str, ChainPosition]

    @property
    def events(self) -> int:
        return sum(position.events for position in self.chains.values())

    def describe(self) -> str:
        return f"the checkpoint {self.path.name} (written {self.written_at:%Y-%m-%d %H:%M:%S} UTC)"


def checkpoint_directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def _unsigned(document: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in document.items() if k != "signature"}).encode()


def checkpoint_write() -> Checkpoint:
    """Sign every chain's head as it is now and write it to a new file."""
    heads = AuditChainHead.objects.filter(last_seq__gt=0).order_by("chain")
    chains = {
        head.chain: ChainPosition(head.last_seq, head.last_event_id, head.last_hash)
        for head in heads
    }
    written_at = timezone.now().astimezone(UTC)
    key = current_key()
    document: dict[str, Any] = {
        "format": FORMAT,
        "written_at": written_at.isoformat(timespec="microseconds"),
        "key_id": key.key_id,
        "events": sum(position.events for position in chains.values()),
        "chains": {
            chain: {
                "events": position.events,
                "last_event_id": position.last_event_id,
                "last_hash": position.last_hash,
            }
            for chain, position in chains.items()
        },
    }
    document["signature"] = key.sign_checkpoint(_unsigned(document))
    directory = checkpoint_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{written_at:%Y%m%dT%H%M%S%f}Z.json"
    partial = directory / f".{path.name}.partial"
    # Written aside and renamed, so a reader never finds half a checkpoint.
    with partial.open("w", encoding="utf-8") as out:
        out.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return Checkpoint(path=path, written_at=written_at, key_id=key.key_id, chains=chains)


def _position(raw: Any) -> ChainPosition:
    if not isinstance(raw, dict):
        raise ValueError("a chain entry is not an object")
    events, last_event_id, last_hash = raw["events"], raw["last_event_id"], raw["last_hash"]
    if not isinstance(events, int) or isinstance(events, bool) or events < 0:
        raise ValueError("a chain's event count is not a number")
    if last_event_id is not None and not isinstance(last_event_id, int):
        raise ValueError("a chain's last event id is not a number")
    if not isinstance(last_hash, str):
        raise ValueError("a chain's last hash is not text")
    return ChainPosition(events, last_event_id, last_hash)


def checkpoint_read(path: Path) -> Checkpoint:
    """The checkpoint in this file, once its signature is checked (CheckpointError if not)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("not a Casebridge audit checkpoint")
        key_id, signature = document["key_id"], document["signature"]
        written_at = datetime.fromisoformat(document["written_at"])
        chains = {str(chain): _position(raw) for chain, raw in document["chains"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointError(f"checkpoint {path.name} cannot be read ({error})") from error
    key = known_keys().get(str(key_id))
    if key is None:
        raise CheckpointError(
            f"checkpoint {path.name} is signed with audit key {key_id}, which this server does "
            "not have (add the old key to AUDIT_RETIRED_KEYS to check it)"
        )
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature, key.sign_checkpoint(_unsigned(document))
    ):
        raise CheckpointError(
            f"checkpoint {path.name} does not match its signature: it was changed after it was "
            "written, or not written with the audit key"
        )
    return Checkpoint(path=path, written_at=written_at, key_id=key.key_id, chains=chains)


def checkpoint_newest() -> tuple[Checkpoint | None, list[str]]:
    """The newest checkpoint whose signature holds, and a problem for each newer file that does
    not (a damaged newest file must not hide the evidence in the one before it)."""
    directory = checkpoint_directory()
    if not directory.is_dir():
        return None, []
    names = sorted((p.name for p in directory.iterdir() if _FILE_NAME.match(p.name)), reverse=True)
    problems: list[str] = []
    for name in names:
        try:
            return checkpoint_read(directory / name), problems
        except CheckpointError as error:
            problems.append(str(error))
    return None, problems


def checkpoint_text(checkpoint: Checkpoint) -> str:
    """The file as written, for printing."""
    return checkpoint.path.read_text(encoding="utf-8")
