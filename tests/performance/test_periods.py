"""Reporting periods: where each kind starts and ends, which periods hold a day, and their labels."""

from datetime import date, timedelta

import pytest

from performance import periods
from performance.periods import DAY, FINANCIAL_YEAR, MONTH, QUARTER, ROLLING_12, WEEK, YEAR


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (DAY, date(2024, 2, 29), date(2024, 2, 29), date(2024, 3, 1)),
        (DAY, date(2023, 12, 31), date(2023, 12, 31), date(2024, 1, 1)),
        (WEEK, date(2026, 3, 15), date(2026, 3, 9), date(2026, 3, 16)),  # a Sunday: its Monday
        (WEEK, date(2026, 3, 16), date(2026, 3, 16), date(2026, 3, 23)),  # a Monday starts its own week
        (WEEK, date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 5)),  # ISO week 1 starts in December
        (MONTH, date(2024, 2, 29), date(2024, 2, 1), date(2024, 3, 1)),
        (MONTH, date(2025, 12, 31), date(2025, 12, 1), date(2026, 1, 1)),
        (QUARTER, date(2026, 3, 31), date(2026, 1, 1), date(2026, 4, 1)),
        (QUARTER, date(2026, 4, 1), date(2026, 4, 1), date(2026, 7, 1)),
        (QUARTER, date(2026, 12, 31), date(2026, 10, 1), date(2027, 1, 1)),
        (YEAR, date(2026, 7, 4), date(2026, 1, 1), date(2027, 1, 1)),
        (FINANCIAL_YEAR, date(2018, 3, 31), date(2017, 4, 1), date(2018, 4, 1)),
        (FINANCIAL_YEAR, date(2018, 4, 1), date(2018, 4, 1), date(2019, 4, 1)),
        (FINANCIAL_YEAR, date(2018, 1, 15), date(2017, 4, 1), date(2018, 4, 1)),
        (FINANCIAL_YEAR, date(2018, 12, 31), date(2018, 4, 1), date(2019, 4, 1)),
        (ROLLING_12, date(2026, 3, 15), date(2025, 4, 1), date(2026, 4, 1)),
        (ROLLING_12, date(2026, 12, 1), date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_each_period_kind_starts_and_ends_where_the_calendar_says(kind, day, start, end):
    assert periods.start_of(kind, day) == start
    assert periods.end_of(kind, start) == end


def test_the_financial_year_changes_between_31_march_and_1_april():
    assert periods.containing(FINANCIAL_YEAR, date(2017, 3, 31)) == [date(2016, 4, 1)]
    assert periods.containing(FINANCIAL_YEAR, date(2017, 4, 1)) == [date(2017, 4, 1)]
    assert periods.label(FINANCIAL_YEAR, date(2016, 4, 1)) == "2016/17"
    assert periods.label(FINANCIAL_YEAR, date(2017, 4, 1)) == "2017/18"
    assert periods.label(FINANCIAL_YEAR, date(1999, 4, 1)) == "1999/00"


def test_every_day_of_a_year_lies_in_exactly_one_period_of_each_single_kind_and_inside_it():
    day = date(2023, 1, 1)
    while day < date(2025, 1, 1):  # 2024 is a leap year
        for kind in (DAY, WEEK, MONTH, QUARTER, YEAR, FINANCIAL_YEAR):
            (start,) = periods.containing(kind, day)
            assert start <= day < periods.end_of(kind, start), (kind, day)
            assert start == periods.start_of(kind, day)
        assert periods.start_of(WEEK, day).weekday() == 0  # ISO weeks start on Monday
        assert periods.start_of(WEEK, day).isocalendar()[:2] == day.isocalendar()[:2]
        day += timedelta(days=1)


def test_twelve_rolling_windows_hold_a_month_each_ending_within_eleven_months_of_it():
    windows = periods.containing(ROLLING_12, date(2026, 3, 17))
    assert len(windows) == 12
    assert windows[0] == date(2025, 4, 1) and windows[-1] == date(2026, 3, 1)
    for start in windows:
        assert start.day == 1
        assert start <= date(2026, 3, 17) < periods.end_of(ROLLING_12, start)
    assert periods.end_of(ROLLING_12, date(2025, 3, 1)) == date(2026, 3, 1)  # the window before: excluded
    assert date(2025, 3, 1) not in windows
    assert periods.start_of(ROLLING_12, date(2026, 3, 17)) == date(2025, 4, 1)


def test_leap_days_belong_to_february_the_first_quarter_and_the_financial_year_before_april():
    leap = date(2024, 2, 29)
    assert periods.end_of(MONTH, date(2024, 2, 1)) - date(2024, 2, 1) == timedelta(days=29)
    assert periods.end_of(MONTH, date(2023, 2, 1)) - date(2023, 2, 1) == timedelta(days=28)
    assert periods.end_of(YEAR, date(2024, 1, 1)) - date(2024, 1, 1) == timedelta(days=366)
    assert periods.start_of(QUARTER, leap) == date(2024, 1, 1)
    assert periods.start_of(FINANCIAL_YEAR, leap) == date(2023, 4, 1)
    assert periods.end_of(FINANCIAL_YEAR, date(2023, 4, 1)) - date(2023, 4, 1) == timedelta(days=366)
    assert periods.start_of(WEEK, leap) == date(2024, 2, 26)


def test_months_are_added_across_year_ends_both_ways():
    assert periods.add_months(date(2025, 11, 1), 3) == date(2026, 2, 1)
    assert periods.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert periods.add_months(date(2026, 1, 1), -13) == date(2024, 12, 1)
    assert periods.add_months(date(2024, 2, 29), 12) == date(2025, 2, 1)  # always a month's first day


@pytest.mark.parametrize(
    ("kind", "start", "text"),
    [
        (DAY, date(2024, 2, 29), "Thu 29 Feb 2024"),
        (WEEK, date(2026, 3, 9), "w/c 09 Mar 2026"),
        (MONTH, date(2017, 12, 1), "Dec 2017"),
        (QUARTER, date(2017, 10, 1), "Q4 2017"),
        (QUARTER, date(2018, 1, 1), "Q1 2018"),
        (YEAR, date(2017, 1, 1), "2017"),
        (FINANCIAL_YEAR, date(2017, 4, 1), "2017/18"),
        (ROLLING_12, date(2025, 4, 1), "12 months to Mar 2026"),
    ],
)
def test_each_period_has_a_readable_label(kind, start, text):
    assert periods.label(kind, start) == text


def test_an_unknown_period_kind_is_refused():
    with pytest.raises(ValueError, match="unknown period kind"):
        periods.start_of("fortnight", date(2026, 1, 1))


def test_base_periods_roll_up_into_every_coarser_kind():
    assert periods.ROLLUPS[DAY] == [WEEK, MONTH, QUARTER, YEAR, FINANCIAL_YEAR, ROLLING_12]
    assert periods.ROLLUPS[MONTH] == [QUARTER, YEAR, FINANCIAL_YEAR, ROLLING_12]
