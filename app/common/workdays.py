"""Working days in Vietnam: Monday to Friday, except public holidays (`holidays`).

Due dates of dossiers are counted in working days from the day after receipt.
"""
from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
