"""generate adds a resource directory the search reads as it reads an imported one, and
referrals (sent, accepted, completed, declined) with their status moves and timeline entries,
most of them to a service of that directory."""

from io import StringIO

import pytest
from django.core.management import call_command

from casebridge.accounts.models import Organisation
from casebridge.clients.models import TimelineEntry
from casebridge.demo.management.commands.generate import ORGANISATION
from casebridge.directory import queries
from casebridge.directory.geography import point_of_zip
from casebridge.directory.hsds.exporting import directory_rows
from casebridge.directory.hsds.importing import import_check
from casebridge.directory.hsds.reading import read_json
from casebridge.directory.models import Service, TaxonomyTerm
from casebridge.referrals.models import Referral, ReferralEvent
from casebridge.referrals.statuses import MOVES, ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    call_command(
        "generate",
        clients=60,
        caseload=5,
        records_per_client=0,
        directory_services=40,
        stdout=StringIO(),
    )
    return Organisation.objects.get(name=ORGANISATION)


def test_the_directory_is_searchable_by_category_language_and_distance(generated):
    assert Service.objects.filter(organisation=generated).count() == 40
    housing = TaxonomyTerm.objects.get(organisation=None, code="housing")
    found = queries.search_services(organisation=generated, search=queries.Search(category=housing))
    assert found and all("Recovery" in r.service.name or "shelter" in r.service.name for r in found)
    assert queries.search_services(organisation=generated, search=queries.Search(language="es"))
    near = queries.search_services(
        organisation=generated, search=queries.Search(near=point_of_zip("45402"), within_miles=50)
    )
    assert near and all(r.miles is not None and r.miles <= 50 for r in near)


def test_the_generated_directory_passes_the_hsds_schema(generated):
    source = read_json(directory_rows(generated), file="directory.json")
    assert import_check(source=source).report.rejected == []


def test_referrals_have_their_moves_and_timeline(generated):
    referrals = Referral.objects.filter(client__organisation=generated)
    assert referrals.count() > 5
    assert referrals.filter(service__isnull=False).exists()
    assert {ReferralStatus.REQUESTED, ReferralStatus.COMPLETED} <= set(
        referrals.values_list("status", flat=True)
    )
    for referral in referrals.prefetch_related("events"):
        moves = [(e.from_status, e.to_status) for e in referral.events.all()]
        assert moves[0] == (ReferralStatus.DRAFT, ReferralStatus.REQUESTED)
        assert all(to in MOVES[was] for was, to in moves)
        assert moves[-1][1] == referral.status
        assert referral.sent_at <= referral.events.last().at
    assert TimelineEntry.objects.filter(kind="referral").count() == ReferralEvent.objects.count()
