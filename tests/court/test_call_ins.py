"""The testing line: each participant tests with their phase's colour; the day's check finds a
missed call-in, and a drawn day without a test, once however often it runs; each is an alert
until the call-in or the test is recorded; missed tests count against the phase's criteria."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casebridge.alerts.models import Alert
from casebridge.alerts.services import evaluate_clients
from casebridge.court import progress, services
from casebridge.court.draw import is_test_day
from casebridge.court.models import DailyDraw, Obligation
from casebridge.court.models import TestingGroup as ColourGroup
from tests.monitoring.recovery_helpers import record_screen

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def participant(world, court):
    ColourGroup.objects.create(court_program=court, phase=court.phases.get(number=1), colour="Blue")
    return services.participant_enrol(
        client=world.client,
        court_program=court,
        by=world.alice,
        docket_number="CR-7",
        charge_category="possession",
        track="post_plea",
        entered_on=today() - timedelta(days=30),
    )


def a_day(court, drawn):
    """A recent day on which the Blue group was (or was not) drawn."""
    for back in range(2, 30):
        day = today() - timedelta(days=back)
        if is_test_day(court.draw_seed, "Blue", day, 3) == drawn:
            return day
    raise AssertionError("no such day in four weeks")


def test_a_participant_tests_with_their_phases_colour(world, court, participant):
    assert participant.testing_group.colour == "Blue"


def test_the_days_check_finds_a_missed_call_in_and_test_once(world, court, participant):
    day = a_day(court, drawn=True)
    assert services.court_day(day + timedelta(days=1)) == 2
    assert services.court_day(day + timedelta(days=1)) == 0  # run again: nothing new
    missed = {o.kind: o.kept for o in Obligation.objects.filter(day=day)}
    assert missed == {"call_in": False, "test": False}
    assert DailyDraw.objects.filter(court_program=court, day=day + timedelta(days=1)).exists()
    assert progress.record_facts([participant], today())[participant.pk].skipped_in_phase == 1


def test_a_day_not_drawn_asks_only_the_call_in(world, court, participant):
    day = a_day(court, drawn=False)
    services.call_in_record(participant=participant, day=day, by=world.alice)
    assert services.court_day(day + timedelta(days=1)) == 0
    assert list(Obligation.objects.values_list("kind", "kept")) == [("call_in", True)]


def test_a_drawn_day_with_a_test_is_kept(world, court, participant):
    day = a_day(court, drawn=True)
    record_screen(world, collected_on=day)
    services.call_in_record(participant=participant, day=day, by=world.alice)
    assert services.court_day(day + timedelta(days=1)) == 0


def test_a_missed_obligation_is_an_alert_until_recorded(world, court, participant):
    day = a_day(court, drawn=True)
    services.court_day(day + timedelta(days=1))
    evaluate_clients([world.client.pk])
    alerts = Alert.objects.filter(kind="court_missed", client=world.client, state="open")
    assert sorted(a.title.split(": ", 1)[1] for a in alerts) == [
        "no call to the testing line",
        "no drug test on a day their colour was drawn",
    ]
    services.call_in_record(participant=participant, day=day, by=world.alice)
    record_screen(world, collected_on=day)
    evaluate_clients([world.client.pk])
    assert not Alert.objects.filter(kind="court_missed", state="open").exists()


def test_a_call_in_cannot_be_recorded_ahead_or_before_entry(world, court, participant):
    with pytest.raises(ValidationError, match="not before"):
        services.call_in_record(
            participant=participant, day=today() + timedelta(days=1), by=world.alice
        )
    with pytest.raises(ValidationError, match="before the participant entered"):
        services.call_in_record(
            participant=participant, day=today() - timedelta(days=31), by=world.alice
        )
    with pytest.raises(ValidationError):
        services.call_in_record(participant=participant, day=today(), by=world.bob)
    assert not Obligation.objects.exists()


def test_the_court_tab_and_the_testing_line(client, world, court, participant):
    client.force_login(world.alice)
    url = reverse("court_call_in", args=[world.client.pk])
    assert client.post(url, {"call-day": "not a day"}).status_code == 400
    assert client.post(url, {"call-day": today().isoformat()}).status_code == 302
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "Testing colour: <strong>Blue</strong>" in page and "kept" in page
    line = client.get(reverse("court_line", args=[court.pk])).content.decode()
    draw = DailyDraw.objects.get(court_program=court, day=today())
    assert draw.message in line
    assert "Jamie" not in line
