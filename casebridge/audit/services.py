"""Writing to and checking the audit trail.

Each organisation's events form a chain (events without an organisation form one more), so
organisations never wait for each other's writes. An event's hash is HMAC-SHA256, with the audit
key kept outside the database (casebridge.audit.keys), over canonical JSON (casebridge.audit.canonical)
of every column and the previous event's hash: whoever can rewrite rows cannot recompute it.
Rows written before keyed hashing keep their unkeyed SHA-256 chain (the legacy chain) and are
checked as such; the first keyed event of each chain starts from the legacy chain's last hash, so
it seals them. Deleting the newest events and moving the heads back is caught by the signed
checkpoints written outside the database (casebridge.audit.checkpoints).
"""

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from casebridge.accounts.models import User
from casebridge.audit.canonical import canonical_json, storable
from casebridge.audit.checkpoints import Checkpoint, checkpoint_newest
from casebridge.audit.context import current_api_token, current_remote_addr
from casebridge.audit.keys import current_key, known_keys
from casebridge.audit.models import (
    LEGACY_CHAIN,
    NO_ORGANISATION_CHAIN,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    HashScheme,
    chain_of,
)
from casebridge.prepared import statement_cursor

GENESIS = "0" * 64


def _normalise(changes: dict[str, Any]) -> dict[str, Any]:
    """Changes as the database will give them back: plain JSON (dates and the like as text),
    and nothing either database refuses or rewrites (see canonical.storable)."""
    result: dict[str, Any] = storable(json.loads(json.dumps(changes, default=str)))
    return result


def _storable_address(addr: str | None) -> str | None:
    """The address as the database stores it (PostgreSQL's inet rewrites IPv6 text), or None
    when it is not an IP address at all (the database would refuse the row)."""
    if not addr:
        return None
    try:
        parsed = ipaddress.ip_address(addr.strip().split("%", 1)[0])
    except ValueError:
        return None
    if parsed.version == 6:
        return clean_ipv6_address(str(parsed))
    return str(parsed)


def legacy_event_hash(
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
    """The unkeyed SHA-256 rows were written with before keyed hashing; kept to check them."""
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


def _legacy_hash_of(event: AuditEvent) -> str:
    return legacy_event_hash(
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


def keyed_body(event: AuditEvent) -> bytes:
    """What the keyed hash covers: every column but the id and the hash itself."""
    return canonical_json(
        [
            event.scheme,
            event.key_id,
            event.chain,
            event.seq,
            event.prev_hash,
            event.at.astimezone(UTC).isoformat(timespec="microseconds"),
            event.organisation_id,
            event.actor_id,
            event.actor_username,
            event.action,
            event.client_id,
            event.object_type,
            event.object_id,
            event.changes,
            event.remote_addr,
        ]
    ).encode()


def _chain_start() -> str:
    """Where a new chain starts: the last hash of the rows written before keyed hashing."""
    legacy = AuditChainHead.objects.filter(chain=LEGACY_CHAIN).values_list("last_hash", flat=True)
    return legacy.first() or GENESIS


def _locked_head(chain: str) -> AuditChainHead:
    """The chain's head, locked until the transaction ends (created on the chain's first event)."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(chain=chain, last_hash=_chain_start())
    except IntegrityError:  # someone else started this chain at the same moment
        head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:
            raise
        return head


def _naming_token(changes: dict[str, Any]) -> dict[str, Any]:
    """The event's details, with the API token the current call signed in with, if any."""
    token = current_api_token.get()
    return changes if token is None else {**changes, "api_token": token}


def audit_event(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    client_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    changes: dict[str, Any] | None = None,
    remote_addr: str | None = None,
    organisation_id: int | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """One event, made but not yet written (audit_write writes it).

    `actor_name` names who acted when no account did (a provider through a referral's link):
    it is kept where an account's username is, so the trail says who it was."""
    # Nobody signed in (a failed sign-in, a background sweep) leaves the actor empty.
    actor_obj = actor if isinstance(actor, User) and actor.pk else None
    if organisation_id is None:
        organisation_id = getattr(actor_obj, "organisation_id", None)
    event = AuditEvent(
        at=timezone.now(),
        organisation_id=int(organisation_id) if organisation_id is not None else None,
        actor=actor_obj,
        actor_username=getattr(actor_obj, "username", "") if actor_obj else actor_name[:150],
        action=str(action),
        client_id=int(client_id) if client_id is not None else None,
        object_type=str(object_type),
        object_id=str(object_id),
        changes=_normalise(_naming_token(changes or {})),
        remote_addr=_storable_address(
            remote_addr if remote_addr is not None else current_remote_addr.get()
        ),
        scheme=HashScheme.HMAC_SHA256_V1,
    )
    event.chain = chain_of(event.organisation_id)
    return event


class _Statements:
    """The three statements that append to a chain, written once for the database in use.

    Every page and API call that shows a client writes here, so they skip the ORM's building
    of the same SQL on each call (about a millisecond of processor a read); the values are
    still prepared by each model field, as the ORM's own INSERT prepares them."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        quote = connection.ops.quote_name
        event, head = AuditEvent._meta, AuditChainHead._meta
        self.fields = [field for field in event.concrete_fields if not field.primary_key]
        self.returning = connection.features.can_return_columns_from_insert
        # SQLite has no row locks: its write transactions (IMMEDIATE) already run one at a time.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Only names from the models' own metadata go into the text; every value is a parameter.
        self.head = (
            f"SELECT {quote('id')}, {quote('last_hash')}, {quote('last_seq')} "  # noqa: S608
            f"FROM {quote(head.db_table)} WHERE {quote('chain')} = %s{lock}"
        )
        self.insert = (
            f"INSERT INTO {quote(event.db_table)} "  # noqa: S608
            f"({', '.join(quote(str(field.column)) for field in self.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
            + (f" RETURNING {quote(str(event.pk.column))}" if self.returning else "")
        )
        self.move = (
            f"UPDATE {quote(head.db_table)} SET {quote('last_hash')} = %s, "  # noqa: S608
            f"{quote('last_seq')} = %s, {quote('last_event_id')} = %s WHERE {quote('id')} = %s"
        )
        # PostgreSQL appends the chain's last event and moves the head in one statement (one
        # trip to the database fewer on every audited read): the same INSERT, and the same
        # UPDATE taking the new row's id from it. SQLite has no INSERT inside a WITH.
        self.insert_and_move = (
            f"WITH {quote('appended')} AS ({self.insert}) "  # noqa: S608
            f"UPDATE {quote(head.db_table)} SET {quote('last_hash')} = %s, "
            f"{quote('last_seq')} = %s, {quote('last_event_id')} = "
            f"(SELECT {quote(str(event.pk.column))} FROM {quote('appended')}) "
            f"WHERE {quote('id')} = %s RETURNING {quote('last_event_id')}"
            if connection.vendor == "postgresql" and self.returning
            else None
        )


_statements: dict[str, _Statements] = {}


def _statements_for(connection: BaseDatabaseWrapper) -> _Statements:
    statements = _statements.get(connection.vendor)
    if statements is None:
        statements = _statements[connection.vendor] = _Statements(connection)
    return statements


def audit_write(events: Sequence[AuditEvent]) -> None:
    """Append events made by audit_event, in their order, in one transaction (the caller's,
    when there is one): each chain's head is locked once for all of its events, so a page that
    records two reads waits for one commit, not two."""
    if any(event.pk is not None for event in events):
        raise PermissionError("The audit trail is append-only.")
    key = current_key()
    by_chain: dict[str, list[AuditEvent]] = {}
    for event in events:
        by_chain.setdefault(event.chain, []).append(event)
    connection = connections[router.db_for_write(AuditEvent)]
    statements = _statements_for(connection)
    # No savepoint inside the caller's transaction: an event that cannot be written fails the
    # whole change it belongs to.
    with (
        transaction.atomic(using=connection.alias, savepoint=False),
        statement_cursor(connection) as cursor,
    ):
        for chain in sorted(by_chain):  # always in the same order: no deadlock between two
            cursor.execute(statements.head, [chain])
            row = cursor.fetchone()
            if row is None:  # the chain's first event
                head = _locked_head(chain)
                row = (head.pk, head.last_hash, head.last_seq)
            head_id, previous, seq = row
            events = by_chain[chain]
            for event in events:
                seq += 1
                event.key_id = key.key_id
                event.seq, event.prev_hash = seq, previous
                event.hash = key.sign_event(keyed_body(event))
                values = [
                    field.get_db_prep_save(getattr(event, field.attname), connection)
                    for field in statements.fields
                ]
                last = event is events[-1]
                if last and statements.insert_and_move:
                    cursor.execute(statements.insert_and_move, [*values, event.hash, seq, head_id])
                else:
                    cursor.execute(statements.insert, values)
                event.pk = (
                    cursor.fetchone()[0]
                    if statements.returning
                    else connection.ops.last_insert_id(
                        cursor, AuditEvent._meta.db_table, str(AuditEvent._meta.pk.column)
                    )
                )
                event._state.adding, event._state.db = False, connection.alias
                previous = event.hash
            if not statements.insert_and_move:
                cursor.execute(statements.move, [previous, seq, events[-1].pk, head_id])


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    client_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    changes: dict[str, Any] | None = None,
    remote_addr: str | None = None,
    organisation_id: int | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the trail (as audit_event makes it). Runs inside the caller's
    transaction when there is one."""
    event = audit_event(
        actor=actor,
        action=action,
        client_id=client_id,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        remote_addr=remote_addr,
        organisation_id=organisation_id,
        actor_name=actor_name,
    )
    audit_write([event])
    return event


def audit_record_many(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    changes: dict[str, Any],
    records: Sequence[tuple[int | None, int | None, object]],
) -> int:
    """Append one event for each (organisation id, client id, object id) in `records`, alike
    but for those: what audit_record would write for each in turn, in a few statements for
    each organisation's chain (its head locked, one INSERT, the head moved), however many
    there are. Runs inside the caller's transaction when there is one. Returns how many."""
    actor_obj = actor if isinstance(actor, User) and actor.pk else None
    key = current_key()
    remote = _storable_address(current_remote_addr.get())
    by_chain: dict[str, list[AuditEvent]] = {}
    for organisation_id, client_id, object_id in records:
        event = AuditEvent(
            at=timezone.now(),
            organisation_id=int(organisation_id) if organisation_id is not None else None,
            actor=actor_obj,
            actor_username=getattr(actor_obj, "username", "") if actor_obj else "",
            action=str(action),
            client_id=int(client_id) if client_id is not None else None,
            object_type=str(object_type),
            object_id=str(object_id),
            changes=_normalise(_naming_token(changes)),
            remote_addr=remote,
            scheme=HashScheme.HMAC_SHA256_V1,
            key_id=key.key_id,
        )
        event.chain = chain_of(event.organisation_id)
        by_chain.setdefault(event.chain, []).append(event)
    with transaction.atomic():
        for chain in sorted(by_chain):  # always in the same order: no deadlock between two
            events = by_chain[chain]
            head = _locked_head(chain)
            seq, previous = head.last_seq, head.last_hash
            for event in events:
                seq += 1
                event.seq, event.prev_hash = seq, previous
                event.hash = key.sign_event(keyed_body(event))
                previous = event.hash
            AuditEvent.objects.bulk_create(events)
            last = AuditEvent.objects.filter(chain=chain, seq=seq).values_list("pk", flat=True)
            AuditChainHead.objects.filter(pk=head.pk).update(
                last_hash=previous, last_seq=seq, last_event_id=last[0]
            )
    return sum(len(events) for events in by_chain.values())


def record_print(
    *, actor: User, client_id: int, object_type: str, object_id: object = "", **details: Any
) -> AuditEvent:
    """A client's record printed or laid out for paper: every printout is on the trail."""
    return audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        client_id=client_id,
        object_type=object_type,
        object_id=object_id,
        changes=details,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


# Checking the trail.


def chain_label(chain: str) -> str:
    if chain == LEGACY_CHAIN:
        return "the events written before keyed hashing"
    if chain == NO_ORGANISATION_CHAIN:
        return "the events without an organisation"
    return "organisation " + chain.removeprefix("org:")


@dataclass
class _ChainWalk:
    """What was found walking one chain: its length, newest hash, and the hashes at the
    positions a head or a checkpoint names."""

    length: int = 0
    rows: int = 0
    last_hash: str = GENESIS
    wanted: set[int] = field(default_factory=set)
    hash_at: dict[int, str] = field(default_factory=dict)


@dataclass
class AuditReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    events: int = 0
    legacy_events: int = 0
    chains: int = 0
    checkpoint: Checkpoint | None = None


def _walk_legacy(rows: Iterable[AuditEvent], walk: _ChainWalk, problems: list[str]) -> None:
    expected_prev = GENESIS
    for event in rows:
        walk.length += 1
        walk.rows += 1
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.pk}: does not follow the event before it")
        if event.scheme != HashScheme.LEGACY_SHA256 or _legacy_hash_of(event) != event.hash:
            problems.append(f"event {event.pk}: its contents were changed after it was written")
        expected_prev = walk.last_hash = event.hash
        if walk.length in walk.wanted:
            walk.hash_at[walk.length] = event.hash


def _walk_keyed(
    rows: Iterable[AuditEvent], walks: dict[str, _ChainWalk], start: str, problems: list[str]
) -> None:
    keys = known_keys()
    walk: _ChainWalk | None = None
    chain = ""
    for event in rows:
        if walk is None or event.chain != chain:
            chain = event.chain
            walk = walks.setdefault(chain, _ChainWalk())
            walk.last_hash = start
        expected_seq = walk.length + 1
        if event.seq is None or event.seq < expected_seq:
            problems.append(f"event {event.pk}: has no proper place in its chain")
        elif event.seq > expected_seq:
            missing = event.seq - expected_seq
            problems.append(
                f"event {event.pk}: does not follow the event before it ({missing} event(s) "
                f"of {chain_label(chain)} before it are missing)"
            )
        elif event.prev_hash != walk.last_hash:
            if event.seq == 1:
                problems.append(
                    f"event {event.pk}: the first event of {chain_label(chain)} does not start "
                    "where the events written before keyed hashing end: those were changed or "
                    "removed"
                )
            else:
                problems.append(f"event {event.pk}: does not follow the event before it")
        key = keys.get(event.key_id)
        if event.scheme != HashScheme.HMAC_SHA256_V1:
            problems.append(
                f"event {event.pk}: carries an unkeyed hash, which only events written before "
                "keyed hashing have: it was rewritten by someone without the audit key"
            )
        elif key is None:
            problems.append(
                f"event {event.pk}: is signed with audit key {event.key_id}, which this server "
                "does not have (add the old key to AUDIT_RETIRED_KEYS to check it)"
            )
        elif key.sign_event(keyed_body(event)) != event.hash:
            problems.append(f"event {event.pk}: its contents were changed after it was written")
        walk.rows += 1
        walk.length = event.seq if event.seq and event.seq > expected_seq else expected_seq
        walk.last_hash = event.hash
        if walk.length in walk.wanted:
            walk.hash_at[walk.length] = event.hash


def _compare_heads(
    heads: list[AuditChainHead], walks: dict[str, _ChainWalk], problems: list[str]
) -> None:
    by_chain = {head.chain: head for head in heads}
    for chain, walk in sorted(walks.items()):
        if walk.length and chain not in by_chain:
            problems.append(f"{chain_label(chain)}: the chain's head is missing")
    for head in heads:
        walk = walks.get(head.chain, _ChainWalk())
        label = chain_label(head.chain)
        if walk.length < head.last_seq:
            problems.append(
                f"{label}: the newest {head.last_seq - walk.length} event(s) are missing "
                f"(the chain's head counts {head.last_seq}, {walk.length} are left)"
            )
        elif head.last_seq and walk.hash_at.get(head.last_seq) != head.last_hash:
            problems.append(f"{label}: event number {head.last_seq} is not the one its head names")
        elif head.chain == LEGACY_CHAIN and walk.length > head.last_seq:
            problems.append(
                f"{label}: {walk.length - head.last_seq} event(s) were added to them afterwards"
            )


def _compare_checkpoint(
    checkpoint: Checkpoint, walks: dict[str, _ChainWalk], problems: list[str]
) -> None:
    where = checkpoint.describe()
    for chain, position in sorted(checkpoint.chains.items()):
        walk = walks.get(chain, _ChainWalk())
        label = chain_label(chain)
        if walk.length < position.events:
            left = f"only {walk.length} are left" if walk.length else "none are left"
            problems.append(
                f"{label}: {where} recorded {position.events} event(s), {left}: the newest "
                f"{position.events - walk.length} event(s) were removed"
            )
        elif walk.hash_at.get(position.events) != position.last_hash:
            problems.append(
                f"{label}: event number {position.events} is not the one {where} recorded: "
                "the chain was rewritten"
            )


def audit_check() -> AuditReport:
    """Recompute every chain and compare it with its head and the newest signed checkpoint."""
    report = AuditReport()
    report.checkpoint, report.problems = checkpoint_newest()
    checkpoint = report.checkpoint
    walks: dict[str, _ChainWalk] = {}
    try:
        with transaction.atomic():
            # Heads first: events written while we walk then only run past their head.
            heads = list(AuditChainHead.objects.order_by("chain"))
            for head in heads:
                walks.setdefault(head.chain, _ChainWalk()).wanted.add(head.last_seq)
            for chain, position in (checkpoint.chains if checkpoint else {}).items():
                walks.setdefault(chain, _ChainWalk()).wanted.add(position.events)
            legacy = walks.setdefault(LEGACY_CHAIN, _ChainWalk())
            chain_problems: list[str] = []
            _walk_legacy(
                AuditEvent.objects.filter(chain=LEGACY_CHAIN).order_by("id").iterator(2000),
                legacy,
                chain_problems,
            )
            _walk_keyed(
                AuditEvent.objects.exclude(chain=LEGACY_CHAIN)
                .order_by("chain", "seq")
                .iterator(2000),
                walks,
                legacy.last_hash,
                chain_problems,
            )
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        recorded = (
            f"; {checkpoint.describe()} recorded {checkpoint.events} event(s)" if checkpoint else ""
        )
        report.problems.append(
            f"the audit trail cannot be read ({reason}): its tables were removed or damaged{recorded}"
        )
        return report
    report.events = sum(walk.rows for walk in walks.values())
    report.legacy_events = legacy.rows
    report.chains = sum(1 for walk in walks.values() if walk.rows)
    recorded_by_heads = sum(head.last_seq for head in heads)
    if report.events == 0 and (recorded_by_heads or (checkpoint and checkpoint.events)):
        counts = [f"the chain heads count {recorded_by_heads}"] if recorded_by_heads else []
        if checkpoint and checkpoint.events:
            counts.append(f"{checkpoint.describe()} recorded {checkpoint.events}")
        report.problems.append(
            f"the audit trail is empty, but {' and '.join(counts)} event(s): it was emptied"
        )
        return report
    report.problems += chain_problems
    _compare_heads(heads, walks, report.problems)
    if checkpoint is not None:
        _compare_checkpoint(checkpoint, walks, report.problems)
    report.notes += _notes(report)
    return report


def _notes(report: AuditReport) -> list[str]:
    notes = []
    if report.legacy_events:
        notes.append(
            f"{report.legacy_events} event(s) were written before keyed hashing and were checked "
            "with the old unkeyed SHA-256; the keyed events and checkpoints after them protect them."
        )
    checkpoint = report.checkpoint
    if checkpoint is None:
        notes.append(
            "No signed checkpoint was found in "
            f"{settings.AUDIT_CHECKPOINT_DIR}, so removed newest events could go unnoticed: "
            "run `casebridge audit-checkpoint` (and `casebridge clock`, which writes them)."
        )
    else:
        notes.append(f"Compared with {checkpoint.describe()}.")
        overdue = timedelta(minutes=2 * max(settings.SWEEP_EVERY_MINUTES, 1) + 5)
        if timezone.now() - checkpoint.written_at > overdue:
            notes.append("That checkpoint is old: is `casebridge clock` running?")
    return notes


def audit_verify() -> list[str]:
    """Check the trail; return a plain description of each problem (empty when intact)."""
    return audit_check().problems
