"""Notes to finish show as due items for those who record contacts: a draft before it turns into
a late entry, a note waiting for a co-signature; a coach is never shown either."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from casebridge.clients.extensions import due_items
from casebridge.monitoring.models import ContactNoteRules
from casebridge.monitoring.queries import notes_due
from tests.monitoring.helpers import days_ago, write_note


def test_a_draft_is_due_before_it_becomes_a_late_entry(world):
    write_note(world.client, world.alice, contact_at=days_ago(1))
    [item] = notes_due([world.client.pk])[world.client.pk]
    assert item.label == "Contact note to sign"
    assert item.due_on == timezone.localdate() - timedelta(days=1) + timedelta(days=3)
    assert item.url_name == "contact_log"


def test_drafts_and_notes_to_cosign_are_counted_in_one_item_each(world):
    ContactNoteRules.objects.create(
        program=world.program, supervisor_cosign=True, late_after_days=2
    )
    write_note(world.client, world.alice, contact_at=days_ago(2))
    write_note(world.client, world.alice, contact_at=days_ago(1))
    write_note(world.client, world.alice, sign=True)
    labels = sorted(item.label for item in notes_due([world.client.pk])[world.client.pk])
    assert labels == ["Contact notes to sign (2)", "Note to co-sign"]


def test_signed_notes_are_not_due(world):
    write_note(world.client, world.alice, sign=True)
    assert notes_due([world.client.pk]) == {}


def test_only_those_who_record_contacts_see_notes_due(client, world):
    write_note(world.client, world.alice)
    assert due_items([world.client.pk], {"view", "check_in"})[world.client.pk] == []
    client.force_login(world.cody)
    page = client.get(reverse("client_overview", kwargs={"client_id": world.client.pk}))
    assert "Contact note to sign" not in page.content.decode()
    client.force_login(world.alice)
    page = client.get(reverse("client_overview", kwargs={"client_id": world.client.pk}))
    assert "Contact note to sign" in page.content.decode()
