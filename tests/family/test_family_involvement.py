"""The family on a client's record: what each may be told (the consent gate decides), contacts
with them, and the groups they go to; clinical, as contact notes are."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.clients.models import TimelineEntry
from casebridge.family.models import FamilyContact, GroupVisit
from tests.factories import CollateralFactory, ConsentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world):
    mother = CollateralFactory(client=world.client, name="Rosa Rivera", relationship="family")
    partner = CollateralFactory(client=world.client, name="Sam Lee", relationship="partner")
    ConsentFactory(
        client=world.client,
        recipient_collateral=mother,
        purpose="family",
        categories=["attendance", "progress"],
        created_by=world.alice,
    )
    return {"mother": mother, "partner": partner}


def page(client, who, world):
    client.force_login(who)
    response = client.get(reverse("family_client", args=[world.client.pk]))
    return response.status_code, response.content.decode()


def test_what_each_may_be_told_comes_from_the_consents(client, world, family):
    status, text = page(client, world.alice, world)
    assert status == 200
    assert "may be told attendance, progress summaries" in text
    assert 'Sam Lee</strong> (partner or spouse): <span class="overdue">no consent' in text


def test_a_contact_is_recorded_with_who_took_part(client, world, family):
    client.force_login(world.alice)
    url = reverse("family_contact_add", args=[world.client.pk])
    refused = client.post(url, {"contact-kind": "session"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Tick who took part." in text and "Say what it was about." in text
    future = client.post(
        url,
        {
            "contact-held_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "contact-kind": "session",
            "contact-people": [family["mother"].pk],
            "contact-about": "Planning the weekend visits.",
        },
    )
    assert "Record a contact once it has happened." in future.content.decode()
    saved = client.post(
        url,
        {
            "contact-held_on": timezone.localdate().isoformat(),
            "contact-kind": "session",
            "contact-people": [family["mother"].pk, family["partner"].pk],
            "contact-about": "Planning the weekend visits.",
            "contact-outcome": "Agreed on Saturdays.",
        },
    )
    assert saved.status_code == 302
    contact = FamilyContact.objects.get()
    assert set(contact.people.all()) == {family["mother"], family["partner"]}
    entry = TimelineEntry.objects.filter(client=world.client, kind="family").get()
    assert entry.needs_action == "read_clinical" and "Rosa Rivera" in entry.summary
    assert AuditEvent.objects.filter(object_type="family_contact", action="create").exists()
    assert "Planning the weekend visits." in page(client, world.alice, world)[1]


def test_someone_elses_contact_cannot_be_named(client, world, family):
    stranger = CollateralFactory(client=world.engagement_client, relationship="family")
    client.force_login(world.alice)
    response = client.post(
        reverse("family_contact_add", args=[world.client.pk]),
        {
            "contact-held_on": timezone.localdate().isoformat(),
            "contact-kind": "call",
            "contact-people": [stranger.pk],
            "contact-about": "Hello.",
        },
    )
    assert response.status_code == 400
    assert "Choose among the client&#x27;s contacts." in response.content.decode()
    assert not FamilyContact.objects.exists()


def test_groups_the_family_goes_to(client, world, family):
    client.force_login(world.alice)
    response = client.post(
        reverse("family_group_add", args=[world.client.pk]),
        {
            "group-collateral": family["mother"].pk,
            "group-kind": "al_anon",
            "group-attended_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert GroupVisit.objects.get().collateral == family["mother"]
    assert "Groups: Al-Anon" in page(client, world.alice, world)[1]


def test_the_family_tab_is_clinical(client, world, family):
    for who in (world.cody, world.bob, world.charlie, world.ada):
        assert page(client, who, world)[0] == 404
    assert page(client, world.sue, world)[0] == 200


def test_every_contact_can_be_reached_a_page_at_a_time(client, world, family):
    from casebridge.family.queries import CONTACTS_PER_PAGE

    today = timezone.localdate()
    total = CONTACTS_PER_PAGE * 4 + 3
    contacts = FamilyContact.objects.bulk_create(
        FamilyContact(
            client=world.client,
            held_on=today - timedelta(days=n),
            kind="session",
            about=f"Visit number {n}.",
            recorded_by=world.alice,
        )
        for n in range(total)
    )
    for contact in contacts:
        contact.people.add(family["mother"])
    client.force_login(world.alice)
    url = reverse("family_client", args=[world.client.pk])
    seen = []
    for number in range(1, 6):
        response = client.get(url, {"page": number})
        text = response.content.decode()
        seen += [n for n in range(total) if f"Visit number {n}." in text]
        event = AuditEvent.objects.filter(object_type="family_contact", action="view").latest("id")
        assert len(event.changes["contacts"]) == min(
            CONTACTS_PER_PAGE, total - (number - 1) * CONTACTS_PER_PAGE
        )
    assert seen == list(range(total))  # newest first, each once, the oldest reachable
    assert 'rel="next"' not in text and "Page 5 of 5" in text
    first = client.get(url).content.decode()
    assert (
        'href="?page=2#contacts-h"' in first
        and "Visit number 0." in first
        and f"Visit number {CONTACTS_PER_PAGE}." not in first
    )
    for junk in ("", "0", "-1", "abc", "²"):  # the first page
        text = client.get(url, {"page": junk}).content.decode()
        assert "Visit number 0." in text and "Page 1 of 5" in text, junk
    past = client.get(url, {"page": "9" * 30}).content.decode()
    assert f"Visit number {total - 1}." in past and "Page 5 of 5" in past
