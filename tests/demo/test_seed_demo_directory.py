"""The demo agency has a small directory around where its clients live, imported from the
bundled HSDS file, so a search from a client's record lists the nearest services first."""

from io import StringIO

import pytest
from django.core.management import call_command

from casebridge.accounts.demo import DEMO_ORGANISATION
from casebridge.accounts.models import Organisation
from casebridge.audit.models import AuditEvent
from casebridge.clients.models import Client
from casebridge.directory import queries
from casebridge.directory.geography import point_of_zip, zip_in
from casebridge.directory.models import Attribute, Location, Service
from casebridge.directory.taxonomy import PAYMENT_ACCEPTED, SERVICE_CATEGORIES


@pytest.fixture
def demo(db):
    call_command("seed_demo", seed=11, clients=12, stdout=StringIO())
    return Organisation.objects.get(name=DEMO_ORGANISATION)


def test_the_demo_directory_has_a_dozen_services_of_every_kind_needed(demo):
    services = Service.objects.filter(organisation=demo)
    assert services.count() >= 12
    filed = Attribute.objects.filter(organisation=demo, link_entity="service")
    categories = set(
        filed.filter(taxonomy_term__taxonomy__hsds_id=SERVICE_CATEGORIES).values_list(
            "taxonomy_term__code", flat=True
        )
    )
    assert {
        "recovery-housing",
        "methadone",
        "buprenorphine",
        "intensive-outpatient",
        "employment",
        "legal-aid",
        "benefits-snap",
        "mutual-help",
    } <= categories
    assert filed.filter(taxonomy_term__taxonomy__hsds_id=PAYMENT_ACCEPTED).exists()
    # Every service is filed: no reference in the file was left empty.
    assert set(filed.values_list("link_id", flat=True)) == set(
        services.values_list("hsds_id", flat=True)
    )
    located = Location.objects.filter(organisation=demo, latitude__isnull=False)
    assert located.count() >= 11


def test_the_import_is_on_the_audit_trail_as_the_administrators(demo):
    event = AuditEvent.objects.get(object_type="directory_import", organisation_id=demo.pk)
    assert event.actor.username == "admin" and event.changes["file"] == "directory.json"
    assert event.changes["rejected_rows"] == 0 and event.changes["missing_references"] == 0


def test_most_demo_clients_live_at_a_zip_code_near_the_services(demo):
    clients = list(Client.objects.filter(organisation=demo))
    points = [point_of_zip(zip_in(client.address)) for client in clients]
    assert sum(point is not None for point in points) >= len(clients) * 0.8
    assert any(point is None for point in points)  # one without: distance unavailable
    near = next(point for point in points if point is not None)
    results = queries.search_services(organisation=demo, search=queries.Search(near=near))
    miles = [result.miles for result in results if result.miles is not None]
    assert miles == sorted(miles) and miles[0] < 6
    assert results[-1].miles is None  # the phone line has no place


def test_loading_again_if_empty_adds_no_services(demo):
    before = Service.objects.count()
    call_command("seed_demo", if_empty=True, stdout=StringIO())
    assert Service.objects.count() == before
