"""One chain per organisation: organisations do not queue behind each other's writes. Rows
written before keyed hashing (one unkeyed chain) still verify, and the keyed chains seal them."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from casebridge.audit.models import LEGACY_CHAIN, AuditChainHead, AuditEvent, HashScheme
from casebridge.audit.services import GENESIS, audit_record, audit_verify, legacy_event_hash
from tests.audit.tamper import raw_sql


def test_each_organisation_has_its_own_chain_and_head(world):
    first = audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    elsewhere = audit_record(actor=world.charlie, action="view", client_id=world.foreign_client.pk)
    second = audit_record(actor=world.bob, action="view", client_id=world.client.pk)
    nobody = audit_record(actor=None, action="login_failed", changes={"username": "x"})
    assert (first.chain, first.seq) == (f"org:{world.org.pk}", 1)
    assert (second.chain, second.seq, second.prev_hash) == (first.chain, 2, first.hash)
    assert (elsewhere.chain, elsewhere.seq) == (f"org:{world.other_org.pk}", 1)
    assert elsewhere.prev_hash == GENESIS
    assert (nobody.chain, nobody.seq) == ("none", 1)
    heads = {head.chain: (head.last_seq, head.last_hash) for head in AuditChainHead.objects.all()}
    assert heads == {
        first.chain: (2, second.hash),
        elsewhere.chain: (1, elsewhere.hash),
        "none": (1, nobody.hash),
    }
    assert audit_verify() == []


def _hold_a_chain(organisation_id, holding, release, failures):
    """Another member of staff, mid-transaction after writing an event (a service that goes on
    saving after it audits)."""
    try:
        with transaction.atomic():
            audit_record(actor=None, action="view", organisation_id=organisation_id)
            holding.set()
            release.wait(10)
    except Exception as error:  # reported to the test below
        failures.append(error)
        holding.set()
    finally:
        connection.close()


def _write_within(seconds, organisation_id):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'")
        audit_record(actor=None, action="view", organisation_id=organisation_id)


@pytest.mark.django_db(transaction=True)
def test_an_organisation_does_not_wait_for_another_organisations_writer():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time, whatever the chain")
    holding, release, failures = threading.Event(), threading.Event(), []
    other = threading.Thread(target=_hold_a_chain, args=(1, holding, release, failures))
    other.start()
    try:
        assert holding.wait(10) and not failures
        _write_within(2, organisation_id=2)  # another organisation: no wait
        with pytest.raises(OperationalError):  # the same organisation: waits its turn
            _write_within(0.5, organisation_id=1)
    finally:
        release.set()
        other.join(10)
    assert not failures
    assert audit_verify() == []


def _legacy_rows(count):
    """Rows as the code before keyed hashing wrote them: one unkeyed chain, one head (pk 1)."""
    prev_hash = GENESIS
    rows = []
    for n in range(count):
        at = timezone.now()
        digest = legacy_event_hash(
            prev_hash=prev_hash,
            at=at,
            organisation_id=3,
            actor_id=None,
            action="update",
            client_id=n,
            object_type="client",
            object_id=str(n),
            changes={"phone": ["1", "2"], "score": 1.5},
            remote_addr="10.0.0.1",
        )
        rows.append(
            AuditEvent.objects.create(
                at=at,
                organisation_id=3,
                action="update",
                client_id=n,
                object_type="client",
                object_id=str(n),
                changes={"phone": ["1", "2"], "score": 1.5},
                remote_addr="10.0.0.1",
                chain=LEGACY_CHAIN,
                scheme=HashScheme.LEGACY_SHA256,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest
    AuditChainHead.objects.create(
        chain=LEGACY_CHAIN, last_hash=prev_hash, last_seq=count, last_event_id=rows[-1].pk
    )
    return rows


def test_rows_written_before_keyed_hashing_still_verify(db):
    legacy = _legacy_rows(3)
    keyed = audit_record(actor=None, action="view", organisation_id=3)
    assert keyed.prev_hash == legacy[-1].hash  # the keyed chain starts where they end
    assert audit_verify() == []


def test_rewriting_the_rows_before_keyed_hashing_is_caught_by_the_keyed_chains(db):
    legacy = _legacy_rows(3)
    keyed = audit_record(actor=None, action="view", organisation_id=3)
    # Rewrite the first legacy row and recompute the whole unkeyed chain and its head.
    raw_sql("UPDATE audit_auditevent SET client_id = 999 WHERE id = %s", [legacy[0].pk])
    prev_hash = GENESIS
    for row in legacy:
        stored = AuditEvent.objects.get(pk=row.pk)
        digest = legacy_event_hash(
            prev_hash=prev_hash,
            at=stored.at,
            organisation_id=stored.organisation_id,
            actor_id=stored.actor_id,
            action=stored.action,
            client_id=stored.client_id,
            object_type=stored.object_type,
            object_id=stored.object_id,
            changes=stored.changes,
            remote_addr=stored.remote_addr,
        )
        raw_sql(
            "UPDATE audit_auditevent SET hash = %s, prev_hash = %s WHERE id = %s",
            [digest, prev_hash, row.pk],
        )
        prev_hash = digest
    AuditChainHead.objects.filter(chain=LEGACY_CHAIN).update(last_hash=prev_hash)
    assert audit_verify() == [
        f"event {keyed.pk}: the first event of organisation 3 does not start where the events "
        "written before keyed hashing end: those were changed or removed"
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_rows_written_before_it_over():
    """Rows written by the old code (one unkeyed chain) verify after migrating, and new events
    chain on from them."""
    before = [("audit", "0003_auditevent_action_refused")]
    after = [("audit", "0004_chains_per_organisation_and_keyed_hashes")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        OldEvent = old_apps.get_model("audit", "AuditEvent")
        OldHead = old_apps.get_model("audit", "AuditChainHead")
        prev_hash = GENESIS
        for organisation_id in (1, 2, None, 1):
            at = timezone.now()
            values = {
                "at": at,
                "organisation_id": organisation_id,
                "action": "view",
                "client_id": 5,
                "object_type": "client",
                "object_id": "5",
                "changes": {"n": 1},
                "remote_addr": "10.0.0.9",
            }
            digest = legacy_event_hash(prev_hash=prev_hash, actor_id=None, **values)
            OldEvent.objects.create(prev_hash=prev_hash, hash=digest, **values)
            prev_hash = digest
        OldHead.objects.create(pk=1, last_hash=prev_hash)
        if connection.vendor == "postgresql":
            # As on a database the old code wrote to: its head got id 1 explicitly, so the id
            # sequence never moved (earlier tests here may have moved it).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('audit_auditchainhead', 'id'), 1, false)"
                )

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        head = AuditChainHead.objects.get(chain=LEGACY_CHAIN)
        assert (head.last_seq, head.last_hash) == (4, prev_hash)
        assert set(AuditEvent.objects.values_list("scheme", "chain")) == {("sha256", "legacy")}
        assert audit_verify() == []
        keyed = audit_record(actor=None, action="view", organisation_id=1)
        assert (keyed.seq, keyed.prev_hash) == (1, prev_hash)
        assert audit_verify() == []
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_events_written_together_read_back_as_made_and_the_head_points_at_the_last(world):
    from casebridge.audit.services import audit_event, audit_write

    made = [
        audit_event(actor=world.alice, action="view", client_id=world.client.pk),
        audit_event(
            actor=world.alice,
            action="update",
            client_id=world.client.pk,
            object_type="note",
            object_id=7,
            changes={"text": ["Zoë\u2019s plan", "Zoë\u2019s plan 🌱"], "nested": {"a": [1, None]}},
            remote_addr="2001:DB8::1",
        ),
        audit_event(actor=world.charlie, action="view", client_id=world.foreign_client.pk),
    ]
    audit_write(made)
    columns = [f.attname for f in AuditEvent._meta.concrete_fields]
    for event in made:
        stored = AuditEvent.objects.get(pk=event.pk)
        assert {c: getattr(stored, c) for c in columns} == {c: getattr(event, c) for c in columns}
    assert (made[0].chain, made[0].seq, made[1].seq, made[1].prev_hash) == (
        f"org:{world.org.pk}",
        1,
        2,
        made[0].hash,
    )
    head = AuditChainHead.objects.get(chain=made[1].chain)
    assert (head.last_seq, head.last_hash, head.last_event_id) == (2, made[1].hash, made[1].pk)
    assert audit_verify() == []


def test_an_event_written_in_a_change_that_fails_is_undone_with_it(world):
    class Failed(Exception):
        pass

    kept = audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    with pytest.raises(Failed), transaction.atomic():
        audit_record(actor=world.alice, action="update", client_id=world.client.pk)
        raise Failed
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    head = AuditChainHead.objects.get(chain=kept.chain)
    assert (head.last_seq, head.last_hash) == (1, kept.hash)
    assert audit_record(actor=world.alice, action="view").seq == 2
    assert audit_verify() == []


def test_an_event_already_on_the_trail_cannot_be_written_again(world):
    from casebridge.audit.services import audit_write

    written = audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    with pytest.raises(PermissionError):
        audit_write([written])
    assert AuditEvent.objects.count() == 1


def test_the_trail_keeps_no_index_of_random_hashes_or_of_the_person_alone(db):
    """Every read of a client writes an event, so each index is written millions of times: the
    person is found through (person, time), and nothing looks an event up by its hash, whose
    index (a random key) made each write touch pages no other did. SQLite keeps the hash's
    uniqueness in the table itself (audit migration 0007)."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "audit_auditevent")
    indexed = [tuple(c["columns"]) for c in found.values() if c["index"] or c["unique"]]
    assert ("actor_id",) not in indexed
    assert ("actor_id", "at") in indexed and ("chain", "seq") in indexed
    if connection.vendor == "postgresql":
        assert ("hash",) not in indexed
