"""Refused attempts are audited: who, which route, which client id, why; never the client's
details. Rows are rate-limited per person, auditors can filter them, and supervisors see
people who are refused again and again."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.access.refusals import LIMIT_REACHED, REFUSALS_PER_MINUTE, refusal_record
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_verify
from casebridge.clients.queries import repeated_refusals


def refused():
    return AuditEvent.objects.filter(action="refused").order_by("id")


def says_nothing_about(world, text):
    """True when `text` names neither the client nor their case number."""
    return all(
        secret not in text
        for secret in (
            world.client.legal_first_name,
            world.client.legal_last_name,
            world.client.case_number,
        )
    )


def test_a_colleague_opening_a_client_they_do_not_work_with_is_refused_and_audited(client, world):
    client.force_login(world.bob)
    url = reverse("client_overview", kwargs={"client_id": world.client.pk})
    response = client.get(f"{url}?q=Jamie+Rivera", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 404
    event = refused().get()
    assert (event.actor, event.client_id, event.organisation_id, event.remote_addr) == (
        world.bob,
        world.client.pk,
        world.org.pk,
        "10.1.2.3",
    )
    assert event.object_type == "request"
    assert event.changes == {
        "route": "clients/<int:client_id>/",
        "method": "GET",
        "reason": "not_found_or_not_allowed",
    }
    assert says_nothing_about(world, json.dumps(event.changes))
    assert audit_verify() == []


def test_another_organisation_is_refused_on_its_own_trail(client, world):
    client.force_login(world.charlie)
    url = reverse("client_timeline", kwargs={"client_id": world.client.pk})
    assert client.get(url).status_code == 404
    event = refused().get()
    assert (event.actor, event.client_id, event.organisation_id) == (
        world.charlie,
        world.client.pk,
        world.other_org.pk,
    )
    assert event.changes["route"] == "clients/<int:client_id>/timeline/"
    assert says_nothing_about(world, json.dumps(event.changes))


def test_a_refused_form_post_is_audited(client, world):
    client.force_login(world.bob)
    url = reverse("client_move_stage", kwargs={"client_id": world.client.pk})
    response = client.post(url, {"to_stage": "conclusion", "reason": "Trying"})
    assert response.status_code == 404
    event = refused().get()
    assert event.client_id == world.client.pk
    assert event.changes["method"] == "POST"
    assert event.changes["route"] == "clients/<int:client_id>/stage/"
    world.client.refresh_from_db()
    assert world.client.stage == "monitoring"


def test_a_page_refused_for_the_role_is_audited_without_a_client(client, world):
    client.force_login(world.bob)
    assert client.get(reverse("team")).status_code == 404
    event = refused().get()
    assert (event.client_id, event.changes["route"]) == (None, "team/")


def test_the_api_answering_not_found_itself_is_audited_once(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("api_plan_list", kwargs={"client_id": world.client.pk}))
    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}
    event = refused().get()
    assert event.client_id == world.client.pk
    assert event.changes["route"] == "api/v1/clients/<int:client_id>/plans/"


def test_a_raised_not_found_is_audited_once(client, world):
    client.force_login(world.bob)
    client.get(reverse("collateral_list", kwargs={"client_id": world.client.pk}))
    assert refused().count() == 1


def test_signed_out_callers_are_not_recorded(client, world):
    assert (
        client.get(reverse("client_overview", kwargs={"client_id": world.client.pk})).status_code
        == 302
    )
    response = client.get(reverse("api_plan_list", kwargs={"client_id": world.client.pk}))
    assert response.status_code == 401
    assert not refused().exists()


def test_what_people_may_open_is_not_recorded_as_refused(client, world):
    client.force_login(world.alice)
    assert (
        client.get(reverse("client_overview", kwargs={"client_id": world.client.pk})).status_code
        == 200
    )
    assert not refused().exists()


def test_the_not_found_page_still_says_nothing_about_the_client(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("client_overview", kwargs={"client_id": world.client.pk}))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert says_nothing_about(world, response.content.decode())


@pytest.mark.parametrize("case_number", ["RS-nope", "foreign"])
def test_emergency_access_to_a_case_we_do_not_have_is_audited_without_the_number(
    client, world, case_number
):
    typed = world.foreign_client.case_number if case_number == "foreign" else case_number
    client.force_login(world.bob)
    response = client.post(
        reverse("emergency_access"),
        {"case_number": f"  {typed} ", "reason": "Client called in crisis; Alice is off"},
    )
    assert response.status_code == 200
    assert "No case with that number in your organisation" in response.content.decode()
    event = refused().get()
    assert (event.actor, event.object_type, event.client_id, event.organisation_id) == (
        world.bob,
        "break_glass",
        None,
        world.org.pk,
    )
    assert event.changes == {"reason": "no_such_case", "typed_length": len(typed)}
    assert typed not in json.dumps(event.changes)
    assert audit_verify() == []


def test_refusals_are_rate_limited_per_person_per_minute(client, world):
    client.force_login(world.bob)
    url = reverse("client_overview", kwargs={"client_id": world.client.pk})
    for _ in range(40):
        assert client.get(url).status_code == 404
    rows = list(refused())
    assert len(rows) == REFUSALS_PER_MINUTE + 1
    assert all(row.object_type == "request" for row in rows[:-1])
    assert (rows[-1].object_type, rows[-1].changes) == (
        LIMIT_REACHED,
        {"limit_reached": REFUSALS_PER_MINUTE},
    )
    # Another person's refusals are counted on their own.
    client.force_login(world.charlie)
    client.get(url)
    assert refused().filter(actor=world.charlie).count() == 1
    assert audit_verify() == []


def test_refusals_are_listed_again_once_the_minute_has_passed(world, monkeypatch):
    for _ in range(REFUSALS_PER_MINUTE + 5):
        refusal_record(actor=world.bob, reason="not_found_or_not_allowed")
    assert refused().count() == REFUSALS_PER_MINUTE + 1
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert refusal_record(actor=world.bob, reason="not_found_or_not_allowed") is not None
    assert refused().count() == REFUSALS_PER_MINUTE + 2
    assert audit_verify() == []


def test_the_auditor_can_list_refusals_alone(client, world):
    client.force_login(world.bob)
    client.get(reverse("client_overview", kwargs={"client_id": world.client.pk}))
    client.force_login(world.alice)
    client.get(reverse("client_overview", kwargs={"client_id": world.client.pk}))
    client.force_login(world.aud)
    page = client.get(reverse("audit_trail"))
    assert '<option value="refused">Refused</option>' in page.content.decode()
    response = client.get(reverse("audit_trail"), {"action": "refused"})
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert [(e.action, e.actor) for e in events] == [("refused", world.bob)]
    assert "Refused" in response.content.decode()


def _refused_attempts_section(client, world):
    client.force_login(world.sue)
    body = client.get(reverse("team")).content.decode()
    start = body.index('id="refused-attempts"')
    return body[start : body.index("</section>", start)]


def test_the_team_page_shows_someone_refused_five_times_within_an_hour(client, world):
    url = reverse("client_overview", kwargs={"client_id": world.client.pk})
    client.force_login(world.bob)
    for _ in range(4):
        client.get(url)
    section = _refused_attempts_section(client, world)
    assert "Refused attempts" in section
    assert world.bob.display_name not in section
    client.force_login(world.bob)
    client.get(url)
    section = _refused_attempts_section(client, world)
    assert world.bob.display_name in section
    assert "<td>5</td>" in section
    assert says_nothing_about(world, section) and "/clients/" not in section


def test_the_team_page_leaves_out_other_organisations_and_spread_out_refusals(world, monkeypatch):
    for _ in range(5):
        refusal_record(actor=world.charlie, reason="not_found_or_not_allowed")
    start = timezone.now() - timedelta(days=2)
    for step in range(5):
        # Five refusals, 20 minutes apart: never five within one hour.
        moment = start + timedelta(minutes=20 * step)
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        refusal_record(actor=world.alice, reason="not_found_or_not_allowed")
    monkeypatch.undo()
    assert repeated_refusals(world.sue) == []
    assert [person.name for person in repeated_refusals(world.charlie)] == [
        world.charlie.display_name
    ]


def test_refusals_older_than_two_weeks_do_not_show(world, monkeypatch):
    long_ago = timezone.now() - timedelta(days=15)
    monkeypatch.setattr(timezone, "now", lambda: long_ago)
    for _ in range(6):
        refusal_record(actor=world.bob, reason="not_found_or_not_allowed")
    monkeypatch.undo()
    assert repeated_refusals(world.sue) == []
