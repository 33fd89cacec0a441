"""The daily random draw of testing groups.

Each testing group tests on exactly as many days of each week (Monday to Sunday) as its phase
asks. Which days is decided by an HMAC-SHA256 of the court's secret seed, the group's colour and
the week: the same seed, colour and week always give the same days, nobody can choose them,
and every day of the week is equally likely to be drawn. The draw knows nothing of the
database, so the tests can check it over many seeds (tests/court/test_draw.py)."""

import hashlib
import hmac
from datetime import date, timedelta

DAYS = 7


def _stream(seed: str, colour: str, monday: date) -> bytes:
    message = f"{colour.strip().casefold()}|{monday.isoformat()}".encode()
    return hmac.new(seed.encode(), message, hashlib.sha256).digest()


def week_days(seed: str, colour: str, monday: date, tests_per_week: int) -> frozenset[int]:
    """The weekdays (0 Monday … 6 Sunday) a group tests in the week starting `monday`: a
    shuffle of the seven days keyed by the HMAC, and its first `tests_per_week`."""
    if monday.weekday() != 0:
        raise ValueError("A week starts on a Monday")
    wanted = max(0, min(DAYS, tests_per_week))
    stream = _stream(seed, colour, monday)
    days = list(range(DAYS))
    # Fisher-Yates, each swap from two bytes of the stream by rejection sampling (no modulo
    # bias): 32 bytes are plenty for six swaps, and more are drawn if ever needed.
    counter = 0
    position = 0
    for last in range(DAYS - 1, 0, -1):
        span = last + 1
        limit = 65536 - 65536 % span
        while True:
            if position + 2 > len(stream):
                counter += 1
                stream = hmac.new(stream, counter.to_bytes(4, "big"), hashlib.sha256).digest()
                position = 0
            value = int.from_bytes(stream[position : position + 2], "big")
            position += 2
            if value < limit:
                break
        pick = value % span
        days[last], days[pick] = days[pick], days[last]
    return frozenset(days[:wanted])


def is_test_day(seed: str, colour: str, day: date, tests_per_week: int) -> bool:
    """Whether the group with this colour tests on `day`."""
    monday = day - timedelta(days=day.weekday())
    return day.weekday() in week_days(seed, colour, monday, tests_per_week)
