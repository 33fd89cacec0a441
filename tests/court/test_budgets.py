"""The court's pages cost the same number of queries however long the record and the docket:
measured with a little and with more (responses, call-ins, decisions, participants), under one
budget. The budgets are today's counts; raise one on purpose if a change needs more."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casebridge.court import services
from casebridge.court.models import Behaviour, Hearing, ScheduledResponse
from casebridge.court.models import TestingGroup as ColourGroup
from tests.factories import ClientFactory, CollateralFactory, ConsentFactory

pytestmark = pytest.mark.django_db

BUDGETS = {
    "court_record": 47,
    "court_hearings": 8,
    "hearing_staffing": 29,
    "court_measures": 10,
    "court_line": 7,
}


def today():
    return timezone.localdate()


def grow(world, court, people, hearing, behaviour):
    """`people` more participants, each with a response, a call-in, a judge and a consent."""
    for n in range(people):
        person = ClientFactory(program=world.program, primary_case_manager=world.alice)
        p = services.participant_enrol(
            client=person,
            court_program=court,
            by=world.alice,
            docket_number=f"CR-{person.pk}",
            charge_category="possession",
            track="post_plea",
            entered_on=today() - timedelta(days=40),
        )
        services.court_team_set(
            participant=p, by=world.alice, version=1, judge=CollateralFactory(client=person)
        )
        services.response_record(
            participant=p, hearing=hearing, behaviour=behaviour, by=world.alice
        )
        services.call_in_record(participant=p, day=today() - timedelta(days=n % 5), by=world.alice)
        ConsentFactory(
            client=person,
            created_by=world.alice,
            recipient_kind="named",
            recipient_name="Dept 12",
            purpose="court",
            categories=["progress"],
        )


def test_the_court_pages_cost_the_same_however_long_the_record(client, world, court):
    ColourGroup.objects.create(court_program=court, phase=court.phases.get(number=1), colour="Blue")
    held = Hearing.objects.create(court_program=court, held_on=today(), created_by=world.alice)
    steady = Behaviour.objects.create(court_program=court, name="Steady", positive=True)
    ScheduledResponse.objects.create(behaviour=steady, kind="incentive", description="Praise")
    mine = services.participant_enrol(
        client=world.client,
        court_program=court,
        by=world.alice,
        docket_number="CR-1",
        charge_category="possession",
        track="post_plea",
        entered_on=today() - timedelta(days=40),
    )
    services.response_record(participant=mine, hearing=held, behaviour=steady, by=world.alice)
    urls = {
        "court_record": reverse("court_record", args=[world.client.pk]),
        "court_hearings": reverse("court_hearings", args=[court.pk]),
        "hearing_staffing": reverse("hearing_staffing", args=[court.pk, held.pk]),
        "court_measures": reverse("court_measures", args=[court.pk]),
        "court_line": reverse("court_line", args=[court.pk]),
    }
    client.force_login(world.sue)
    client.get(urls["court_line"])  # the day's draw is made on the first look

    def counts():
        found = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found[name] = len(captured)
        return found

    grow(world, court, 1, held, steady)
    counts()  # the first look fills what pages keep (the client's due list)
    few = counts()
    grow(world, court, 5, held, steady)
    for n in range(6):
        services.response_record(participant=mine, hearing=held, behaviour=steady, by=world.alice)
        services.call_in_record(participant=mine, day=today() - timedelta(days=n), by=world.alice)
    more = counts()
    assert more == few
    over = {name: count for name, count in more.items() if count > BUDGETS[name]}
    assert not over, over
