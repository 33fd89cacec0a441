"""Referral measures for supervisors: sent, connected (and how long it took), completed,
declined and missed per service and per kind of service, over the clients of their programs
only; nobody else has the page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.directory.models import Service, Taxonomy, TaxonomyTerm
from casebridge.directory.taxonomy import load_builtin_taxonomy
from casebridge.referrals.measures import NOT_IN_DIRECTORY, referral_measures
from casebridge.referrals.models import Referral
from casebridge.referrals.services import referral_move, referral_send
from tests.factories import ClientFactory
from tests.referrals.test_plan_and_directory import CLINIC, HOUSE, import_directory
from tests.referrals.test_services import draft


def sent(world, client=None, **overrides):
    referral = draft(world, **({"client": client} if client else {}), **overrides)
    return referral_send(referral=referral, by=world.alice, version=referral.version)


def move(world, referral, to_status, **extra):
    return referral_move(
        referral=referral, by=world.alice, to_status=to_status, version=referral.version, **extra
    )


@pytest.fixture
def history(world, tmp_path):
    """Three referrals to the recovery house (one housed after 4 days, one declined, one
    waiting), one to the clinic the client missed, and one to a provider named by hand."""
    load_builtin_taxonomy(Taxonomy, TaxonomyTerm)
    import_directory(world.org, tmp_path)
    house, clinic = Service.objects.get(hsds_id=HOUSE), Service.objects.get(hsds_id=CLINIC)
    housed = move(world, sent(world, service=house), "accepted")
    housed = move(world, housed, "completed", outcome="housed")
    Referral.objects.filter(pk=housed.pk).update(connected_at=housed.sent_at + timedelta(days=4))
    move(world, sent(world, service=house), "rejected", reason="no-capacity")
    sent(world, service=house)
    missed = move(world, sent(world, service=clinic), "accepted")
    move(world, missed, "failed", reason="no-show")
    sent(world, provider_name="Dr. Lee")
    return world


def by_label(rows):
    return {row.label: row for row in rows}


def test_each_service_and_kind_of_service_is_counted(history):
    found = referral_measures(history.sue, period="90", now=timezone.now())
    assert found.overall.sent == 5
    services = by_label(found.by_service)
    house = services["Bridge recovery house"]
    assert (house.sent, house.connected, house.completed, house.rejected) == (3, 1, 1, 1)
    assert house.days_to_connect == 4.0
    assert (house.connected_share, house.rejected_share, house.completed_share) == (33, 33, 50)
    assert services["Bridge clinic"].no_show_share == 100
    categories = by_label(found.by_category)
    assert categories["Recovery housing"].sent == 3
    assert categories["Outpatient"].no_show == 1
    assert categories[NOT_IN_DIRECTORY].sent == 1


def test_the_period_leaves_out_older_referrals(history):
    Referral.objects.filter(service__hsds_id=CLINIC).update(
        sent_at=timezone.now() - timedelta(days=200)
    )
    now = timezone.now()
    assert referral_measures(history.sue, period="90", now=now).overall.sent == 4
    assert referral_measures(history.sue, period="365", now=now).overall.sent == 5


def test_only_the_clients_of_the_supervisors_programs_count(history):
    stranger = ClientFactory(organisation=history.other_org)
    Referral.objects.filter(provider_name="Dr. Lee").update(client=stranger)
    found = referral_measures(history.sue, period="all", now=timezone.now())
    assert found.overall.sent == 4


def test_the_page_is_for_supervisors(client, history):
    page = reverse("referral_measures")
    for person in (history.alice, history.cody, history.ada):
        client.force_login(person)
        assert client.get(page).status_code == 404
    client.force_login(history.sue)
    shown = client.get(page + "?period=365").content.decode()
    assert "Bridge recovery house" in shown and "Recovery housing" in shown
    assert "33%" in shown
    assert client.get(page + "?period=junk").status_code == 200


def test_a_supervisor_of_another_program_sees_none_of_them(client, history):
    client.force_login(history.otto)
    shown = client.get(reverse("referral_measures") + "?period=all").content.decode()
    assert "Bridge recovery house" not in shown and "Dr. Lee" not in shown
    assert "No referral sent in this period." in shown
