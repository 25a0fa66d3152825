"""Is a round's data complete? (pure; no database access here)

A unit's data in a round is complete when every indicator of the scheme has an entered
result for that unit and round: a ratio indicator a target above 0 and an actual, a rank
indicator an actual, a grade indicator a grade. A unit lacking any is shown as 数据未录齐:
it is not graded, ranked or flagged for an interview, and a round with such a unit (or
with no unit at all) cannot be published (公示).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Collection

from kaohe.unitassess.services.scoring import IndicatorSpec, ResultRow

INCOMPLETE_LABEL = "数据未录齐"
MAX_UNITS_LISTED = 10
MAX_ITEMS_LISTED = 5


def entered(method: str, target: float | None, actual: float | None, grade: str) -> bool:
    """Whether a result holds what the scoring ``method`` needs."""
    if method == "grade":
        return bool(grade)
    if method == "rank":
        return actual is not None
    return actual is not None and bool(target) and target > 0


def is_entered(spec: IndicatorSpec, row: ResultRow | None) -> bool:
    """Whether ``row`` holds what ``spec``'s scoring method needs."""
    return row is not None and entered(spec.method, row.target, row.actual, row.grade)


@dataclass(frozen=True)
class Completeness:
    units: int
    indicators: int
    entered: int
    # unit id → names of the indicators it lacks, in the scheme's order
    missing: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return self.units * self.indicators

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.entered == self.expected

    @property
    def percent_text(self) -> str:
        """One decimal, rounded down: 11 999 of 12 000 is 99.9 %, never 100.0 %."""
        if not self.expected:
            return "0.0%"
        tenths = math.floor(self.entered * 1000 / self.expected)
        return f"{tenths // 10}.{tenths % 10}%"

    @property
    def text(self) -> str:
        """「已录入 1180/1200 项（98.3%）」"""
        return f"已录入 {self.entered}/{self.expected} 项（{self.percent_text}）"


def measure(unit_ids: list[int], specs: list[IndicatorSpec],
            results: Collection[ResultRow]) -> Completeness:
    """Completeness of ``results`` (at most one per unit and indicator) for ``unit_ids`` ×
    ``specs``."""
    # One pass over the results counts each unit's entered ones; only for units short of
    # some, a second pass notes which they have, for the names of those they lack.
    methods = {s.id: s.method for s in specs}
    count = dict.fromkeys(unit_ids, 0)
    for u, i, target, actual, grade in results:
        method = methods.get(i)
        if method is not None and u in count and entered(method, target, actual, grade):
            count[u] += 1
    short = {u for u in unit_ids if count[u] < len(specs)}
    have = {(u, i) for u, i, target, actual, grade in results if u in short
            and i in methods and entered(methods[i], target, actual, grade)
            } if short else set()
    missing = {u: tuple(s.name for s in specs if (u, s.id) not in have)
               for u in unit_ids if u in short}
    return Completeness(len(unit_ids), len(specs), sum(count.values()), missing)


def missing_lines(c: Completeness, unit_names: dict[int, str],
                  max_units: int = MAX_UNITS_LISTED,
                  max_items: int = MAX_ITEMS_LISTED) -> list[str]:
    """「东城区：缺 地区生产总值、税收收入」per unit, capped, then a count of the rest."""
    lines = []
    for uid, names in list(c.missing.items())[:max_units]:
        shown = "、".join(names[:max_items])
        more = f" 等 {len(names)} 项" if len(names) > max_items else ""
        lines.append(f"{unit_names.get(uid, uid)}：缺 {shown}{more}")
    rest = len(c.missing) - max_units
    if rest > 0:
        items = sum(len(n) for n in list(c.missing.values())[max_units:])
        lines.append(f"另有 {rest} 个单位共缺 {items} 项未列出")
    return lines


def refusal(c: Completeness, unit_names: dict[int, str]) -> str | None:
    """Why a round cannot be published (公示), or None when it can."""
    if c.complete:
        return None
    if not c.units:
        return "该考核组没有单位，没有可公示的考核结果。"
    return (f"本轮考核数据未录齐（{c.text}），不能公示；请录齐以下数据后再公示："
            + "；".join(missing_lines(c, unit_names)) + "。")
