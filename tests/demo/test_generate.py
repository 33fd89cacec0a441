"""The benchmark data has contact notes and check-ins for every client, and each client's last
contact, last attempt and next contact due are what those notes say, as if each had been signed."""

from io import StringIO

import pytest
from django.core.management import call_command

from casebridge.clients.models import Client
from casebridge.demo.management.commands.generate import ORGANISATION
from casebridge.monitoring import queries
from casebridge.monitoring.models import CheckIn, ContactNote


def _generate(**options):
    call_command("generate", clients=24, caseload=5, stdout=StringIO(), **options)
    return Client.objects.filter(organisation__name=ORGANISATION)


@pytest.mark.django_db
def test_every_client_gets_notes_and_check_ins_by_default():
    clients = _generate()
    assert ContactNote.objects.count() == 24 * 4
    assert CheckIn.objects.count() == 24 * 2
    for client in clients:
        assert client.contact_notes.count() == 4 and client.check_ins.count() == 2


@pytest.mark.django_db
def test_last_contact_and_attempt_are_worked_out_from_the_notes():
    clients = _generate(records_per_client=9)
    assert ContactNote.objects.count() == 24 * 6
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
