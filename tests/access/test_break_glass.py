"""Emergency access: a reason, a time limit, the audit trail, the timeline and the supervisors."""

import pytest
from django.core import mail
from django.db import connection

from casebridge.access.models import BreakGlassGrant
from casebridge.audit.models import AuditEvent
from casebridge.clients.queries import recent_emergency_access


def test_break_glass_opens_the_record_for_a_while_and_tells_supervisors(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.bob)
    assert client.get(f"/clients/{world.client.pk}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/emergency-access/",
            {
                "case_number": world.client.case_number,
                "reason": "Client called in crisis; Alice is off",
            },
        )
    assert response.status_code == 302
    assert client.get(f"/clients/{world.client.pk}/").status_code == 200
    assert client.get(f"/clients/{world.client.pk}/details/").status_code == 404
    grant = BreakGlassGrant.objects.get(user=world.bob)
    assert grant.reason == "Client called in crisis; Alice is off"
    assert AuditEvent.objects.filter(
        action="break_glass", client_id=world.client.pk, actor=world.bob
    ).exists()
    assert world.client.timeline.filter(kind="access").exists()
    assert [m.to for m in mail.outbox] == [[world.sue.email]]
    assert world.client.legal_last_name not in mail.outbox[0].body
    assert world.client.case_number not in mail.outbox[0].body
    client.force_login(world.sue)
    assert "Client called in crisis" in client.get("/team/").content.decode()


def test_break_glass_needs_a_real_reason(client, world):
    client.force_login(world.bob)
    response = client.post(
        "/emergency-access/", {"case_number": world.client.case_number, "reason": "x"}
    )
    assert "Say why you need emergency access" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_break_glass_cannot_reach_another_organisation(client, world):
    client.force_login(world.bob)
    response = client.post(
        "/emergency-access/",
        {"case_number": world.foreign_client.case_number, "reason": "Trying to peek at it"},
    )
    assert "No case with that number in your organisation" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a plan SQLite keeps to")
def test_the_recent_grants_are_read_from_their_time_not_every_grant_ever_made(world):
    """Grants are kept for good (they are part of the record of who read what); the Team page
    lists the last two weeks', so it reads them through an index on when they were given. On
    PostgreSQL the plan is the planner's choice for a table this small, so it is checked on
    SQLite, whose plan follows the indexes it has."""
    sql, params = recent_emergency_access(world.sue).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "SCAN access_breakglassgrant" not in plan, plan
    assert "granted" in plan, plan
