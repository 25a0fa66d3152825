"""The to-do every kind returns, and how urgent it is."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from flask import url_for

# Urgency, most urgent first: 0 overdue, 1 due within a week (or today), 2 within a
# month, 3 later or no date.
URGENCY = {0: "已逾期", 1: "紧急", 2: "近期", 3: "提示"}


def urgency_of(due: dt.date | None, today: dt.date) -> int:
    """Urgency of something due on ``due``: overdue, this week, this month, later."""
    if due is None:
        return 3
    days = (due - today).days
    return 0 if days < 0 else 1 if days <= 7 else 2 if days <= 31 else 3


@dataclass(frozen=True)
class Todo:
    kind: str
    title: str
    due: dt.date | None
    url: str
    ids: dict  # e.g. {"official_id": 3, "discussion_id": 1}
    urgency: int
    details: tuple[str, ...] = field(default=())  # why, one line each
    # The official's recorded unit (0: none), for the per-unit lines of a kind with
    # many reminders (:mod:`kaohe.todos.grouping`); None for a to-do not about an official.
    unit_id: int | None = None

    @property
    def urgency_label(self) -> str:
        return URGENCY[self.urgency]

    def sort_key(self):
        return (self.urgency, self.due or dt.date.max, self.kind, self.title)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "title": self.title,
                "due": self.due.isoformat() if self.due else None, "url": self.url,
                "ids": self.ids, "urgency": self.urgency, "urgency_label": self.urgency_label,
                "details": list(self.details)}


def make(kind: str, title: str, due: dt.date | None, url: str, ids: dict, today: dt.date,
         details=(), urgency: int | None = None, unit_id: int | None = None) -> Todo:
    """A to-do whose urgency follows its due date unless given; ``unit_id``: the
    official's recorded unit (0: none) for a kind grouped per unit."""
    return Todo(kind, title, due, url, ids,
                urgency_of(due, today) if urgency is None else urgency, tuple(details), unit_id)


_MARKER = 2_147_483_647  # an id no row has (the largest INTEGER): replaced by each id


def url_maker(endpoint: str, key: str, anchor: str = "") -> Callable[[int], str]:
    """``id → url_for(endpoint, key=id)#anchor``, the rule built once: ``url_for`` costs
    tens of microseconds a call, and a province has tens of thousands of reminders."""
    head, tail = url_for(endpoint, **{key: _MARKER}).split(str(_MARKER), 1)
    tail += f"#{anchor}" if anchor else ""
    return lambda value: f"{head}{int(value)}{tail}"
