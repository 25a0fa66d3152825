"""``GET /api/v1/rankings``: the ranking of a round with every unit's itemised breakdown.

Parameters: ``year`` (default: the latest year with a published scheme), ``round``
(half | q3 | full, default full), ``group`` (unit kind; default: every group).

As on the ranking page, a unit whose data in the round is incomplete has ``complete``
false, no rank, score or grade (``grade_label`` 数据未录齐), no flags, and lists its
``missing_indicators``; each ranking carries its ``completeness`` and whether it may be
published (``publishable``, with ``refusal`` saying why not).
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import func, select

from kaohe.core import clock
from kaohe.auth.permissions import P, guard
from kaohe.extensions import csrf, db
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import GROUPS, Scheme
from kaohe.unitassess.publication import responsible_department
from kaohe.unitassess.services.data import RoundRanking, load_round
from kaohe.unitassess.services.ranking import RankRow

api_bp = guard(Blueprint("unitassess_api", __name__, url_prefix="/api/v1"),
               read=P.UNITASSESS_READ)
csrf.exempt(api_bp)

TIE_BREAK_RULE = ["total desc", "indicator+public points desc", "deductions asc",
                  "unit code asc", "unit id asc"]


def row_dict(rr: RoundRanking, row: RankRow) -> dict:
    unit = rr.units[row.unit_id]
    s = row.score
    return {
        "rank": row.rank, "unit_id": unit.id, "unit_code": unit.code, "unit_name": unit.name,
        "complete": row.complete, "missing_indicators": list(row.missing),
        "score": s.total if row.complete else None, "indicator_points": s.indicator_points,
        "public_points": s.public_points, "bonus": s.bonus, "deduction": s.deduction,
        "grade": row.grade or None, "grade_label": row.grade_label,
        "grade_note": row.grade_note,
        "eligible_top": s.eligible_top, "ineligible_reasons": s.ineligible_reasons,
        "flags": row.flags, "lagging_indicators": s.lagging,
        "responsible_department": responsible_department(rr, row),
        "leader_in_charge": unit.leader_in_charge,
        "lines": [line.as_dict() for line in s.lines],
    }


def ranking_dict(rr: RoundRanking) -> dict:
    s = rr.scheme
    return {"scheme_id": s.id, "scheme_name": s.name, "year": s.year, "group": s.group,
            "group_label": s.group_label, "round": rr.round, "round_label": rr.round_label,
            "public_weight": float(s.public_weight), "size": rr.size,
            "completeness": completeness_dict(rr), "publishable": rr.refusal is None,
            "refusal": rr.refusal,
            "tie_break": TIE_BREAK_RULE, "items": [row_dict(rr, r) for r in rr.rows]}


def completeness_dict(rr: RoundRanking) -> dict:
    c = rr.completeness
    return {"units": c.units, "indicators": c.indicators, "entered": c.entered,
            "expected": c.expected, "complete": c.complete, "text": c.text}


@api_bp.get("/rankings")
def rankings():
    raw_year = request.args.get("year", "")
    if raw_year == "":  # default: the latest year with a published scheme
        latest = db.session.scalar(select(func.max(Scheme.year))
                                   .where(Scheme.status == "published"))
        raw_year = str(latest or clock.today().year)
    if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
        abort(400, description="参数 year 应为四位年度，例如 year=2023。")
    round_ = request.args.get("round", "") or "full"
    if round_ not in ROUNDS:
        abort(400, description="参数 round 应为 half、q3 或 full。")
    group = request.args.get("group", "")
    if group and group not in GROUPS:
        abort(400, description=f"参数 group 应为 {'、'.join(GROUPS)} 之一。")
    stmt = select(Scheme).where(Scheme.year == int(raw_year), Scheme.status == "published")
    if group:
        stmt = stmt.where(Scheme.group == group)
    schemes = db.session.scalars(stmt.order_by(Scheme.group)).all()
    if not schemes:
        abort(404, description=f"{raw_year} 年没有已发布的考核方案"
                               + (f"（{GROUPS[group]}）。" if group else "。"))
    return jsonify({"year": int(raw_year), "round": round_,
                    "rankings": [ranking_dict(load_round(s, round_)) for s in schemes]})
