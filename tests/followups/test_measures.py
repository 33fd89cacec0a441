"""The continuity measures equal a hand count over a small known set of stays, transitions and
follow-ups, for the supervisor of the program and nobody else (run on SQLite and PostgreSQL)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.followups import services
from casebridge.followups.measures import continuity_measures, median_days
from casebridge.followups.models import FollowUp
from casebridge.transitions.models import Episode
from casebridge.transitions.signals import admitted
from tests.factories import ClientFactory
from tests.followups.helpers import days_ago, end_care, stay, transition


def _left(client, level, admitted_ago, left_ago, how="completed"):
    return stay(
        client,
        level=level,
        admitted_on=days_ago(admitted_ago),
        discharged_on=days_ago(left_ago),
        discharge_type=how,
    )


def _try(episode, mark, *results):
    follow_up = FollowUp.objects.get(episode=episode, day_mark=mark)
    for result in results:
        services.attempt_record(
            follow_up=follow_up,
            by=follow_up.client.primary_case_manager,
            result=result,
            attempted_at=timezone.now(),
        )


@pytest.fixture
def seeded(world):
    """The hand count is written beside each row (T is today)."""
    w = world

    def person(program=None):
        return ClientFactory(
            program=program or w.program, primary_case_manager=w.alice, registered_by=w.ivy
        )

    c1, c2, c3, c4, c5, c7, c8 = (person() for _ in range(7))
    # Transitions: left on, admitted how many days later.
    e1 = _left(c1, "3.5", 100, 60, "transferred")  # 40 days
    e2 = _left(c1, "2.1", 55, 20)  # 35 days; admitted 5 days after leaving e1
    transition(c1, e1, left_on=days_ago(60), by=w.alice, to_episode=e2)
    e3 = _left(c2, "wm", 50, 45, "left_against_advice")  # 5 days
    e4 = stay(c2, level="3.7", admitted_on=days_ago(33))  # 12 days after leaving
    transition(c2, e3, left_on=days_ago(45), by=w.alice, to_episode=e4)
    e5 = _left(c3, "3.7", 80, 70)  # 10 days
    e6 = stay(c3, level="1", admitted_on=days_ago(45))  # 25 days after leaving
    transition(c3, e5, left_on=days_ago(70), by=w.alice, to_episode=e6)
    e7 = _left(c4, "2.5", 40, 35, "administrative")  # 5 days; still waiting
    transition(c4, e7, left_on=days_ago(35), by=w.alice)
    transition(c4, e7, left_on=days_ago(36), by=w.alice, status="cancelled")
    e8 = _left(c5, "1", 10, 8)  # 2 days; waiting, left 8 days ago
    transition(c5, e8, left_on=days_ago(8), by=w.alice)
    # Care ended, and came back: c7 three stays; c8 died.
    _left(c7, "wm", 200, 197)  # 3 days; back 17 days later
    e10 = _left(c7, "wm", 180, 170, "left_against_advice")  # 10 days; back 70 days later
    e11 = _left(c7, "3.7", 100, 94)  # 6 days
    _left(c8, "wm", 130, 120, "died")  # 10 days
    # Another program's client: not sue's.
    c6 = person(w.other_program)
    e13 = _left(c6, "1", 30, 29)
    transition(
        c6, e13, left_on=days_ago(29), by=w.otto, to_episode=stay(c6, admitted_on=days_ago(28))
    )
    # Follow-ups: e2 none due yet; e7's 30 (T-5) due; e10's 30 (T-140) due, its 90 and 180
    # closed when e11 was admitted (T-100); e11's 30 (T-64) and 90 (T-4) due.
    for episode in (e2, e7, e10):
        end_care(episode)
    admitted.send(
        sender=Episode,
        client_id=c7.pk,
        episode_id=e11.pk,
        admitted_on=e11.admitted_on,
        transition_id=None,
    )
    end_care(e11)
    end_care(e13)
    _try(e7, 30, "no_answer")
    _try(e10, 30, "no_answer", "reached")
    _try(e11, 30, "reached")
    _try(e11, 90, "declined")
    _try(e13, 30)
    return w


def _levels(found):
    return {
        row.level: (row.discharged, row.median_days, row.retention.part, row.retention.whole)
        for row in found.levels
    }


def test_every_measure_equals_the_hand_count(seeded):
    found = continuity_measures(seeded.sue, period="all", today=timezone.localdate())
    handoff = {days: (s.part, s.whole) for days, s in found.handoff.items()}
    # 7: e1 only, of e1 e3 e5 e7 e8 · 14: e1 e3 of e1 e3 e5 e7 · 30: e1 e3 e5 of the same four
    assert handoff == {7: (1, 5), 14: (2, 4), 30: (3, 4)}
    assert _levels(found) == {
        "wm": (4, 7.5, 1, 4),  # 3 5 10 10; only e9 completed
        "3.7": (2, 8.0, 2, 2),  # 6 10
        "3.5": (1, 40.0, 1, 1),  # transferred
        "2.5": (1, 5.0, 0, 1),
        "2.1": (1, 35.0, 1, 1),
        "1": (1, 2.0, 1, 1),
    }
    assert [row.level for row in found.levels] == ["wm", "3.7", "3.5", "2.5", "2.1", "1"]
    readmission = {days: (s.part, s.whole) for days, s in found.readmission.items()}
    # index stays: e2 (T-20, no window closed), e9, e10, e11; e12 died; e7 and e8 are not
    # (their clients are still on the way to the next level: care has not ended).
    # 30: e9 back in 17 of e9 e10 e11 · 90: e9 (17) e10 (70) of e9 e10 e11
    assert readmission == {30: (1, 3), 90: (2, 3)}
    # Due: e7/30, e10/30, e11/30, e11/90 (e10's 90 and 180 back in care); reached e10/30 e11/30
    assert (found.reach.part, found.reach.whole) == (2, 4)
    assert found.reach.percent == 50


def test_the_period_narrows_every_measure(seeded):
    found = continuity_measures(seeded.sue, period="90", today=timezone.localdate())
    assert {d: (s.part, s.whole) for d, s in found.handoff.items()} == {
        7: (1, 5),
        14: (2, 4),
        30: (3, 4),
    }
    assert set(_levels(found)) == {"wm", "3.7", "3.5", "2.5", "2.1", "1"}
    assert _levels(found)["wm"] == (1, 5.0, 0, 1)  # e3 only
    assert _levels(found)["3.7"] == (1, 10.0, 1, 1)  # e5 only
    assert {d: (s.part, s.whole) for d, s in found.readmission.items()} == {
        30: (0, 0),  # e7's client is still on the way: not an index stay
        90: (0, 0),
    }
    assert (found.reach.part, found.reach.whole) == (1, 3)  # e7/30 e11/30 e11/90


def test_the_measures_count_only_the_supervisors_programs(seeded):
    found = continuity_measures(seeded.otto, period="all", today=timezone.localdate())
    assert {d: (s.part, s.whole) for d, s in found.handoff.items()} == {
        7: (1, 1),
        14: (1, 1),
        30: (0, 0),
    }
    assert _levels(found) == {"1": (1, 1.0, 1, 1)}
    nobody = continuity_measures(seeded.charlie, period="all", today=timezone.localdate())
    assert nobody.levels == [] and nobody.reach.whole == 0


def test_the_median_reads_only_the_middle_rows(seeded, django_assert_num_queries):
    episodes = Episode.objects.filter(level="wm", discharged_on__isnull=False)
    with django_assert_num_queries(1):
        assert median_days(episodes, 4) == 7.5
    assert median_days(episodes.none(), 0) is None


def test_the_page_is_for_supervisors_and_shows_the_numbers(client, seeded):
    client.force_login(seeded.sue)
    response = client.get(reverse("continuity_measures") + "?period=all")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Median days at each level" in body and "7.5" in body and "50%" in body
    assert client.get(reverse("continuity_measures") + "?period=junk").status_code == 200
    assert client.get(reverse("continuity_measures") + "?period=%00").status_code < 500
    client.force_login(seeded.alice)
    assert client.get(reverse("continuity_measures")).status_code == 404


def test_the_stay_chart_draws_a_bar_per_level_longest_the_widest():
    from casebridge.followups.charts import stay_chart
    from casebridge.followups.measures import LevelRow, Share

    assert stay_chart([]) is None
    chart = stay_chart(
        [
            LevelRow("wm", "Withdrawal management", 2, 4.0, Share(1, 2)),
            LevelRow("3.5", "3.5 Residential", 1, 40.0, Share(1, 1)),
        ]
    )
    assert [bar.label for bar in chart.bars] == ["Withdrawal", "Level 3.5"]
    assert chart.bars[1].width == 10 * chart.bars[0].width


def test_the_measures_are_kept_a_while_and_worked_out_again_for_other_programs(client, seeded):
    """Looking again within the kept minutes reads nothing of the records; a change of the
    supervisor's programs (or another period) works them out again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(seeded.sue)
    url = reverse("continuity_measures") + "?period=all"
    with CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    assert "Worked out at" in page and "again after 10 minutes" in page

    def shown(html: str) -> str:
        return html.split("<main", 1)[1].split("</main>", 1)[0]

    with CaptureQueriesContext(connection) as second:
        assert shown(client.get(url).content.decode()) == shown(page)
    assert len(second) < len(first)
    assert not any("transitions_episode" in q["sql"] for q in second.captured_queries)
    seeded.sue.programs.add(seeded.other_program)
    with CaptureQueriesContext(connection) as third:
        client.get(url)
    assert any("transitions_episode" in q["sql"] for q in third.captured_queries)
