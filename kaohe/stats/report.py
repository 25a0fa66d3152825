"""The report of a scope on a day, kept between views while nothing it counts changes.

The city's figures scan every official, post and annual result (some hundred
milliseconds at 100 000 officials, issue 14), and most views repeat one another: the same
scope on the same day, by several users. The figures and team checks are kept
(:mod:`kaohe.audit.kept`) until an official, post, result, unit or setting is written,
and computed again then; a request that has itself written computes afresh.
"""
from __future__ import annotations

import copy
import datetime as dt

from kaohe.assessments.models import AssessmentResult
from kaohe.audit.kept import Kept, position
from kaohe.officials.models import Official, Post
from kaohe.settings.models import Setting
from kaohe.stats import queries
from kaohe.stats.rules import team_rules
from kaohe.units.models import Unit

# Every table the report reads (tests/test_stats_kept.py checks its statements against it).
TABLES = frozenset(m.__tablename__ for m in (Official, Post, AssessmentResult, Unit, Setting))
SIZE = 64  # reports kept (a few kB each: scopes × days in use)

_kept = Kept(TABLES, SIZE)


def report(scope: queries.Scope, day: dt.date) -> tuple[dict, list[dict]]:
    """The figures and the team checks of ``scope`` on ``day`` (the caller's own copies)."""
    now = position()  # before any data: a write committed meanwhile is newer
    rules = team_rules()

    def compute():
        return queries.figures(scope, day), queries.team_checks(scope, day, rules)

    return copy.deepcopy(_kept.get(("report", scope, day, rules), compute, now))


def clear() -> None:
    """Forget every kept report."""
    _kept.clear()
