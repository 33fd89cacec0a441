"""Background work for treatment courts: the day's draw and the check for missed call-ins and
tests, queued by `casebridge clock` (which `serve` runs)."""

from django.tasks import task

from casebridge.court.services import court_day


@task()
def court_daily_check() -> int:
    """Safe to run any number of times a day: a draw is made once and kept, and a missed
    obligation is noted once."""
    return court_day()
