"""Dates for test parameters, worked out when the test runs rather than when it is collected.

A parameter written as ``timezone.localdate() + timedelta(days=1)`` is fixed when pytest
collects the module; a run that crosses midnight in the program's time zone then posts
"tomorrow" as today and the test fails for the clock, not the code. Pass ``tomorrow`` (the
function) instead and ``resolved`` it inside the test.
"""

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def tomorrow_iso() -> str:
    return tomorrow().isoformat()


def resolved[T](value: T | Callable[[], T]) -> T:
    return value() if callable(value) else value


def resolved_all(values: dict) -> dict:
    return {name: resolved(value) for name, value in values.items()}
