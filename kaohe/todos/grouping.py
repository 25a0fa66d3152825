"""Reminders about single officials, one line per unit when a kind has many.

At a province's scale the organization has thousands of 任现职满 5 年 and 到龄 reminders
on a day; a line each is a list nobody reads (and a home page that takes seconds).
Above the setting's number, a kind shows one line per unit — how many, and its most
urgent reminder — linking to the paged list of that unit's reminders of the kind.
"""
from __future__ import annotations

from collections import Counter

from flask import url_for
from sqlalchemy import select

from kaohe.extensions import db
from kaohe.todos import settings as cfg
from kaohe.todos.items import Todo
from kaohe.units.models import Unit

# kind → what the unit's officials have (the grouped line's title, the list's count). Each
# kind lists both those past their day and those coming to it: 「3 名干部达到退休年龄」 said
# three had reached it when they were to reach it in the weeks ahead.
PHRASES = {
    "probation": "试用期已满或即将届满",
    "retirement": "已达到或即将达到退休年龄",
    "rotation_must": "任现职已满或即将满 {must} 年，应当交流",
    "rotation": "任现职已满或即将满 {first} 年",
    "impact_ending": "影响期已满或即将届满",
}
GROUPED_KINDS = tuple(PHRASES)
NO_UNIT = "未填写单位"


def unit_names(ids) -> dict[int, str]:
    """Names of the units ``ids`` that exist, deleted ones too (an official may still be
    recorded in one); 0: officials with no unit recorded."""
    wanted = {i for i in ids if i}
    names = dict(db.session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(wanted))
        .execution_options(include_deleted=True)).all()) if wanted else {}
    return {0: NO_UNIT, **names}


def phrase(kind: str) -> str:
    return PHRASES[kind].format(first=cfg.value(cfg.ROTATION_YEARS),
                                must=cfg.value(cfg.ROTATION_MUST_YEARS))


def group(todos: list[Todo], over: int | None = None) -> list[Todo]:
    """``todos`` (most urgent first) with every grouped kind that has more than ``over``
    (the setting) reminders replaced by one line per unit, in the same order; a unit
    with a single reminder keeps it as it is."""
    over = cfg.value(cfg.GROUP_OVER) if over is None else over
    counts = Counter(t.kind for t in todos if t.kind in PHRASES)
    big = {kind for kind, n in counts.items() if n > over}
    if not big:
        return todos
    buckets: dict[tuple[str, int], list[Todo]] = {}
    out = []
    for t in todos:
        if t.kind in big:
            buckets.setdefault((t.kind, t.unit_id or 0), []).append(t)
        else:
            out.append(t)
    names = unit_names(unit for _kind, unit in buckets)
    for (kind, unit), members in buckets.items():
        out.append(members[0] if len(members) == 1
                   else _line(kind, unit, names.get(unit, NO_UNIT), members))
    return sorted(out, key=Todo.sort_key)


def _line(kind: str, unit_id: int, unit_name: str, members: list[Todo]) -> Todo:
    first = members[0]
    due = sum(1 for t in members if t.urgency == first.urgency)
    return Todo(
        kind, f"{unit_name}：{len(members)} 名干部{phrase(kind)}", first.due,
        url_for("todos.kind_list", kind=kind, unit_id=unit_id),
        {"unit_id": unit_id, "count": len(members)}, first.urgency,
        (f"其中{first.urgency_label} {due} 名；最先：{first.title}",
         "点击查看本单位全部名单，逐人办理"), unit_id)
