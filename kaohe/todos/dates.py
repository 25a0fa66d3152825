"""Month arithmetic of the reminders: when an official reaches retirement age, and the
inverse questions the database queries need (which birth dates, which start dates).

Anniversaries (任现职满 N 年) follow :func:`kaohe.core.periods.age_on`: a year (or month)
is full on the corresponding day, and on the first day of the next month when that month
has no such day (from 02-29: 03-01 of a common year). Retirement goes by month of birth
(:meth:`RetirementRule.reached_on`): the rule's month, on the corresponding day or that
month's last day.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from kaohe.core.periods import period_end

DELAY_FROM = (2025, 1)  # the gradual increase of the retirement age starts with this month


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def index_month(index: int) -> tuple[int, int]:
    year, month = divmod(index, 12)
    return year, month + 1


def days_in(index: int) -> int:
    return calendar.monthrange(*index_month(index))[1]


def month_start(index: int) -> dt.date:
    return dt.date(*index_month(index), 1)


def month_end(index: int) -> dt.date:
    return dt.date(*index_month(index), days_in(index))


def full_months_day(start: dt.date, months: int) -> dt.date:
    """The day on which ``months`` full months since ``start`` are reached (the day
    ``age_on`` counts them): the corresponding day, or the 1st of the next month."""
    target = month_index(start.year, start.month) + months
    if start.day <= days_in(target):
        return dt.date(*index_month(target), start.day)
    return month_start(target + 1)


def years_ago(day: dt.date, years: int) -> dt.date:
    """The latest start date with ``years`` full years reached on ``day``."""
    year = day.year - years
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass(frozen=True)
class RetirementRule:
    """Retirement age of one class of officials (gender, and rank for women)."""

    age: int  # years, before the gradual increase
    delay_step: int  # months of later original retirement per month of delay; 0 = none
    delay_max: int  # months

    def delay(self, original: int) -> int:
        """Months of delay for an original retirement month (month index)."""
        first = month_index(*DELAY_FROM)
        if self.delay_step <= 0 or original < first:
            return 0
        return min(self.delay_max, (original - first) // self.delay_step + 1)

    def months(self, birth_month: int) -> int:
        """Age in months at retirement of someone born in ``birth_month`` (index)."""
        return self.age * 12 + self.delay(birth_month + self.age * 12)

    def reached_on(self, birth: dt.date) -> dt.date:
        """The day retirement age is reached, always in the month the rule gives for the
        birth month (the 2024 decision's table goes by month of birth): the corresponding
        day, or that month's last day when it has none (:func:`period_end`, 民法典 202).
        Born 1965-01-31, 60 years and 1 month: 2025-02-28, not 03-01 (a month late, and
        missing from January's 到龄 list); born 1968-02-29, 57 years: 2025-02-28."""
        return period_end(birth, self.months(month_index(birth.year, birth.month)))

    def birth_ranges(self, months: list[int]) -> list[tuple[dt.date, dt.date]]:
        """Birth-date ranges (inclusive) of those reaching retirement age in one of the
        given months (indexes), merged."""
        wanted, out = set(months), []
        lo = min(months) - self.age * 12 - self.delay_max - 1
        for born in range(lo, max(months) - self.age * 12 + 1):
            if born + self.months(born) in wanted:  # every day of the month: reached_on
                out.append((month_start(born), month_end(born)))
        return _merge(sorted(out))


def _merge(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    merged: list[tuple[dt.date, dt.date]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged
