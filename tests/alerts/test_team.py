"""The supervisor's view of the team's day, moving clients between case managers, and each
person's notification settings."""

from datetime import time

import pytest
from django.urls import reverse

from casebridge.alerts.models import NotificationPreference
from casebridge.alerts.services import evaluate_clients
from casebridge.audit.models import AuditEvent
from casebridge.clients.models import AssignmentChange, Client
from casebridge.clients.services import flag_raise
from casebridge.monitoring.models import ContactNoteRules
from tests.alerts.helpers import check_in
from tests.factories import ClientFactory, ProgramModelRuleFactory
from tests.monitoring.helpers import write_note

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response, response.content.decode()


def test_the_team_today_shows_each_caseload_against_the_cap_and_the_high_risk(client, world):
    ProgramModelRuleFactory(
        program=world.program, model="intensive", contact_every_days=7, caseload_cap=2
    )
    for _ in range(3):
        ClientFactory(
            program=world.program,
            primary_case_manager=world.bob,
            case_management_model="intensive",
            stage="monitoring",
        )
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    flag_raise(client=world.engagement_client, by=world.alice, kind="safety")
    response, body = _get(client, world.sue, reverse("team_day"))
    assert response.status_code == 200
    assert "Intensive, Outpatient: 3 of 2 (over the cap)" in body
    assert "150% of a full caseload" in body
    assert "Craving 9 of 10" in body and "Safety concern open" in body
    assert world.foreign_client.legal_last_name not in body
    assert AuditEvent.objects.filter(object_type="team_day", actor=world.sue).exists()


def test_the_team_today_lists_notes_waiting_for_the_supervisors_cosignature(client, world):
    ContactNoteRules.objects.create(program=world.program, supervisor_cosign=True)
    note = write_note(world.client, world.alice, sign=True)
    response, body = _get(client, world.sue, reverse("team_day"))
    assert response.status_code == 200
    contact_log = reverse("contact_log", args=[world.client.pk])
    assert f'<a href="{contact_log}">{world.client.display_name}</a>' in body
    assert f"signed by {world.alice.display_name}" in body
    assert note.contact_at.strftime("%b") in body
    _, elsewhere = _get(client, world.otto, reverse("team_day"))
    assert contact_log not in elsewhere


@pytest.mark.parametrize("person", ["alice", "cody", "ivy", "otto_other_program", "charlie"])
def test_only_a_supervisor_sees_the_team_today_and_only_their_programs(client, world, person):
    user = {"otto_other_program": world.otto}.get(person) or getattr(world, person)
    response, body = _get(client, user, reverse("team_day"))
    if person == "otto_other_program":
        assert response.status_code == 200 and "Jamie" not in body
    else:
        assert response.status_code == 404


def test_a_supervisor_moves_clients_to_another_case_manager_in_a_few_clicks(client, world):
    client.force_login(world.sue)
    page = client.get(reverse("team_move", args=[world.alice.pk]))
    assert page.status_code == 200 and "Jamie Rivera" in page.content.decode()
    response = client.post(
        reverse("team_move", args=[world.alice.pk]),
        {
            "clients": [world.client.pk, world.engagement_client.pk],
            "to_user": world.bob.pk,
            "reason": "Alice is on leave",
        },
    )
    assert response.url == reverse("team_day")
    assert set(
        Client.objects.filter(primary_case_manager=world.bob).values_list("pk", flat=True)
    ) == {world.client.pk, world.engagement_client.pk}
    assert AssignmentChange.objects.filter(reason="Alice is on leave").count() == 2


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"to_user": "BOB", "reason": "x"}, "Choose at least one client"),
        ({"clients": ["999999"], "to_user": "BOB", "reason": "x"}, "Select a valid choice"),
        ({"clients": ["CLIENT"], "to_user": "BOB", "reason": ""}, "Say why"),
        ({"clients": ["CLIENT"], "to_user": "CHARLIE", "reason": "x"}, "Select a valid choice"),
    ],
)
def test_a_move_that_cannot_be_done_says_why_and_moves_nobody(client, world, data, words):
    swap = {"BOB": world.bob.pk, "CHARLIE": world.charlie.pk, "CLIENT": world.client.pk}
    data = {
        k: ([swap.get(v, v) for v in val] if isinstance(val, list) else swap.get(val, val))
        for k, val in data.items()
    }
    client.force_login(world.sue)
    response = client.post(reverse("team_move", args=[world.alice.pk]), data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert Client.objects.get(pk=world.client.pk).primary_case_manager == world.alice


def test_nobody_but_the_programs_supervisor_moves_clients(client, world):
    for person in (world.alice, world.otto, world.cody, world.charlie):
        client.force_login(person)
        assert client.get(reverse("team_move", args=[world.alice.pk])).status_code == 404


def test_notification_settings_are_saved_and_checked(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("notification_settings")).status_code == 200
    bad = client.post(
        reverse("notification_settings"),
        {
            "email_from": "",
            "sms_from": "1",
            "sms_number": "",
            "quiet_from": "21:00",
            "version": "1",
        },
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Give the number to text" in body and "Give both ends of the quiet hours" in body
    good = client.post(
        reverse("notification_settings"),
        {
            "email_from": "2",
            "sms_from": "1",
            "sms_number": "937-555-0142",
            "quiet_from": "21:00",
            "quiet_until": "07:00",
            "version": "1",
        },
    )
    assert good.status_code == 302
    saved = NotificationPreference.objects.get(user=world.alice)
    assert (saved.sms_from, saved.quiet_from, saved.quiet_until) == (1, time(21), time(7))
    stale = client.post(
        reverse("notification_settings"),
        {"email_from": "", "sms_from": "", "sms_number": "", "version": "1"},
    )
    assert stale.status_code == 400 and "changed in another window" in stale.content.decode()


def test_clients_of_someone_whose_account_was_switched_off_can_be_moved(client, world):
    world.alice.is_active = False
    world.alice.save()
    client.force_login(world.sue)
    page = client.get(reverse("team_move", args=[world.alice.pk]))
    assert page.status_code == 200 and "Jamie Rivera" in page.content.decode()
    assert f'value="{world.alice.pk}"' not in page.content.decode().split('name="to_user"')[1]


def test_clients_are_moved_only_to_someone_in_their_program(client, world):
    from tests.factories import StaffFactory

    world.sue.programs.add(world.other_program)
    dan = StaffFactory(
        username="dan", first_name="Dan", organisation=world.org, programs=[world.other_program]
    )
    client.force_login(world.sue)
    response = client.post(
        reverse("team_move", args=[world.alice.pk]),
        {"clients": [world.client.pk], "to_user": dan.pk, "reason": "Alice is on leave"},
    )
    assert response.status_code == 400
    assert "does not work in this client&#x27;s program" in response.content.decode()
    assert Client.objects.get(pk=world.client.pk).primary_case_manager == world.alice


def test_clients_left_by_someone_who_moved_to_another_program_can_be_moved(client, world):
    world.alice.programs.set([world.other_program])
    client.force_login(world.sue)
    page = client.get(reverse("team_move", args=[world.alice.pk]))
    assert page.status_code == 200 and "Jamie Rivera" in page.content.decode()
    client.force_login(world.otto)  # the program the clients are not in
    assert client.get(reverse("team_move", args=[world.charlie.pk])).status_code == 404


@pytest.mark.parametrize("leaves", ["taken off the program", "account switched off"])
def test_a_case_manager_who_leaves_with_clients_stays_on_the_team_lists_until_they_are_moved(
    client, world, leaves
):
    from casebridge.clients.models import Client
    from tests.factories import ClientFactory

    held = ClientFactory(
        program=world.program, primary_case_manager=world.bob, registered_by=world.ivy
    )
    if leaves == "taken off the program":
        world.bob.programs.remove(world.program)
    else:
        world.bob.is_active = False
        world.bob.save()
    client.force_login(world.sue)
    for url in (reverse("team"), reverse("team_day"), reverse("caseload")):
        body = client.get(url).content.decode()
        assert world.bob.display_name in body, url
        assert "no longer" in body, url
    # Another agency's supervisor never sees them.
    client.force_login(world.charlie)
    assert world.bob.display_name not in client.get(reverse("caseload")).content.decode()
    # Once their clients are moved, they are gone from the lists.
    Client.objects.filter(pk=held.pk).update(primary_case_manager=world.alice)
    client.force_login(world.sue)
    for url in (reverse("team"), reverse("team_day")):
        assert world.bob.display_name not in client.get(url).content.decode(), url
