from datetime import date

from app.common.workdays import add_working_days, is_working_day, working_days_between


def test_weekends_are_not_working_days():
    assert is_working_day(date(2026, 11, 20))      # Friday
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 11, 22))  # Sunday


def test_national_day_and_tet_are_holidays():
    assert not is_working_day(date(2026, 9, 2))    # National Day
    assert not is_working_day(date(2027, 2, 8))    # Tết Nguyên Đán 2027 (first day is 6 Feb)


def test_adding_working_days_skips_the_weekend():
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)
    # Tuesday 24 November is Vietnam Cultural Day, a public holiday
    assert add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 26)
    assert add_working_days(date(2026, 11, 20), 0) == date(2026, 11, 20)


def test_adding_working_days_across_tet_2027():
    # Tết 2027: 4-10 February off; from Wednesday 3 Feb, 3 working days are 11, 12 and 15 Feb
    assert add_working_days(date(2027, 2, 3), 3) == date(2027, 2, 15)


def test_working_days_between_counts_after_the_start():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 23)) == 1
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 20)) == 0
