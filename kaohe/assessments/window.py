"""近三年考核: which annual-assessment years a rule about "the last N years" looks at.

A personnel department's 近三年考核 is the last N *concluded* annual assessments,
not the N calendar years before a date. Year Y's assessment concludes on a set day
of year Y + 1 (setting ``assessment.year_concludes_on``, "MM-DD", default "03-31";
N is ``dossier.window_years``). On that day Y is concluded: the day itself counts.
Before it, Y is *pending* (待考核): shown as such, never as missing, never counted by
a rule, and the window is the N years before it. A conclusion day of 02-29 falls on
28 February in a common year (the month's last day, as 民法典 art. 202 does for
periods).

The current, unfinished calendar year is not in the window either; a result entered
for it ahead of time is, like one for a pending year, shown as 待考核 and not counted.

Every rule about the last N years (the dossier and its flags, the discussion
blockers, the LRMX export, the demo) reads :func:`assessment_window`.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from kaohe.settings import services as settings
from kaohe.settings.registry import month_day

PENDING = "待考核"
YEARS_KEY = "dossier.window_years"
CONCLUDES_KEY = "assessment.year_concludes_on"


@dataclass(frozen=True)
class AssessmentWindow:
    """The concluded years of the window on ``as_of`` and the years still open."""

    as_of: dt.date
    years: tuple[int, ...]  # the last N concluded years, oldest first
    open_years: tuple[int, ...]  # later years up to as_of's year: not concluded (待考核)
    concludes_on: str  # the "MM-DD" setting used

    @property
    def start(self) -> dt.date:
        """1 January of the window's first year (records are read from it)."""
        return dt.date(self.years[0], 1, 1)

    @property
    def pending(self) -> tuple[int, ...]:
        """Open years that have ended by ``as_of`` (shown as 待考核 whether entered or not)."""
        return tuple(y for y in self.open_years if y < self.as_of.year)

    def concludes(self, year: int) -> dt.date:
        """The day ``year``'s annual assessment concludes."""
        return conclusion_day(year, self.concludes_on)


def conclusion_day(year: int, concludes_on: str) -> dt.date:
    """The day in ``year`` + 1 given by ``concludes_on`` ("MM-DD"); 02-29 → 02-28 in a
    common year."""
    month, day = month_day(concludes_on)
    following = year + 1
    return dt.date(following, month, min(day, calendar.monthrange(following, month)[1]))


def window_of(as_of: dt.date, n_years: int, concludes_on: str) -> AssessmentWindow:
    """The window on ``as_of`` for ``n_years`` and a conclusion day (plain arguments)."""
    if n_years < 1:
        raise ValueError("the window holds at least one year")
    last = as_of.year - 1
    if as_of < conclusion_day(last, concludes_on):
        last -= 1
    years = tuple(range(last - n_years + 1, last + 1))
    return AssessmentWindow(as_of, years, tuple(range(last + 1, as_of.year + 1)), concludes_on)


def assessment_window(as_of: dt.date) -> AssessmentWindow:
    """The window on ``as_of`` under the current settings."""
    return window_of(as_of, int(settings.get(YEARS_KEY)), str(settings.get(CONCLUDES_KEY)))
