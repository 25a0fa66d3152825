"""Scores of units in one round, computed from plain data (no database access here).

A unit's score is derived, never typed:

    total = Σ indicator points + public rating × weight + Σ bonuses − Σ deductions

and every term is a :class:`Line` of the breakdown ("加分加得清清楚楚，扣分扣得明明白白").

Scoring methods
  ratio  completion = actual / target (target = the full-year target, actual = cumulative);
         progress r = completion / share of the year elapsed at the round (0.5, 0.75, 1);
         lower-is-better indicators use r = target / actual with no time scaling;
         points = 0 if r < floor, else max × min(r, cap). Lagging when r < lag ratio.
  rank   units of the group ranked by actual (ties share a rank); first gets max, last gets
         max × floor, linear in between.
  grade  a qualitative grade mapped to a share of max points by the indicator's grade map.
Events count in every round whose end date is on or after the event date; provincial ones
are multiplied (default ×2) and a provincial deduction removes eligibility for 优秀.

Arithmetic: floats, every line's points rounded to the cent (``round(x, 2)``) and every
total rounded again. The stored figures have at most four decimals and the lines are
whole cents, so a sum of some hundred lines is within 1e-12 of a whole cent and its
rounding is exact: equal totals compare equal and ties go to the documented tie-break
(ranking.py), the same as exact decimal arithmetic would give.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from kaohe.unitassess import ROUND_ELAPSED, ROUND_END
from kaohe.unitassess.models import EVENT_KINDS


@dataclass(frozen=True)
class IndicatorSpec:
    id: int
    code: str
    name: str
    category: str
    max_points: float
    method: str
    higher_is_better: bool = True
    floor: float = 0.5
    cap: float = 1.0
    grades: dict = field(default_factory=dict, hash=False, compare=False)


class ResultRow(NamedTuple):
    """A named tuple, not a dataclass: a round builds 12 000 of them straight from the
    database rows (``ResultRow._make``), several times cheaper."""

    unit_id: int
    indicator_id: int
    target: float | None = None
    actual: float | None = None
    grade: str = ""


@dataclass(frozen=True)
class EventRow:
    id: int
    unit_id: int
    kind: str
    date: dt.date
    points: float
    reason: str
    evidence: str = ""
    entered_by: str = ""


@dataclass(frozen=True)
class PartyConductRow:
    """One party-conduct case from the discipline service, already normalised."""

    unit_id: int
    points: float          # nominal deduction
    counted: float         # what it costs (0 when self-found, exempted or cleared)
    reason: str
    why_free: str = ""
    date: dt.date | None = None
    ref: str = ""


@dataclass
class Params:
    provincial_multiplier: float = 2.0
    lag_ratio: float = 0.9


@dataclass(slots=True)
class Line:
    kind: str          # indicator | public | bonus | deduction | party_conduct
    category: str
    label: str
    points: float      # signed contribution to the total
    explanation: object  # text, or a formatter of ``args`` called on first use
    max_points: float | None = None
    lagging: bool = False
    ref: str = ""
    args: tuple | None = None  # the formatter's arguments (None: the text is ready)

    @property
    def detail(self) -> str:
        if self.args is not None:
            self.explanation, self.args = self.explanation(*self.args), None
        return self.explanation

    def as_dict(self) -> dict:
        return {"kind": self.kind, "category": self.category, "label": self.label,
                "points": self.points, "max_points": self.max_points, "detail": self.detail,
                "lagging": self.lagging, "ref": self.ref}


@dataclass
class UnitScore:
    unit_id: int
    lines: list[Line] = field(default_factory=list)
    eligible_top: bool = True
    ineligible_reasons: list[str] = field(default_factory=list)

    def sums(self) -> dict[str, float]:
        """Unrounded points per line kind, in one pass (the ranking needs several)."""
        out: dict[str, float] = {}
        for line in self.lines:
            out[line.kind] = out.get(line.kind, 0.0) + line.points
        return out

    def _sum(self, *kinds) -> float:
        sums = self.sums()
        return round(sum(sums.get(k, 0.0) for k in kinds), 2)

    @property
    def indicator_points(self) -> float:
        return self._sum("indicator")

    @property
    def public_points(self) -> float:
        return self._sum("public")

    @property
    def bonus(self) -> float:
        return self._sum("bonus")

    @property
    def deduction(self) -> float:
        return round(-self._sum("deduction", "party_conduct"), 2)

    @property
    def total(self) -> float:
        return round(sum(line.points for line in self.lines), 2)

    @property
    def lagging(self) -> list[str]:
        return [line.label for line in self.lines if line.lagging]


def round_end(year: int, round_: str) -> dt.date:
    month, day = ROUND_END[round_]
    return dt.date(year, month, day)


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x == x else "—"


def _ratio_detail(target, actual, higher, elapsed, r, floor, cap, points, lag_ratio) -> str:
    if higher:
        text = (f"目标 {_fmt(target)}，累计完成 {_fmt(actual)}，完成率 {actual / target:.1%}，"
                f"时间进度 {elapsed:.0%}，进度比 {r:.1%}")
    else:
        text = f"目标不高于 {_fmt(target)}，实际 {_fmt(actual)}，达标率 {r:.1%}"
    if r < floor:
        text += f"，低于下限 {floor:.0%}，得 0 分"
    else:
        text += f"，得 {_fmt(points)} 分" + (f"（封顶 {cap:.0%}）" if r > cap else "")
    if r < lag_ratio:
        text += f"；进度滞后（低于 {lag_ratio:.0%}）"
    return text


def _ratio_line(spec: IndicatorSpec, row: ResultRow | None, elapsed: float,
                params: Params) -> Line:
    if row is None or row.actual is None or not row.target:
        return Line("indicator", spec.category, spec.name, 0.0, "未录入目标或实际完成值，得 0 分",
                    spec.max_points, ref=spec.code)
    if spec.higher_is_better:
        r = row.actual / row.target / elapsed
    else:
        r = row.target / row.actual if row.actual > 0 else spec.cap
    points = 0.0 if r < spec.floor else round(spec.max_points * min(r, spec.cap), 2)
    # The explanation is formatted only when shown (ranking 36 000 lines stays fast).
    return Line("indicator", spec.category, spec.name, points, _ratio_detail, spec.max_points,
                r < params.lag_ratio, spec.code,
                (row.target, row.actual, spec.higher_is_better, elapsed, r, spec.floor, spec.cap,
                 points, params.lag_ratio))


def _rank_positions(spec: IndicatorSpec, rows: dict[int, ResultRow]) -> dict[int, int]:
    values = {u: r.actual for u, r in rows.items() if r.actual is not None}
    ordered = sorted(values.values(), reverse=spec.higher_is_better)
    first = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return {u: first[v] for u, v in values.items()}


def _rank_line(spec, row, position, n) -> Line:
    if position is None:
        return Line("indicator", spec.category, spec.name, 0.0, "未录入实际值，不参与排名，得 0 分",
                    spec.max_points, ref=spec.code)
    share = 1.0 if n <= 1 else 1 - (position - 1) / (n - 1) * (1 - spec.floor)
    points = round(spec.max_points * share, 2)
    return Line("indicator", spec.category, spec.name, points, _rank_detail, spec.max_points,
                ref=spec.code, args=(row.actual, position, n, points))


def _rank_detail(actual, position, n, points) -> str:
    return f"实际 {_fmt(actual)}，组内第 {position}/{n} 名，得 {_fmt(points)} 分"


def _grade_detail(grade, share, points) -> str:
    return f"评定等次「{grade}」，折算 {share:.0%}，得 {_fmt(points)} 分"


def _grade_line(spec, row) -> Line:
    grade = row.grade if row else ""
    if not grade:
        return Line("indicator", spec.category, spec.name, 0.0, "未评定等次，得 0 分",
                    spec.max_points, ref=spec.code)
    share = spec.grades.get(grade, 0.0)
    points = round(spec.max_points * share, 2)
    return Line("indicator", spec.category, spec.name, points, _grade_detail, spec.max_points,
                ref=spec.code, args=(grade, share, points))


def _public_detail(rating, weight, points) -> str:
    return (f"民评官成绩 {_fmt(rating)} 分（百分制）÷ 100 × 权重 {_fmt(weight)} 分 = "
            f"{_fmt(points)} 分")


def _event_line(ev: EventRow, params: Params) -> Line:
    label, sign, provincial = EVENT_KINDS[ev.kind]
    mult = params.provincial_multiplier if provincial else 1.0
    points = round(sign * ev.points * mult, 2)
    detail = f"{ev.date.isoformat()} {ev.reason}"
    if provincial:
        detail += f"（省级 {_fmt(ev.points)} 分 × {_fmt(mult)} 倍 = {_fmt(abs(points))} 分）"
    if ev.evidence:
        detail += f"；依据：{ev.evidence}"
    if ev.entered_by:
        detail += f"；录入：{ev.entered_by}"
    return Line("bonus" if sign > 0 else "deduction", label, ev.reason, points, detail,
                ref=f"E{ev.id}")


def score_round(year: int, round_: str, unit_ids: list[int], indicators: list[IndicatorSpec],
                results: dict[tuple[int, int], ResultRow], public_weight: float,
                ratings: dict[int, float], events: list[EventRow],
                party: list[PartyConductRow], params: Params) -> dict[int, UnitScore]:
    """Score every unit of ``unit_ids`` in ``round_``; ``results`` keyed by (unit, indicator)."""
    elapsed = ROUND_ELAPSED[round_]
    end = round_end(year, round_)
    scores = {u: UnitScore(u) for u in unit_ids}
    lines = [(u, scores[u].lines) for u in unit_ids]  # bound once: 12 000 appends a round
    for spec in indicators:
        sid = spec.id
        if spec.method == "rank":
            rows = {u: results[(u, sid)] for u in unit_ids if (u, sid) in results}
            positions = _rank_positions(spec, rows)
            n = len(positions)
            for u, out in lines:
                out.append(_rank_line(spec, rows.get(u), positions.get(u), n))
        elif spec.method == "grade":
            for u, out in lines:
                out.append(_grade_line(spec, results.get((u, sid))))
        else:
            for u, out in lines:
                out.append(_ratio_line(spec, results.get((u, sid)), elapsed, params))
    if public_weight:
        for u, out in lines:
            rating = ratings.get(u)
            if rating is None:
                out.append(Line("public", "民评官", "群众评议（民评官）", 0.0,
                                f"未录入民评官成绩，得 0 分（权重 {_fmt(public_weight)} 分）",
                                public_weight))
            else:
                pts = round(rating / 100 * public_weight, 2)
                out.append(Line("public", "民评官", "群众评议（民评官）", pts, _public_detail,
                                public_weight, args=(rating, public_weight, pts)))
    for ev in sorted(events, key=lambda e: (e.date, e.id)):
        if ev.unit_id in scores and ev.date <= end:
            scores[ev.unit_id].lines.append(_event_line(ev, params))
            if ev.kind == "provincial_deduction":
                scores[ev.unit_id].eligible_top = False
                scores[ev.unit_id].ineligible_reasons.append(
                    f"{ev.date.isoformat()} 受省级扣分（{ev.reason}），取消评优资格")
    for pc in party:
        if pc.unit_id in scores and (pc.date is None or pc.date <= end):
            detail = f"扣 {_fmt(pc.points)} 分" if pc.counted else f"不扣分：{pc.why_free}"
            scores[pc.unit_id].lines.append(Line("party_conduct", "党风廉政建设", pc.reason,
                                                 -round(pc.counted, 2), detail, ref=pc.ref))
    return scores
