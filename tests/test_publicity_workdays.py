"""Working days of the 任前公示 (kaohe.moves.workdays): weekends, holidays, 调休 days."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.moves.workdays import (WorkCalendar, add_working_days, is_working_day,
                                  next_working_day, working_days_between)

D = dt.date


def span(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}


# The State Council's published arrangements (国务院办公厅放假安排).
CAL = WorkCalendar(
    holidays=frozenset(span(D(2024, 2, 10), D(2024, 2, 17)) | span(D(2024, 10, 1), D(2024, 10, 7))
                       | {D(2025, 1, 1)} | span(D(2025, 1, 28), D(2025, 2, 4))
                       | span(D(2025, 10, 1), D(2025, 10, 8))),
    workdays=frozenset({D(2024, 2, 4), D(2024, 2, 18), D(2024, 9, 29), D(2024, 10, 12),
                        D(2025, 1, 26), D(2025, 2, 8), D(2025, 9, 28), D(2025, 10, 11)}))
EMPTY = WorkCalendar()


@pytest.mark.parametrize("start,n,end", [
    (D(2026, 12, 4), 5, D(2026, 12, 10)),    # Friday: Fri, Mon–Thu
    (D(2026, 12, 7), 5, D(2026, 12, 11)),    # Monday: one working week
    (D(2026, 12, 3), 5, D(2026, 12, 9)),     # Thursday
    (D(2026, 12, 4), 1, D(2026, 12, 4)),     # one day is the start itself
    (D(2026, 12, 4), 6, D(2026, 12, 11)),
    (D(2026, 12, 4), 10, D(2026, 12, 17)),   # two weekends
    (D(2026, 12, 28), 5, D(2027, 1, 1)),     # year turn, no holiday listed
    (D(2024, 2, 29), 5, D(2024, 3, 6)),      # leap day (Thursday)
    (D(2024, 2, 26), 5, D(2024, 3, 1)),      # a week across the leap day
    (D(2023, 2, 27), 5, D(2023, 3, 3)),      # common year: 28 Feb then 1 Mar
])
def test_weekends_only(start, n, end):
    assert add_working_days(start, n, EMPTY) == end
    assert working_days_between(start, end, EMPTY) == n


@pytest.mark.parametrize("start,n,end", [
    (D(2025, 9, 29), 5, D(2025, 10, 11)),    # 国庆: Mon, Tue, holiday 1–8, Thu 9, Fri 10, Sat 11 (调休)
    (D(2025, 9, 26), 5, D(2025, 10, 9)),     # Fri 26, Sun 28 (调休), Mon 29, Tue 30, Thu 9
    (D(2025, 9, 28), 5, D(2025, 10, 10)),    # starts on the 调休 Sunday
    (D(2025, 9, 30), 5, D(2025, 10, 13)),    # Tue 30, Thu 9, Fri 10, Sat 11 (调休), Mon 13
    (D(2025, 1, 27), 5, D(2025, 2, 8)),      # 春节: Mon 27, holiday 28–4, Wed 5 – Fri 7, Sat 8 (调休)
    (D(2025, 1, 24), 5, D(2025, 2, 6)),      # Fri 24, Sun 26 (调休), Mon 27, Wed 5, Thu 6
    (D(2024, 12, 30), 5, D(2025, 1, 6)),     # year turn over 元旦: Mon, Tue, [1 Jan], Thu, Fri, Mon
    (D(2024, 12, 31), 1, D(2024, 12, 31)),
    (D(2024, 2, 8), 5, D(2024, 2, 20)),      # 2024 春节: Thu 8, Fri 9, Sun 18 (调休), Mon 19, Tue 20
])
def test_holidays_and_adjusted_working_days(start, n, end):
    assert add_working_days(start, n, CAL) == end
    assert working_days_between(start, end, CAL) == n
    assert is_working_day(end, CAL)


@pytest.mark.parametrize("day,working", [
    (D(2025, 10, 1), False), (D(2025, 10, 8), False),   # a holiday on a weekday
    (D(2025, 10, 11), True), (D(2025, 9, 28), True),    # 调休 Saturday / Sunday
    (D(2025, 10, 12), False),                           # an ordinary Sunday
    (D(2025, 10, 9), True), (D(2024, 2, 29), True), (D(2025, 1, 1), False),
])
def test_is_working_day(day, working):
    assert is_working_day(day, CAL) is working


@pytest.mark.parametrize("day,first", [
    (D(2025, 10, 1), D(2025, 10, 9)), (D(2025, 10, 4), D(2025, 10, 9)),
    (D(2025, 10, 11), D(2025, 10, 11)), (D(2026, 12, 5), D(2026, 12, 7)),
    (D(2024, 12, 31), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 1, 2)),
])
def test_next_working_day(day, first):
    assert next_working_day(day, CAL) == first


@pytest.mark.parametrize("start", [D(2026, 12, 5), D(2026, 12, 6), D(2025, 10, 1), D(2025, 1, 1)])
def test_start_must_be_a_working_day(start):
    with pytest.raises(ValueError, match="不是工作日"):
        add_working_days(start, 5, CAL)


@pytest.mark.parametrize("n", [0, -1])
def test_at_least_one_day(n):
    with pytest.raises(ValueError, match="至少为 1"):
        add_working_days(D(2026, 12, 4), n, CAL)


def test_calendar_without_working_days_is_refused():
    every_day = WorkCalendar(holidays=frozenset(span(D(2026, 1, 1), D(2040, 12, 31))))
    with pytest.raises(ValueError, match="节假日设置"):
        add_working_days(D(2025, 12, 31), 2, every_day)
