"""A court's measures equal a hand count over a small known court: who entered and how they
left, time in each phase, tests a week, missed tests and the incentive-to-sanction ratio."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.court import services
from casebridge.court.measures import court_measures
from casebridge.court.models import Behaviour, Hearing, Participant
from tests.factories import ClientFactory
from tests.monitoring.recovery_helpers import record_screen

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - timedelta(days=n)


def enter(world, court, person, docket, entered):
    return services.participant_enrol(
        client=person,
        court_program=court,
        by=world.sue,
        docket_number=docket,
        charge_category="possession",
        track="post_plea",
        entered_on=days_ago(entered),
    )


def test_the_measures_equal_a_hand_count(client, world, court):
    people = [world.client, world.engagement_client] + [
        ClientFactory(program=world.program, primary_case_manager=world.alice) for _ in range(2)
    ]
    one, two, three, four = (
        enter(world, court, person, f"CR-{n}", 120) for n, person in enumerate(people)
    )
    h40 = Hearing.objects.create(court_program=court, held_on=days_ago(80), created_by=world.sue)
    h10 = Hearing.objects.create(court_program=court, held_on=days_ago(10), created_by=world.sue)
    # one: phase 1 for 40 days, then phase 2 until graduating 70 days later.
    services.phase_advance(
        participant=one, hearing=h40, by=world.sue, version=1, override_reason="Ready"
    )
    services.participation_end(
        participant=one,
        status="graduated",
        hearing=h10,
        by=world.sue,
        version=2,
        reason="Done early",
    )
    # two: phase 1 for 110 days, still in phase 2.
    services.phase_advance(
        participant=two, hearing=h10, by=world.sue, version=1, override_reason="Ready"
    )
    services.participation_end(
        participant=three,
        status="terminated",
        hearing=h10,
        by=world.sue,
        version=1,
        reason="New charge",
    )
    # four still in phase 1; two tests lately, one missed; one old test outside the window.
    record_screen(world, client=people[3], collected_on=days_ago(3))
    record_screen(
        world,
        client=people[3],
        collected_on=days_ago(5),
        status="missed",
        specimen="",
        method="",
        panel="",
        results={},
    )
    record_screen(world, client=people[3], collected_on=days_ago(40))
    good = Behaviour.objects.create(court_program=court, name="Good", positive=True)
    for _ in range(3):
        services.response_record(
            participant=four,
            hearing=h10,
            behaviour=good,
            by=world.sue,
            kind="incentive",
            description="Praise",
        )

    found = court_measures(court, today())
    assert (found.admitted, found.active, found.graduated, found.terminated) == (4, 2, 1, 1)
    assert found.retention == 3 / 4 and found.graduation_rate == 1 / 2
    assert found.median_clean_at_graduation == 111  # no use shown: from the day of entry on
    assert [(r.number, r.now, r.finished, r.median_days) for r in found.phases] == [
        (1, 1, 2, 75),  # 40 and 110 days
        (2, 1, 1, 70),
    ]
    assert (found.tests, found.missed_tests) == (2, 1)
    assert found.tests_per_week == 0.2  # 2 tests by 2 participants over 4 weeks
    assert str(found.ratio) == "3 incentives, no sanctions"

    client.force_login(world.bob)
    page = client.get(reverse("court_measures", args=[court.pk])).content.decode()
    assert "75%" in page and "50%" in page and "Median days each phase took" in page
    assert "Jamie" not in page and "CR-0" not in page
    assert Participant.objects.filter(status="active").count() == 2
