"""The audit trail: rows for reads and changes, append-only, and a chain that shows tampering."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_record, audit_verify


def test_opening_a_client_page_is_audited_with_who_what_and_where(client, world):
    client.force_login(world.alice)
    client.get(f"/clients/{world.client.pk}/", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action="view").latest("id")
    assert (event.actor, event.client_id, event.object_type, event.remote_addr) == (
        world.alice,
        world.client.pk,
        "client",
        "10.1.2.3",
    )
    assert event.organisation_id == world.org.pk


def test_a_refused_read_writes_no_view_event(client, world):
    client.force_login(world.bob)
    client.get(f"/clients/{world.client.pk}/")
    assert not AuditEvent.objects.filter(action="view", client_id=world.client.pk).exists()


def test_events_chain_and_verify(world):
    first = audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    second = audit_record(
        actor=world.alice, action="update", client_id=world.client.pk, changes={"phone": ["1", "2"]}
    )
    assert second.prev_hash == first.hash
    assert audit_verify() == []
    call_command("audit_verify")


def test_the_trail_refuses_changes_through_the_orm(world):
    event = audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def _raw_update(sql, params):
    """Tamper as someone with direct database access would (on PostgreSQL, as a superuser
    who switches triggers off for the moment)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_tampering_with_a_row_is_detected(world):
    audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    target = audit_record(
        actor=world.alice, action="update", client_id=world.client.pk, changes={"phone": ["1", "2"]}
    )
    audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    _raw_update("UPDATE audit_auditevent SET client_id = %s WHERE id = %s", [999, target.pk])
    problems = audit_verify()
    assert problems == [f"event {target.pk}: its contents were changed after it was written"]
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_removing_a_row_is_detected(world):
    audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    middle = audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    last = audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    _raw_update("DELETE FROM audit_auditevent WHERE id = %s", [middle.pk])
    assert audit_verify() == [
        f"event {last.pk}: does not follow the event before it "
        f"(1 event(s) of organisation {world.org.pk} before it are missing)"
    ]


@pytest.mark.django_db
def test_postgresql_itself_refuses_updates():
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    event = audit_record(actor=None, action="login_failed", changes={"username": "x"})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'view' WHERE id = %s", [event.pk])


def test_auditors_filter_by_user_client_and_date_and_see_only_their_organisation(client, world):
    audit_record(actor=world.alice, action="view", client_id=world.client.pk)
    audit_record(actor=world.bob, action="view", client_id=world.engagement_client.pk)
    audit_record(actor=world.charlie, action="view", client_id=world.foreign_client.pk)
    client.force_login(world.aud)
    everything = client.get("/audit/").context["page"].object_list
    assert world.foreign_client.pk not in {e.client_id for e in everything}
    by_alice = client.get("/audit/", {"actor": world.alice.pk}).context["page"].object_list
    assert {e.actor_id for e in by_alice} == {world.alice.pk}
    by_client = (
        client.get("/audit/", {"client_id": world.engagement_client.pk}).context["page"].object_list
    )
    assert {e.client_id for e in by_client} == {world.engagement_client.pk}
    bad_dates = client.get("/audit/", {"since": "2026-02-02", "until": "2026-01-01"})
    assert "The end date is before the start date." in bad_dates.content.decode()


def test_a_long_trail_is_counted_a_few_pages_ahead_and_read_to_its_end(client, world, monkeypatch):
    from casebridge import paging
    from casebridge.audit.services import audit_record_many

    monkeypatch.setattr(paging, "PAGES_AHEAD", 0)
    audit_record_many(
        actor=world.alice,
        action="view",
        object_type="client",
        changes={},
        records=[(world.org.pk, world.client.pk, n) for n in range(150)],
    )
    client.force_login(world.aud)
    first = client.get("/audit/")
    assert "More than 100 events" in first.content.decode()
    assert "Page 1 of more than 1" in first.content.decode()
    last = client.get("/audit/", {"page": "2"})
    total = AuditEvent.objects.filter(organisation_id=world.org.pk).count()
    assert f"{total} events" in last.content.decode() and not last.context["page"].has_next()
    assert len(last.context["page"].object_list) == total - 100


def test_changes_keep_old_and_new_values(client, world):
    from casebridge.clients import services

    services.client_update(client=world.client, by=world.alice, version=1, email="new@example.org")
    event = AuditEvent.objects.filter(action="update", client_id=world.client.pk).latest("id")
    assert event.changes["email"] == ["", "new@example.org"]
    assert event.changes["version"] == [1, 2]


def test_the_demo_data_leaves_an_intact_chain(db):
    """Everything the demo does (registering, assessing, planning, consenting, refusing) goes
    through the trail, and the chain still verifies on this database."""
    call_command("seed_demo", seed=7)
    assert AuditEvent.objects.count() > 500
    assert audit_verify() == []
    call_command("audit_verify")
