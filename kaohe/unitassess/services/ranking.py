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
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

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
    rank: int
    unit_id: int
    code: str
    name: str
    score: UnitScore
    grade: str = ""
    grade_note: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def grade_label(self) -> str:
        return GRADES[self.grade]

    @property
    def interview_due(self) -> bool:
        return bool(self.flags)


def sort_key(score: UnitScore, code: str, unit_id: int):
    performance = round(score.indicator_points + score.public_points, 2)
    return (-score.total, -performance, score.deduction, code, unit_id)


def rank_units(scores: dict[int, UnitScore], units: dict[int, tuple[str, str]],
               bands: Bands) -> list[RankRow]:
    """``units`` maps id → (code, name). Returns rows in rank order with grades and flags."""
    ordered = sorted(scores.values(), key=lambda s: sort_key(s, units[s.unit_id][0], s.unit_id))
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
    return rows


def distribution(rows: list[RankRow]) -> dict[str, int]:
    counts = {g: 0 for g in GRADES}
    for r in rows:
        counts[r.grade] += 1
    return counts
