"""The configuration screens' list filters offer only the administrator's own programs: another
organisation's program names never show, not even as a filter choice."""

import pytest

from casebridge.assessments.models import InstrumentSchedule
from casebridge.monitoring.models import ContactStandard
from tests.factories import ProgramFactory

PAGES = [
    "/admin/monitoring/contactstandard/",
    "/admin/assessments/instrumentschedule/",
    "/admin/accounts/user/",
]


@pytest.mark.parametrize("url", PAGES)
def test_list_filters_offer_only_the_organisations_own_programs(client, world, url):
    foreign = ProgramFactory(organisation=world.other_org, name="Faraway Residential")
    world.charlie.programs.add(foreign)
    ContactStandard.objects.create(program=world.program, model="intensive", counting_types=[])
    ContactStandard.objects.create(program=foreign, model="intensive", counting_types=[])
    InstrumentSchedule.objects.create(program=world.program, instrument="phq9", every_days=30)
    InstrumentSchedule.objects.create(program=foreign, instrument="phq9", every_days=30)
    client.force_login(world.ada)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert world.program.name in body
    assert "Faraway Residential" not in body
