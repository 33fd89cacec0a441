"""The strip on the Levels of care tab: stays and the gaps between them, in order, as shares of
the time since the first admission."""

from datetime import date

from casebridge.transitions.models import Episode
from casebridge.transitions.queries import strip


def _stay(level: str, start: date, end: date | None) -> Episode:
    return Episode(level=level, place_name=level, admitted_on=start, discharged_on=end)


def test_stays_and_gaps_come_in_order_and_fill_the_strip():
    today = date(2026, 12, 3)
    parts = strip(
        [
            _stay("2.1", date(2026, 11, 1), None),
            _stay("3.5", date(2026, 9, 1), date(2026, 10, 20)),
        ],
        today,
    )
    assert [(p.label, p.is_gap, p.days) for p in parts] == [
        ("Level 3.5", False, 49),
        ("Gap", True, 12),
        ("Level 2.1", False, 32),
    ]
    assert abs(sum(p.share for p in parts) - 100) < 0.1
    assert parts[0].x == 0 and parts[1].x == parts[0].share
    assert [p.tone for p in parts if not p.is_gap] == ["a", "b"]


def test_care_that_ended_shows_the_time_out_of_care_since():
    parts = strip([_stay("aftercare", date(2026, 10, 1), date(2026, 11, 1))], date(2026, 12, 3))
    assert parts[-1].label == "Out of care" and parts[-1].days == 32 and parts[-1].end is None


def test_a_one_day_stay_is_still_wide_enough_to_see():
    parts = strip(
        [_stay("wm", date(2026, 1, 1), date(2026, 1, 2)), _stay("1", date(2026, 1, 2), None)],
        date(2026, 12, 3),
    )
    assert parts[0].share >= 3.5


def test_no_stays_no_strip():
    assert strip([], date(2026, 12, 3)) == []


def test_while_a_move_is_under_way_the_time_since_leaving_is_between_levels():
    parts = strip(
        [_stay("3.5", date(2026, 10, 1), date(2026, 11, 1))], date(2026, 12, 3), moving=True
    )
    assert parts[-1].label == "Between levels" and parts[-1].place == "Waiting for the admission"
