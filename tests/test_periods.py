"""kaohe.core.periods: 民法典 201–202 month arithmetic and ages, at every month end."""
from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from kaohe.core.periods import age_on, period_end

D = dt.date


@pytest.mark.parametrize("start, months, end", [
    # The brief's examples: the corresponding day, or the last day of a short month.
    (D(2020, 1, 15), 6, D(2020, 7, 15)),
    (D(2020, 8, 31), 6, D(2021, 2, 28)),
    (D(2019, 8, 31), 6, D(2020, 2, 29)),
    # Every month end: 31 → 30, 31 → 28/29, 30 → 31 (the 30th exists), 28/29 → 28/29.
    (D(2021, 1, 31), 1, D(2021, 2, 28)),
    (D(2020, 1, 31), 1, D(2020, 2, 29)),
    (D(2021, 3, 31), 1, D(2021, 4, 30)),
    (D(2021, 5, 31), 1, D(2021, 6, 30)),
    (D(2021, 8, 31), 1, D(2021, 9, 30)),
    (D(2021, 10, 31), 1, D(2021, 11, 30)),
    (D(2021, 4, 30), 1, D(2021, 5, 30)),
    (D(2021, 6, 30), 2, D(2021, 8, 30)),
    (D(2021, 2, 28), 1, D(2021, 3, 28)),
    (D(2020, 2, 29), 1, D(2020, 3, 29)),
    (D(2021, 12, 31), 2, D(2022, 2, 28)),
    # Leap years.
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2023, 2, 28), 12, D(2024, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2000, 2, 29), 1200, D(2100, 2, 28)),  # 2100 is not a leap year
    # Year turns.
    (D(2020, 12, 31), 1, D(2021, 1, 31)),
    (D(2020, 11, 15), 3, D(2021, 2, 15)),
    (D(2020, 7, 1), 6, D(2021, 1, 1)),
    (D(2020, 3, 1), 48, D(2024, 3, 1)),
    # Zero months: the period ends on the day it starts from.
    (D(2020, 5, 17), 0, D(2020, 5, 17)),
])
def test_period_end(start, months, end):
    assert period_end(start, months) == end


def test_negative_months_are_refused():
    with pytest.raises(ValueError):
        period_end(D(2020, 1, 1), -1)


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)), st.integers(0, 240))
def test_period_end_is_the_corresponding_day_or_the_month_end(start, months):
    end = period_end(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    last = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(start.day, last)
    # One more month never ends earlier (the rule is monotonic).
    assert period_end(start, months + 1) > end


@pytest.mark.parametrize("birth, day, age", [
    (D(1980, 6, 15), D(2020, 6, 14), 39),
    (D(1980, 6, 15), D(2020, 6, 15), 40),   # on the birthday
    (D(1980, 12, 31), D(2021, 1, 1), 40),   # year turn
    (D(1980, 1, 1), D(2020, 12, 31), 40),
    (D(1980, 2, 29), D(2021, 2, 28), 40),   # born on 02-29: a common year's 02-28 is before
    (D(1980, 2, 29), D(2021, 3, 1), 41),
    (D(1980, 2, 29), D(2020, 2, 28), 39),
    (D(1980, 2, 29), D(2020, 2, 29), 40),   # a leap year's 02-29 is the birthday
    (D(1980, 3, 1), D(2020, 2, 29), 39),
])
def test_age_counts_whether_the_birthday_has_passed(birth, day, age):
    assert age_on(birth, day) == age
