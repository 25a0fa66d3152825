"""A round's scores: every unit's figures in one pass over the round's results (pure).

A ranking needs each unit's points per line kind, its total and its lagging indicators,
not the ~12 000 lines of a round's breakdown (200 units × 60 indicators): those are built
for a unit when they are read (:attr:`~kaohe.unitassess.services.scoring.UnitScore.lines`,
from the :class:`~kaohe.unitassess.services.scoring.Breakdown` kept here). Both follow
the same point rules of :mod:`~kaohe.unitassess.services.scoring`, so a unit's figures
are those its lines add up to (tests/test_unitassess_breakdown.py).
"""
from __future__ import annotations

from kaohe.unitassess import ROUND_ELAPSED
from kaohe.unitassess.services import scoring
from kaohe.unitassess.services.scoring import (Breakdown, EventRow, IndicatorSpec, Params,
                                               PartyConductRow, ResultRow, UnitScore)


def score_round(year: int, round_: str, unit_ids: list[int], indicators: list[IndicatorSpec],
                results: list[ResultRow], public_weight: float, ratings: dict[int, float],
                events: list[EventRow], party: list[PartyConductRow],
                params: Params) -> dict[int, UnitScore]:
    """Score every unit of ``unit_ids`` in ``round_``; ``results`` holds at most one row
    per unit and indicator (rows of other units or indicators are ignored)."""
    elapsed = ROUND_ELAPSED[round_]
    points, lagging, positions = _indicator_points(unit_ids, indicators, results, elapsed,
                                                   params.lag_ratio)
    end = scoring.round_end(year, round_)
    events_of: dict[int, list[EventRow]] = {}
    for ev in sorted(events, key=lambda e: (e.date, e.id)):
        if ev.unit_id in points and ev.date <= end:
            events_of.setdefault(ev.unit_id, []).append(ev)
    party_of: dict[int, list[PartyConductRow]] = {}
    for pc in party:
        if pc.unit_id in points and (pc.date is None or pc.date <= end):
            party_of.setdefault(pc.unit_id, []).append(pc)
    breakdown = Breakdown(indicators, results, positions, elapsed, params, public_weight,
                          ratings, events_of, party_of)
    scores = {}
    for u in unit_ids:
        sums = {"indicator": points[u], "public": 0.0, "bonus": 0.0, "deduction": 0.0,
                "party_conduct": 0.0}
        total = points[u] if indicators else 0  # 0 as sum() gives for a unit without lines
        if public_weight:
            rating = ratings.get(u)
            sums["public"] = 0.0 if rating is None else scoring.public_points(rating,
                                                                              public_weight)
            total += sums["public"]
        reasons = []
        for ev in events_of.get(u, ()):
            p = scoring.event_points(ev, params)[0]
            sums[scoring.event_kind(ev)] += p
            total += p
            if ev.kind == "provincial_deduction":
                reasons.append(f"{ev.date.isoformat()} 受省级扣分（{ev.reason}），取消评优资格")
        for pc in party_of.get(u, ()):
            p = scoring.party_points(pc)
            sums["party_conduct"] += p
            total += p
        lag = [s.name for s in indicators if s.id in lagging[u]] if u in lagging else []
        score = UnitScore.scored(u, breakdown, sums, total, lag)
        score.eligible_top, score.ineligible_reasons = not reasons, reasons
        scores[u] = score
    return scores


def _indicator_points(unit_ids, indicators, results, elapsed, lag_ratio):
    """(unit → indicator points, unit → lagging indicator ids, rank indicator → (unit →
    place, units placed)): one pass over the results, then the rank indicators' places."""
    specs = {s.id: s for s in indicators}
    points = dict.fromkeys(unit_ids, 0.0)
    lagging: dict[int, set[int]] = {}
    ranked: dict[int, dict[int, float]] = {s.id: {} for s in indicators if s.method == "rank"}
    grade_points = {s.id: {g: scoring.grade_points(s, g)[1] for g in s.grades}
                    for s in indicators if s.method == "grade"}
    ratio_points = scoring.ratio_points
    for u, i, target, actual, grade in results:
        spec = specs.get(i)
        if spec is None or u not in points:
            continue
        method = spec.method
        if method == "rank":
            if actual is not None:
                ranked[i][u] = actual
        elif method == "grade":
            if grade:  # a grade outside the map earns nothing
                points[u] += grade_points[i].get(grade, 0.0)
        elif actual is not None and target:  # else not entered: 0 points, not lagging
            r, p = ratio_points(spec, target, actual, elapsed)
            points[u] += p
            if r < lag_ratio:
                lagging.setdefault(u, set()).add(i)
    positions = {}
    for i, actuals in ranked.items():
        spec = specs[i]
        places = scoring.rank_positions(spec, actuals)
        n = len(places)
        positions[i] = (places, n)
        for u, place in places.items():
            points[u] += scoring.rank_points(spec, place, n)
    return points, lagging, positions
