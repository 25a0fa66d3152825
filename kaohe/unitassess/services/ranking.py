"""Ranking, grades and interview flags of one round (pure; see data.py for loading).

Tie-break (documented, deterministic): units are ordered by
  1. total score, higher first;
  2. then performance points (indicators + public rating, i.e. before bonuses and
     deductions), higher first;
  3. then total deductions, fewer first;
  4. then unit code, then unit id (ascending).
Every unit gets a distinct rank. Grades: walk the ranking from the top; a unit whose
score reaches the 优秀 band gets 优秀 while the quota (floor(n × quota %) units) lasts and
only if it kept its eligibility; otherwise it falls to 良好. Then 良好 / 一般 by bands,
较差 below.

Units whose data in the round is incomplete (``missing``, see completeness.py) are left
out of all of this: they follow the ranked units without rank, grade or flag, shown as
数据未录齐; the quota and the last places count only the ranked units.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from kaohe.unitassess.services.completeness import INCOMPLETE_LABEL
from kaohe.unitassess.services.scoring import UnitScore

GRADES = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}


@dataclass
class Bands:
    excellent: float = 90.0
    good: float = 80.0
    fair: float = 60.0
    quota_pct: float = 30.0
    last_n: int = 1
    lagging_min: int = 2


@dataclass
class RankRow:
    rank: int | None  # None: data incomplete, not ranked
    unit_id: int
    code: str
    name: str
    score: UnitScore
    grade: str = ""
    grade_note: str = ""
    flags: list[str] = field(default_factory=list)
    missing: tuple[str, ...] = ()  # indicators without an entered result

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def grade_label(self) -> str:
        return GRADES[self.grade] if self.complete else INCOMPLETE_LABEL

    @property
    def interview_due(self) -> bool:
        return bool(self.flags)


def sort_key(score: UnitScore, code: str, unit_id: int):
    sums = score.sums()  # one pass over the lines for the three figures
    get = sums.get
    performance = round(round(get("indicator", 0.0), 2) + round(get("public", 0.0), 2), 2)
    deduction = round(-round(get("deduction", 0.0) + get("party_conduct", 0.0), 2), 2)
    return (-score.total, -performance, deduction, code, unit_id)


def rank_units(scores: dict[int, UnitScore], units: dict[int, tuple[str, str]],
               bands: Bands, missing: dict[int, tuple[str, ...]] | None = None) -> list[RankRow]:
    """``units`` maps id → (code, name); ``missing`` unit id → indicators it lacks.

    Returns the ranked rows in rank order with grades and flags, then the incomplete
    units' rows (rank None) in the order of ``units``.
    """
    missing = missing or {}
    ordered = sorted((s for s in scores.values() if s.unit_id not in missing),
                     key=lambda s: sort_key(s, units[s.unit_id][0], s.unit_id))
    n = len(ordered)
    quota = math.floor(n * bands.quota_pct / 100 + 1e-9)
    rows, given = [], 0
    for i, s in enumerate(ordered, start=1):
        code, name = units[s.unit_id]
        row = RankRow(i, s.unit_id, code, name, s)
        total = s.total
        if total >= bands.excellent:
            if not s.eligible_top:
                row.grade, row.grade_note = "good", "已取消评优资格，不评优秀"
            elif given >= quota:
                row.grade, row.grade_note = "good", f"达到优秀分数线，但优秀名额（{quota} 个）已满"
            else:
                row.grade, given = "excellent", given + 1
        elif total >= bands.good:
            row.grade = "good"
        elif total >= bands.fair:
            row.grade = "fair"
        else:
            row.grade = "poor"
        if i > n - bands.last_n:
            row.flags.append(f"排名末位（第 {i}/{n} 名）")
        lag = s.lagging
        if len(lag) >= bands.lagging_min:
            row.flags.append(f"{len(lag)} 项指标进度滞后：{'、'.join(lag[:5])}"
                             + ("等" if len(lag) > 5 else ""))
        rows.append(row)
    for uid in units:
        if uid in missing and uid in scores:
            code, name = units[uid]
            gaps = missing[uid]
            rows.append(RankRow(None, uid, code, name, scores[uid], missing=tuple(gaps),
                                grade_note=f"缺 {len(gaps)} 项：{'、'.join(gaps[:5])}"
                                           + ("等" if len(gaps) > 5 else "")))
    return rows


def distribution(rows: list[RankRow]) -> dict[str, int]:
    counts = {g: 0 for g in GRADES}
    for r in rows:
        if r.complete:
            counts[r.grade] += 1
    return counts
