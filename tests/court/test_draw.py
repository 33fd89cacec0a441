"""The random draw of testing groups: exactly the phase's number of days each week, the same
days for the same seed and week, every weekday as likely as another, and kept as first drawn."""

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebridge.court.draw import is_test_day, week_days

MONDAYS = st.dates(min_value=date(2020, 1, 6), max_value=date(2035, 12, 31)).map(
    lambda d: d - timedelta(days=d.weekday())
)
SEEDS = st.text(min_size=1, max_size=64)
COLOURS = st.sampled_from(["Blue", "Red", "Green", "Orange", "Purple", "Gold"])


@given(seed=SEEDS, colour=COLOURS, monday=MONDAYS, per_week=st.integers(0, 7))
def test_a_group_tests_exactly_its_phases_number_of_days_each_week(seed, colour, monday, per_week):
    days = week_days(seed, colour, monday, per_week)
    assert len(days) == per_week
    assert days <= set(range(7))
    drawn = [
        monday + timedelta(days=n)
        for n in range(7)
        if is_test_day(seed, colour, monday + timedelta(days=n), per_week)
    ]
    assert len(drawn) == per_week


@given(seed=SEEDS, colour=COLOURS, monday=MONDAYS, per_week=st.integers(1, 6))
def test_the_draw_is_the_same_every_time_it_is_worked_out(seed, colour, monday, per_week):
    assert week_days(seed, colour, monday, per_week) == week_days(seed, colour, monday, per_week)
    # The colour as typed does not change the draw; another seed does (almost always).
    assert week_days(seed, f" {colour.upper()} ", monday, per_week) == week_days(
        seed, colour, monday, per_week
    )


@given(colour=COLOURS, monday=MONDAYS)
@settings(max_examples=25)
def test_more_tests_a_week_keeps_the_days_already_drawn(colour, monday):
    """Days are the first k of one shuffle: a phase asking more adds days, never moves them."""
    seed = "court seed"
    drawn = [week_days(seed, colour, monday, k) for k in range(8)]
    assert all(drawn[k] <= drawn[k + 1] for k in range(7))


def test_every_weekday_is_as_likely_as_another():
    """Over 7,000 seeded weeks with one test a week, each weekday is drawn about 1,000 times:
    a chi-square test with 6 degrees of freedom stays under 22.46 (p = 0.001)."""
    monday = date(2026, 11, 30)
    counts = Counter(next(iter(week_days(f"seed {n}", "Blue", monday, 1))) for n in range(7000))
    expected = 1000
    chi_square = sum((counts[day] - expected) ** 2 / expected for day in range(7))
    assert chi_square < 22.46, counts


def test_other_seeds_and_weeks_give_other_days():
    monday = date(2026, 11, 30)
    seen = {week_days(f"seed {n}", "Blue", monday, 3) for n in range(200)}
    assert len(seen) > 20  # of the 35 ways to choose three days
    weeks = {week_days("one seed", "Blue", monday + timedelta(weeks=w), 3) for w in range(52)}
    assert len(weeks) > 10


def test_a_week_starts_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        week_days("seed", "Blue", date(2026, 12, 1), 2)
