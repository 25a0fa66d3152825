"""Periods counted in months, and ages: the one place Kaohe does this arithmetic.

民法典 article 201: a period counted in years or months begins on the day after
the event (the day of the decision or answer is not counted). Article 202: it
ends on the day of the last month corresponding to the starting day, or on that
month's last day when it has none. So a 6-month period decided on 2020-01-15
ends on 2020-07-15; one decided on 2020-08-31 ends on 2021-02-28. A period in
years is ``12 × years`` months (1.5 years = 18 months), by the same rule.

Callers treat the end as inclusive (the official is blocked, the opinion is
valid, through that day).
"""
from __future__ import annotations

import calendar
import datetime as dt


def period_end(start: dt.date, months: int) -> dt.date:
    """Last day of a period of ``months`` months from an event on ``start`` (民法典 201–202).

    The corresponding day ``months`` later, or that month's last day when it has
    none: 2020-01-15 + 6 → 2020-07-15; 2020-08-31 + 6 → 2021-02-28; 2019-08-31 + 6
    → 2020-02-29; 2024-02-29 + 12 → 2025-02-28.
    """
    if months < 0:
        raise ValueError("a period cannot count negative months")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years (周岁) of someone born on ``birth`` on ``day``.

    A year is added on the birthday; someone born on 02-29 gets it on 03-01 in
    common years (the birthday has not passed on 02-28).
    """
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
