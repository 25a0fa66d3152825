"""Scores of units in one round, computed from plain data (no database access here).

A unit's score is derived, never typed:

    total = Σ indicator points + public rating × weight + Σ bonuses − Σ deductions

and every term is a :class:`Line` of the breakdown ("加分加得清清楚楚，扣分扣得明明白白").
Scoring a round computes each unit's figures only (a ranking shows totals); a unit's
breakdown is built from the same rules when it is first read (:attr:`UnitScore.lines`:
its page, the API, the dossier).

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
(ranking.py), the same as exact decimal arithmetic would give, and the figures are the
same whatever order the points are added in (the totals' pass adds them in the order
the database returns the results, the breakdown in the scheme's order).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from kaohe.unitassess import ROUND_END
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
    """A unit's result of an indicator in a round. A round's 12 000 are the database rows
    themselves, with these names in this order (``data._results``); the totals' pass
    unpacks them."""

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


class UnitScore:
    """A unit's score in a round: its figures, and the breakdown (``lines``) behind them.

    A score of a scored round (:func:`~kaohe.unitassess.services.totals.score_round`) holds
    the figures and builds its lines when they are first read, from the round's inputs; a
    score made from ``lines`` takes its figures from them.
    """

    __slots__ = ("unit_id", "eligible_top", "ineligible_reasons", "_lines", "_figures",
                 "_breakdown")

    def __init__(self, unit_id: int, lines: list[Line] | None = None, eligible_top: bool = True,
                 ineligible_reasons: list[str] | None = None):
        self.unit_id = unit_id
        self.eligible_top = eligible_top
        self.ineligible_reasons = [] if ineligible_reasons is None else ineligible_reasons
        self._lines = [] if lines is None else lines
        # (points per kind, unrounded total, lagging labels): set by score_round
        self._figures: tuple[dict[str, float], float, list[str]] | None = None
        self._breakdown: Breakdown | None = None

    @classmethod
    def scored(cls, unit_id: int, breakdown: Breakdown, sums: dict[str, float], total: float,
               lagging: list[str]) -> UnitScore:
        score = cls(unit_id)
        score._lines, score._figures, score._breakdown = None, (sums, total, lagging), breakdown
        return score

    @property
    def lines(self) -> list[Line]:
        """Indicators in the scheme's order, the public rating, events by date, party conduct."""
        if self._lines is None:
            self._lines = self._breakdown.lines(self.unit_id)
        return self._lines

    def sums(self) -> dict[str, float]:
        """Unrounded points per line kind (one pass over the lines for a score made from them)."""
        if self._figures is not None:
            return dict(self._figures[0])
        out: dict[str, float] = {}
        for line in self._lines:
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
        return round(-self._sum("deduction", "party_conduct"), 2) + 0.0  # not −0.0

    @property
    def total(self) -> float:
        if self._figures is not None:
            return round(self._figures[1], 2)
        return round(sum(line.points for line in self._lines), 2)

    @property
    def lagging(self) -> list[str]:
        """Labels of the lagging indicators, in the scheme's order."""
        if self._figures is not None:
            return list(self._figures[2])
        return [line.label for line in self._lines if line.lagging]


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


# ---------------------------------------------------------------- points, one rule each
def ratio_points(spec: IndicatorSpec, target: float, actual: float,
                 elapsed: float) -> tuple[float, float]:
    """(progress ratio r, points) of an entered ratio result: an actual and a target ≠ 0."""
    if spec.higher_is_better:
        r = actual / target / elapsed
    else:
        r = target / actual if actual > 0 else spec.cap
    return r, 0.0 if r < spec.floor else round(spec.max_points * min(r, spec.cap), 2)


def rank_positions(spec: IndicatorSpec, actuals: dict[int, float]) -> dict[int, int]:
    """Unit → place by actual in its group (ties share the better place)."""
    ordered = sorted(actuals.values(), reverse=spec.higher_is_better)
    first = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return {u: first[v] for u, v in actuals.items()}


def rank_points(spec: IndicatorSpec, position: int, n: int) -> float:
    share = 1.0 if n <= 1 else 1 - (position - 1) / (n - 1) * (1 - spec.floor)
    return round(spec.max_points * share, 2)


def grade_points(spec: IndicatorSpec, grade: str) -> tuple[float, float]:
    """(share of the maximum, points) of a grade (one outside the map earns nothing)."""
    share = spec.grades.get(grade, 0.0)
    return share, round(spec.max_points * share, 2)


def public_points(rating: float, weight: float) -> float:
    return round(rating / 100 * weight, 2)


def event_points(ev: EventRow, params: Params) -> tuple[float, float]:
    """(signed points, multiplier): provincial events count ``provincial_multiplier`` times."""
    _label, sign, provincial = EVENT_KINDS[ev.kind]
    mult = params.provincial_multiplier if provincial else 1.0
    return round(sign * ev.points * mult, 2), mult


def event_kind(ev: EventRow) -> str:
    return "bonus" if EVENT_KINDS[ev.kind][1] > 0 else "deduction"


def party_points(pc: PartyConductRow) -> float:
    return -round(pc.counted, 2)


# ---------------------------------------------------------------- the breakdown's lines
def _ratio_line(spec: IndicatorSpec, row: ResultRow | None, elapsed: float,
                params: Params) -> Line:
    if row is None or row.actual is None or not row.target:
        return Line("indicator", spec.category, spec.name, 0.0, "未录入目标或实际完成值，得 0 分",
                    spec.max_points, ref=spec.code)
    r, points = ratio_points(spec, row.target, row.actual, elapsed)
    # The explanation is formatted only when shown (the API lists 12 000 lines a round).
    return Line("indicator", spec.category, spec.name, points, _ratio_detail, spec.max_points,
                r < params.lag_ratio, spec.code,
                (row.target, row.actual, spec.higher_is_better, elapsed, r, spec.floor, spec.cap,
                 points, params.lag_ratio))


def _rank_line(spec, row, position, n) -> Line:
    if position is None:
        return Line("indicator", spec.category, spec.name, 0.0, "未录入实际值，不参与排名，得 0 分",
                    spec.max_points, ref=spec.code)
    points = rank_points(spec, position, n)
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
    share, points = grade_points(spec, grade)
    return Line("indicator", spec.category, spec.name, points, _grade_detail, spec.max_points,
                ref=spec.code, args=(grade, share, points))


def _public_detail(rating, weight, points) -> str:
    return (f"民评官成绩 {_fmt(rating)} 分（百分制）÷ 100 × 权重 {_fmt(weight)} 分 = "
            f"{_fmt(points)} 分")


def _public_line(rating: float | None, weight: float) -> Line:
    if rating is None:
        return Line("public", "民评官", "群众评议（民评官）", 0.0,
                    f"未录入民评官成绩，得 0 分（权重 {_fmt(weight)} 分）", weight)
    points = public_points(rating, weight)
    return Line("public", "民评官", "群众评议（民评官）", points, _public_detail, weight,
                args=(rating, weight, points))


def _event_line(ev: EventRow, params: Params) -> Line:
    label, _sign, provincial = EVENT_KINDS[ev.kind]
    points, mult = event_points(ev, params)
    detail = f"{ev.date.isoformat()} {ev.reason}"
    if provincial:
        detail += f"（省级 {_fmt(ev.points)} 分 × {_fmt(mult)} 倍 = {_fmt(abs(points))} 分）"
    if ev.evidence:
        detail += f"；依据：{ev.evidence}"
    if ev.entered_by:
        detail += f"；录入：{ev.entered_by}"
    return Line(event_kind(ev), label, ev.reason, points, detail, ref=f"E{ev.id}")


def _party_line(pc: PartyConductRow) -> Line:
    detail = f"扣 {_fmt(pc.points)} 分" if pc.counted else f"不扣分：{pc.why_free}"
    return Line("party_conduct", "党风廉政建设", pc.reason, party_points(pc), detail, ref=pc.ref)


class Breakdown:
    """What a round was scored from, kept to build a unit's lines when they are read."""

    def __init__(self, indicators: list[IndicatorSpec], results: list[ResultRow],
                 positions: dict[int, tuple[dict[int, int], int]], elapsed: float,
                 params: Params, public_weight: float, ratings: dict[int, float],
                 events: dict[int, list[EventRow]], party: dict[int, list[PartyConductRow]]):
        """``positions``: rank indicator → (unit → place, units placed); ``events`` and
        ``party``: unit → what counts in the round, in the breakdown's order."""
        self.indicators, self.results, self.positions = indicators, results, positions
        self.elapsed, self.params, self.public_weight = elapsed, params, public_weight
        self.ratings, self.events, self.party = ratings, events, party
        self._by_unit: dict[int, dict[int, ResultRow]] | None = None

    def _rows_of(self, unit_id: int) -> dict[int, ResultRow]:
        if self._by_unit is None:  # once, on the first unit shown (an index of the round)
            by_unit: dict[int, dict[int, ResultRow]] = {}
            for row in self.results:
                by_unit.setdefault(row.unit_id, {})[row.indicator_id] = row
            self._by_unit = by_unit
        return self._by_unit.get(unit_id, {})

    def lines(self, unit_id: int) -> list[Line]:
        rows = self._rows_of(unit_id)
        out = []
        for spec in self.indicators:
            row = rows.get(spec.id)
            if spec.method == "rank":
                places, n = self.positions[spec.id]
                out.append(_rank_line(spec, row, places.get(unit_id), n))
            elif spec.method == "grade":
                out.append(_grade_line(spec, row))
            else:
                out.append(_ratio_line(spec, row, self.elapsed, self.params))
        if self.public_weight:
            out.append(_public_line(self.ratings.get(unit_id), self.public_weight))
        out += [_event_line(ev, self.params) for ev in self.events.get(unit_id, ())]
        out += [_party_line(pc) for pc in self.party.get(unit_id, ())]
        return out
