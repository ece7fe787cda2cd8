"""Due dates in working days: weekends, Tết and other public holidays are skipped."""
from datetime import date

import pytest

from app.common.workdays import add_working_days
from app.dossiers.receipt_codes import due_date, paused_working_days


@pytest.mark.parametrize("start, days, expected", [
    (date(2026, 11, 20), 1, date(2026, 11, 23)),   # Friday + 1: Monday
    (date(2026, 11, 21), 1, date(2026, 11, 23)),   # Saturday + 1: Monday
    (date(2026, 11, 23), 1, date(2026, 11, 25)),   # Monday + 1 skips Cultural Day (Tue 24 Nov)
    (date(2026, 11, 23), 7, date(2026, 12, 3)),
    (date(2027, 2, 3), 3, date(2027, 2, 15)),      # Tết 2027: 4-10 February off
    (date(2027, 2, 1), 10, date(2027, 2, 22)),     # two working days, Tết, then eight
    (date(2026, 2, 13), 3, date(2026, 2, 25)),     # Tết 2026: 16-20 February off
    (date(2026, 4, 24), 3, date(2026, 5, 4)),      # Hùng Kings (observed 27 Apr), 30 Apr and 1 May
    (date(2026, 8, 28), 2, date(2026, 9, 4)),      # National Day: 31 Aug, 1-2 Sep
    (date(2026, 12, 31), 1, date(2027, 1, 4)),     # New Year's Day, then the weekend
])
def test_due_dates_skip_weekends_and_holidays(start, days, expected):
    assert due_date(start, days) == expected


def test_a_paused_clock_moves_the_due_date_by_the_working_days_paused():
    due = due_date(date(2027, 1, 25), 10)                       # Monday, 10 working days, across Tết
    assert due == date(2027, 2, 15)
    paused = paused_working_days(date(2027, 1, 28), date(2027, 2, 11))  # supplement across Tết
    assert paused == 4                                          # 29 Jan, 1-3 Feb (Tết and weekends do not count)
    assert add_working_days(due, paused) == date(2027, 2, 19)


@pytest.mark.parametrize("paused_on, resumed_on, days", [
    (date(2026, 12, 1), date(2026, 12, 1), 0),     # answered the same day
    (date(2026, 12, 1), date(2026, 12, 2), 0),     # the next day: both days are worked
    (date(2026, 12, 1), date(2026, 12, 8), 4),     # 2, 3, 4 and 7 December
    (date(2026, 12, 4), date(2026, 12, 7), 0),     # Friday to Monday: only a weekend between
    (None, date(2026, 12, 8), 0),
])
def test_paused_days_are_the_working_days_strictly_between(paused_on, resumed_on, days):
    assert paused_working_days(paused_on, resumed_on) == days


def test_zero_days_is_the_same_day():
    assert due_date(date(2026, 11, 23), 0) == date(2026, 11, 23)
