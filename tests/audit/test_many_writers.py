"""Many members of staff writing to one organisation's chain at once, reads outside any change
and changes under the head's lock together, leave it whole: every position once, in order, the
head at the last, every hash verified."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from casebridge.audit.models import AuditChainHead, AuditEvent
from casebridge.audit.services import audit_record, audit_verify

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer in at a time: there is no race to lose",
    ),
    pytest.mark.django_db(transaction=True),
]


def _whole(chain):
    seqs = list(
        AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    head = AuditChainHead.objects.get(chain=chain)
    last = AuditEvent.objects.get(chain=chain, seq=len(seqs))
    assert (head.last_seq, head.last_hash, head.last_event_id) == (len(seqs), last.hash, last.pk)
    assert audit_verify() == []
    return seqs


def test_a_change_locks_the_head_until_it_commits(world):
    audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    with CaptureQueriesContext(connection) as ran, transaction.atomic():
        audit_record(actor=world.alice, action="update", client_id=world.client.pk)
    assert any("FOR UPDATE" in query["sql"] for query in ran.captured_queries)
    assert ran.captured_queries[-1]["sql"].strip().upper() == "COMMIT"


def test_many_writers_on_one_chain_leave_it_whole(world):
    audit_record(actor=world.alice, action="view", client_id=world.client.pk)  # the head exists
    failures = []
    start = threading.Barrier(5)

    def reader(n):
        try:
            start.wait(10)
            for _ in range(n):
                audit_record(actor=world.alice, action="view", client_id=world.client.pk)
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    def changer(n):
        try:
            start.wait(10)
            for _ in range(n):
                with transaction.atomic():
                    audit_record(actor=world.bob, action="update", client_id=world.client.pk)
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader, args=(40,)) for _ in range(4)]
    threads.append(threading.Thread(target=changer, args=(20,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert len(_whole(f"org:{world.org.pk}")) == 1 + 4 * 40 + 20
