"""The reminders that read every official, kept between pages while nothing they read
changes (:mod:`kaohe.audit.kept` says why that is exact).

At a province's scale 年度考核结果未录入 reads a million officials and their results,
任现职满 N 年 and 到龄 build tens of thousands of lines: seconds for the organization's
home page and its navigation badge. The lists are computed from the data on the day and
kept until an official, post, result, agenda item, appointment, finding, unit or setting
is written (a review, a dossier or an indicator keeps them), per day, recusal set and
URL root; the other kinds are cheap and computed every time.
"""
from __future__ import annotations

from typing import Callable

from flask import has_request_context, request

from kaohe.assessments.models import AssessmentResult
from kaohe.audit.kept import Kept
from kaohe.discipline.models import DisciplineFinding, ToleranceExemption
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.moves.models import Appointment
from kaohe.officials.models import Official, Post
from kaohe.settings.models import Setting
from kaohe.todos import discipline, grouping, people
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo
from kaohe.units.models import Unit

# Every table the kept producers read (tests/test_todos_kept.py checks their statements).
TABLES = frozenset(m.__tablename__ for m in (
    Official, Post, AssessmentResult, AgendaItem, Discussion, Appointment, DisciplineFinding,
    ToleranceExemption, Setting, Unit))
KEPT = (people.probation, people.retirement, people.rotation, people.annual_missing,
        discipline.impact_ending, discipline.finding_impact_ending)
SIZE = 48  # lists: producers × days × recusal sets (grouped: a few hundred lines at
# most; one producer's list of every official opened from a grouped line: tens of
# thousands at a province's scale)

_kept = Kept(TABLES, SIZE)


def run(producer: Callable[[Ctx], list[Todo]], ctx: Ctx, now: tuple[int, str] | None,
        checked: dict, grouped: bool = True) -> list[Todo]:
    """``producer(ctx)`` most urgent first, a kind with many reminders as one line per
    unit unless not ``grouped`` (:func:`kaohe.todos.grouping.group`: each kind comes from
    one producer); kept when the producer is one of :data:`KEPT`. ``now``: the audit
    position read before any data (:func:`kaohe.audit.kept.position`); ``checked``:
    shared by the producers of one list."""
    def compute() -> list[Todo]:
        todos = sorted(producer(ctx), key=Todo.sort_key)
        return grouping.group(todos) if grouped else todos

    if producer not in KEPT:
        return compute()
    root = request.script_root if has_request_context() else ""
    key = (producer.__module__, producer.__name__, ctx.today, ctx.recused, root, grouped)
    return list(_kept.get(key, compute, now, checked))


def clear() -> None:
    """Forget every kept list."""
    _kept.clear()
