"""The benchmark data has contact notes, check-ins, appointments, drug screens and meetings for
every client, and each client's last contact, last attempt and next contact due are what those
notes say, as if each had been signed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from casebridge.clients.models import Client
from casebridge.demo.management.commands.generate import (
    ORGANISATION,
    RECORDS_PER_CLIENT,
    records_mix,
)
from casebridge.monitoring import queries
from casebridge.monitoring.models import CheckIn, ContactNote


def _generate(**options):
    call_command("generate", clients=24, caseload=5, stdout=StringIO(), **options)
    return Client.objects.filter(organisation__name=ORGANISATION)


def test_the_records_of_a_client_are_shared_out_and_add_up():
    assert records_mix(100) == {
        "notes": 40,
        "check_ins": 15,
        "appointments": 20,
        "screens": 15,
        "meetings": 10,
    }
    for count in range(0, 250):
        assert sum(records_mix(count).values()) == count
    # A handful still makes one of each.
    assert min(records_mix(6).values()) == 1


@pytest.mark.django_db
def test_every_client_gets_notes_and_check_ins_by_default():
    clients = _generate()
    mix = records_mix(RECORDS_PER_CLIENT)
    assert ContactNote.objects.count() == 24 * mix["notes"]
    assert CheckIn.objects.count() == 24 * mix["check_ins"]
    for client in clients:
        assert client.contact_notes.count() == mix["notes"]
        assert client.check_ins.count() == mix["check_ins"]


@pytest.mark.django_db
def test_last_contact_and_attempt_are_worked_out_from_the_notes():
    clients = _generate(records_per_client=9)
    assert ContactNote.objects.count() == 24 * records_mix(9)["notes"]
    for client in clients:
        times = queries.contact_times(client)
        assert (client.last_contact_at, client.last_attempt_at) == (
            times.last_contact_at,
            times.last_attempt_at,
        )
    assert clients.filter(last_contact_at__isnull=False).exists()
    before = dict(clients.values_list("pk", "next_contact_due_at"))
    clients.refresh_caseload_facts()
    assert dict(clients.values_list("pk", "next_contact_due_at")) == before


@pytest.mark.django_db
def test_no_records_leaves_no_last_contact():
    clients = _generate(records_per_client=0)
    assert not ContactNote.objects.exists() and not CheckIn.objects.exists()
    assert not clients.filter(last_contact_at__isnull=False).exists()
    # Due from registration, as for a client nobody has reached yet.
    before = dict(clients.values_list("pk", "next_contact_due_at"))
    assert any(before.values())
    clients.refresh_caseload_facts()
    assert dict(clients.values_list("pk", "next_contact_due_at")) == before


@pytest.mark.django_db
def test_clients_past_engagement_have_stays_and_some_move_on_or_leave_care():
    from casebridge.followups.models import FollowUp
    from casebridge.transitions.models import Episode, Transition

    call_command("generate", clients=200, caseload=5, stdout=StringIO(), seed=7)
    past = Client.objects.filter(organisation__name=ORGANISATION).exclude(stage="engagement")
    with_stays = Episode.objects.values("client").distinct().count()
    assert 0 < with_stays <= past.count()
    # Every client has at most one open stay and one open transition (the database says so),
    # every discharge comes after its admission, and every admitted move names its stay.
    assert not Episode.objects.filter(discharged_on__lt=F("admitted_on")).exists()
    assert Transition.objects.filter(status="admitted", to_episode__isnull=True).count() == 0
    assert Transition.objects.filter(status="open").exists()
    assert (
        FollowUp.objects.filter(day_mark=30).count()
        == FollowUp.objects.filter(day_mark=180).count()
    )


@pytest.mark.django_db
def test_a_small_database_can_have_a_team_that_fills_a_page():
    from django.contrib.auth import get_user_model

    team = get_user_model().objects.filter(username__startswith="synthetic-cm-")
    _generate(records_per_client=0)
    assert team.count() == 1  # 24 clients, one case manager for every 50
    _generate(records_per_client=0, min_case_managers=30)
    assert team.count() == 30
