"""The sobriety date is worked out, never typed: the day after the latest positive screen for a
substance that is not prescribed (the lab's confirmation counting over the screen) or the latest
check-in reporting use."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from casebridge.monitoring import services
from casebridge.monitoring.models import CheckIn
from casebridge.monitoring.recovery import Sobriety, sobriety_dates, sobriety_for
from casebridge.monitoring.services import screens
from tests.factories import ClientFactory
from tests.monitoring.recovery_helpers import all_negative, days_ago, record_screen, strips, today


def check_in(world, days, used):
    recorded = services.check_in_record(
        client=world.client,
        by=world.cody,
        mood=5,
        craving=5,
        used_since_last=used,
        use_detail="Two beers" if used else "",
        sleep="well",
    )
    # Noon that day, so the local date is the same whatever the hour the test runs.
    noon = timezone.make_aware(datetime.combine(days_ago(days), time(12)))
    CheckIn.objects.filter(pk=recorded.pk).update(checked_in_at=noon)
    return recorded


def test_nothing_recorded_means_no_sobriety_date_rather_than_a_guess(world):
    record_screen(world, collected_on=days_ago(5))
    check_in(world, 3, used=False)
    assert sobriety_for(world.client) is None


def test_an_unexpected_positive_starts_the_count_the_day_after(world):
    strips(
        world, collected_on=days_ago(10), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    found = sobriety_for(world.client)
    assert found == Sobriety(last_use_on=days_ago(10), evidence="drug screen")
    assert found.since == days_ago(9)
    assert found.days(today()) == 10


def test_the_day_after_use_is_day_one_and_the_day_of_use_is_day_nought():
    used = today() - timedelta(days=1)
    assert Sobriety(used, "check-in").days(today()) == 1
    assert Sobriety(today(), "check-in").days(today()) == 0
    assert Sobriety(today(), "check-in").since == today() + timedelta(days=1)


def test_a_prescribed_medication_never_resets_it(world):
    strips(
        world, collected_on=days_ago(30), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    panel = screens.catalogue().panels["urine_12"].substances
    for days in (20, 10, 1):
        record_screen(
            world,
            collected_on=days_ago(days),
            panel="urine_12",
            results=all_negative(panel, buprenorphine="positive", methadone="positive"),
            expected=["buprenorphine", "methadone"],
        )
    assert sobriety_for(world.client).last_use_on == days_ago(30)


def test_a_negative_confirmation_overrides_the_screens_positive(world):
    strips(
        world, collected_on=days_ago(30), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    later = record_screen(world, collected_on=days_ago(5), results=all_negative(cocaine="positive"))
    assert sobriety_for(world.client).last_use_on == days_ago(5)
    screens.screen_confirm(
        screen=later, by=world.alice, version=later.version, confirmations={"cocaine": "negative"}
    )
    assert sobriety_for(world.client).last_use_on == days_ago(30)


def test_a_confirmed_positive_and_an_uncontradicted_positive_both_count(world):
    record_screen(
        world,
        collected_on=days_ago(8),
        method="lab",
        results=all_negative(cocaine="positive"),
        confirmations={"cocaine": "positive"},
    )
    assert sobriety_for(world.client).last_use_on == days_ago(8)
    record_screen(world, collected_on=days_ago(4), results=all_negative(cannabis="positive"))
    assert sobriety_for(world.client).last_use_on == days_ago(4)


def test_a_later_check_in_reporting_use_resets_it(world):
    strips(
        world, collected_on=days_ago(20), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    check_in(world, 12, used=False)
    assert sobriety_for(world.client).last_use_on == days_ago(20)
    check_in(world, 6, used=True)
    assert sobriety_for(world.client) == Sobriety(days_ago(6), "check-in")


def test_an_earlier_check_in_reporting_use_does_not_move_a_later_positive(world):
    check_in(world, 20, used=True)
    strips(
        world, collected_on=days_ago(7), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    assert sobriety_for(world.client) == Sobriety(days_ago(7), "drug screen")


def test_negative_refused_and_missed_screens_are_not_evidence_of_use(world):
    check_in(world, 40, used=True)
    record_screen(world, collected_on=days_ago(9))
    record_screen(world, collected_on=days_ago(8), status="refused", results={})
    record_screen(world, collected_on=days_ago(7), status="missed", results={})
    record_screen(world, collected_on=days_ago(6), results=all_negative(cocaine="not_tested"))
    assert sobriety_for(world.client).last_use_on == days_ago(40)


def test_a_whole_caseload_takes_two_queries(world, django_assert_num_queries):
    others = [
        ClientFactory(program=world.program, primary_case_manager=world.alice, coach=world.cody)
        for _ in range(5)
    ]
    strips(
        world, collected_on=days_ago(3), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    for index, other in enumerate(others):
        record_screen(
            world,
            client=other,
            collected_on=days_ago(index + 1),
            results=all_negative(cocaine="positive"),
        )
    ids = [world.client.pk, world.engagement_client.pk, *(other.pk for other in others)]
    with django_assert_num_queries(2):
        found = sobriety_dates(ids)
    assert found[world.client.pk].last_use_on == days_ago(3)
    assert world.engagement_client.pk not in found
    assert [found[other.pk].last_use_on for other in others] == [days_ago(i + 1) for i in range(5)]
    # Another client's use is never counted as this one's.
    assert sobriety_dates([world.foreign_client.pk]) == {}


def test_an_intake_coordinator_is_not_told_what_a_check_in_said_through_the_count(client, world):
    """Intake reads clinical content but not check-ins: the count leaves check-ins out for them,
    and the case manager, who reads both, sees the check-in's date."""
    strips(
        world, collected_on=days_ago(20), results={"fentanyl": "positive", "xylazine": "negative"}
    )
    check_in(world, 4, used=True)
    assert sobriety_for(world.client, with_check_ins=False).last_use_on == days_ago(20)
    url = f"/clients/{world.client.pk}/recovery/"
    # Intake coordinators reach clients still in Engagement.
    type(world.client).objects.filter(pk=world.client.pk).update(stage="engagement")
    client.force_login(world.ivy)
    as_intake = client.get(url).content.decode()
    assert "Last known use: the drug screen of" in as_intake
    assert "Last known use: the check-in of" not in as_intake
    client.force_login(world.alice)
    assert "Last known use: the check-in of" in client.get(url).content.decode()
