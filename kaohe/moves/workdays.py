"""Working days (工作日) of the 任前公示: Monday to Friday, except the holidays the admin
lists, plus the weekend days the admin lists as 调休 working days. Pure functions; the
calendar is passed in (:func:`kaohe.moves.services.holidays.calendar` reads it)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)
# A run of non-working days longer than this means the calendar is wrong (or n is huge).
MAX_SCAN_DAYS = 3660


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[dt.date] = field(default_factory=frozenset)  # 放假 (any weekday)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # 调休上班 (weekend days)


def is_working_day(day: dt.date, cal: WorkCalendar) -> bool:
    """Whether ``day`` is a working day: a listed 调休 day is; a listed holiday is not;
    otherwise Monday to Friday."""
    if day in cal.workdays:
        return True
    if day in cal.holidays:
        return False
    return day.weekday() < 5


def next_working_day(day: dt.date, cal: WorkCalendar) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for _ in range(MAX_SCAN_DAYS):
        if is_working_day(day, cal):
            return day
        day += ONE_DAY
    raise ValueError("工作日历中连续非工作日过多，请检查节假日设置。")


def add_working_days(start: dt.date, n: int, cal: WorkCalendar) -> dt.date:
    """The last day of a period of ``n`` working days that begins on ``start`` (a working
    day, counted as the first)."""
    if n < 1:
        raise ValueError("工作日数至少为 1。")
    if not is_working_day(start, cal):
        raise ValueError(f"{start.isoformat()} 不是工作日。")
    day, left, scanned = start, n - 1, 0
    while left:
        day += ONE_DAY
        scanned += 1
        if scanned > MAX_SCAN_DAYS:
            raise ValueError("工作日历中连续非工作日过多，请检查节假日设置。")
        if is_working_day(day, cal):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, cal: WorkCalendar) -> int:
    """Working days from ``start`` to ``end``, both included (0 when ``end`` < ``start``)."""
    count, day = 0, start
    while day <= end:
        count += is_working_day(day, cal)
        day += ONE_DAY
    return count
