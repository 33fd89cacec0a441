"""The aftercare check-in schedule: contact that tapers as independence grows (weekly, then every
two weeks, then monthly), as dates counted from the discharge day."""

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def checkin_dates(
    starts_on: date, *, weekly_weeks: int, fortnightly_weeks: int, monthly_months: int
) -> list[date]:
    """Every check-in, in order: one a week for `weekly_weeks` weeks from the discharge day, then
    one every two weeks for `fortnightly_weeks` weeks (an odd number ends on a full fortnight),
    then one a month for `monthly_months` months."""
    dates = [starts_on + timedelta(weeks=week) for week in range(1, weekly_weeks + 1)]
    last = dates[-1] if dates else starts_on
    for _ in range((fortnightly_weeks + 1) // 2):
        last = last + timedelta(weeks=2)
        dates.append(last)
    dates += [add_months(last, month) for month in range(1, monthly_months + 1)]
    return dates
