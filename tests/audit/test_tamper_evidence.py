"""Someone holding the database login, but not the audit key, tries to hide what happened:
rewriting a row and recomputing the hashes after it, deleting the newest events and moving the
head back, emptying or dropping the table, or editing a checkpoint. Each is reported in plain
words, by `audit_verify` and by `casebridge audit-verify` (which then exits non-zero)."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from casebridge.audit.checkpoints import checkpoint_newest, checkpoint_write
from casebridge.audit.models import AuditChainHead, AuditEvent
from casebridge.audit.services import audit_record, audit_verify, keyed_body, legacy_event_hash
from tests.audit.tamper import raw_sql


def _events(world, count):
    return [
        audit_record(
            actor=world.alice,
            action="update",
            client_id=world.client.pk,
            changes={"phone": [str(n), str(n + 1)]},
        )
        for n in range(count)
    ]


def _fetch(pk):
    return AuditEvent.objects.get(pk=pk)


def _unkeyed_old_formula(event, prev_hash):
    """What today's published algorithm gives: SHA-256 over the row, no key needed."""
    return legacy_event_hash(
        prev_hash=prev_hash,
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


def _unkeyed_new_body(event, prev_hash):
    """The new body (every column, canonical JSON) hashed with SHA-256 instead of the key."""
    event.prev_hash = prev_hash
    return hashlib.sha256(keyed_body(event)).hexdigest()


def _rewrite_and_recompute(events, target, recompute, *, scheme=None):
    """Change the target's client id, then recompute its hash and every later one's, and move
    the head, so that the chain links up again."""
    raw_sql("UPDATE audit_auditevent SET client_id = %s WHERE id = %s", [999, target.pk])
    prev_hash = _fetch(target.pk).prev_hash
    for event in events[events.index(target) :]:
        row = _fetch(event.pk)
        if scheme:
            row.scheme = scheme
        digest = recompute(row, prev_hash)
        raw_sql(
            "UPDATE audit_auditevent SET hash = %s, prev_hash = %s, scheme = %s WHERE id = %s",
            [digest, prev_hash, row.scheme, event.pk],
        )
        prev_hash = digest
    AuditChainHead.objects.filter(chain=events[-1].chain).update(last_hash=prev_hash)


@pytest.mark.parametrize(
    ("recompute", "scheme"),
    [(_unkeyed_old_formula, "sha256"), (_unkeyed_new_body, None)],
    ids=["old-unkeyed-formula-claiming-the-legacy-scheme", "new-body-without-the-key"],
)
def test_a_rewritten_row_with_recomputed_hashes_is_reported(world, recompute, scheme):
    events = _events(world, 4)
    _rewrite_and_recompute(events, events[1], recompute, scheme=scheme)
    problems = audit_verify()
    assert problems, "a rewritten, re-hashed chain must not verify"
    assert any(f"event {events[1].pk}:" in problem for problem in problems)
    with pytest.raises(CommandError):
        call_command("audit_verify", stderr=StringIO())


def test_deleting_the_newest_events_and_moving_the_head_back_is_caught_by_the_checkpoint(world):
    events = _events(world, 5)
    checkpoint_write()
    keep = events[2]
    raw_sql("DELETE FROM audit_auditevent WHERE id > %s", [keep.pk])
    AuditChainHead.objects.filter(chain=keep.chain).update(
        last_hash=keep.hash, last_seq=keep.seq, last_event_id=keep.pk
    )
    problems = audit_verify()
    assert len(problems) == 1
    assert problems[0].startswith(f"organisation {world.org.pk}: the checkpoint checkpoint-")
    assert problems[0].endswith(
        "recorded 5 event(s), only 3 are left: the newest 2 event(s) were removed"
    )
    with pytest.raises(CommandError):
        call_command("audit_verify", stderr=StringIO())


def test_events_written_after_the_checkpoint_are_fine(world):
    _events(world, 2)
    checkpoint_write()
    _events(world, 2)
    audit_record(actor=None, action="login_failed", changes={"username": "x"})
    assert audit_verify() == []


def test_emptying_the_table_with_a_checkpoint_present_is_reported(world):
    _events(world, 3)
    audit_record(actor=world.charlie, action="view", client_id=world.foreign_client.pk)
    checkpoint_write()
    raw_sql("DELETE FROM audit_auditevent")
    raw_sql("DELETE FROM audit_auditchainhead")
    problems = audit_verify()
    assert len(problems) == 1
    assert problems[0].startswith("the audit trail is empty, but the checkpoint checkpoint-")
    assert problems[0].endswith("recorded 4 event(s): it was emptied")


def test_truncating_the_table_on_postgresql_is_reported(world):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _events(world, 2)
    checkpoint_write()
    raw_sql("TRUNCATE audit_auditevent")
    problems = audit_verify()
    assert len(problems) == 1
    assert problems[0].startswith(
        "the audit trail is empty, but the chain heads count 2 and the checkpoint checkpoint-"
    )


def test_a_dropped_table_is_reported(world):
    _events(world, 2)
    checkpoint_write()
    raw_sql("DROP TABLE audit_auditevent")
    problems = audit_verify()
    assert len(problems) == 1
    assert problems[0].startswith("the audit trail cannot be read (")
    assert "its tables were removed or damaged; the checkpoint checkpoint-" in problems[0]
    assert problems[0].endswith("recorded 2 event(s)")


def test_a_tampered_checkpoint_is_reported_and_the_one_before_it_still_counts(world):
    _events(world, 3)
    older = checkpoint_write()
    _events(world, 2)
    newer = checkpoint_write()
    document = json.loads(newer.path.read_text())
    # Pretend the chain was shorter, so deleting its newest events would go unnoticed.
    document["chains"][f"org:{world.org.pk}"]["events"] = 3
    document["events"] = 3
    newer.path.write_text(json.dumps(document))
    problems = audit_verify()
    assert problems == [
        f"checkpoint {newer.path.name} does not match its signature: it was changed after it "
        "was written, or not written with the audit key"
    ]
    assert checkpoint_newest()[0].path == older.path


def test_a_checkpoint_signed_with_another_key_is_reported(world, settings):
    _events(world, 1)
    settings.AUDIT_KEY = "a key this server does not have"
    forged = checkpoint_write()
    settings.AUDIT_KEY = "the server's own key"
    settings.AUDIT_RETIRED_KEYS = []
    problems = [p for p in audit_verify() if p.startswith("checkpoint ")]
    assert len(problems) == 1
    assert problems[0].startswith(f"checkpoint {forged.path.name} is signed with audit key ")


def test_rows_and_checkpoints_under_a_retired_key_still_verify(world, settings):
    settings.AUDIT_KEY = "the key we used last year"
    _events(world, 2)
    checkpoint_write()
    settings.AUDIT_KEY = "this year's key"
    settings.AUDIT_RETIRED_KEYS = ["the key we used last year"]
    _events(world, 2)
    assert audit_verify() == []
    settings.AUDIT_RETIRED_KEYS = []
    assert audit_verify()


def test_the_audit_checkpoint_command_writes_and_prints_a_signed_checkpoint(world, settings):
    _events(world, 2)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    path, _, text = out.getvalue().partition("\n")
    document = json.loads(text)
    assert path.startswith(str(settings.AUDIT_CHECKPOINT_DIR))
    assert document["chains"][f"org:{world.org.pk}"]["events"] == 2
    assert document["events"] == 2 and len(document["signature"]) == 64
    latest = StringIO()
    call_command("audit_checkpoint", "--latest", stdout=latest)
    assert latest.getvalue() == out.getvalue()


def test_the_clock_writes_a_checkpoint(world, settings):
    _events(world, 1)
    call_command("clock", "--once", stdout=StringIO())
    checkpoint, problems = checkpoint_newest()
    assert problems == [] and checkpoint is not None
    assert checkpoint.chains[f"org:{world.org.pk}"].events == 1


def test_audit_verify_says_what_it_compared_with(world):
    _events(world, 2)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "No signed checkpoint was found" in out.getvalue()
    checkpoint = checkpoint_write()
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert f"Compared with the checkpoint {checkpoint.path.name}" in out.getvalue()
    assert "Audit trail intact: 2 events in 1 chain(s) checked." in out.getvalue()
