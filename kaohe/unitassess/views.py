"""Read pages: schemes, rankings, breakdowns, progress, interviews list."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, make_response, render_template, request
from sqlalchemy import select

from kaohe.core import clock
from kaohe.auth.permissions import P, guard, is_recused
from kaohe.extensions import db
from kaohe.unitassess import ROUND_ELAPSED, ROUNDS
from kaohe.unitassess.models import GROUPS, EVENT_KINDS, Scheme, ScoreEvent
from kaohe.unitassess.services import data, figures
from kaohe.unitassess.services.scheme import category_totals, fmt, weight_error
from kaohe.units.models import Unit

bp = guard(Blueprint("unitassess", __name__, url_prefix="/unit-assessment"),
           read=P.UNITASSESS_READ)


@bp.app_template_filter("pts")
def _pts(value) -> str:
    return "—" if value is None else fmt(round(float(value), 2))


@bp.context_processor
def _rounds():
    return {"ROUNDS": ROUNDS}


def scheme_or_404(scheme_id: int) -> Scheme:
    return db.get_or_404(Scheme, scheme_id)


def unit_in_scheme_or_404(s: Scheme, unit_id: int) -> Unit:
    """A unit of the scheme's group (区县, 市直部门 or 园区); any other unit is not found here."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.kind != s.group:
        abort(404)
    return unit


def leader_unless_recused(unit_id: int, on: dt.date):
    """The unit's principal leader on ``on``, or None: to a user who must recuse themselves
    from that official (回避), a unit page does not name them."""
    leader = data.principal_leader(unit_id, on)
    return None if leader is None or is_recused(leader.id) else leader


def interviews_unless_recused(interviews: list) -> list:
    """Interviews (约谈) are records of the official interviewed: none of a recused one."""
    return [iv for iv in interviews if iv.official_id is None or not is_recused(iv.official_id)]


def round_or_404(round_: str) -> str:
    if round_ not in ROUNDS:
        abort(404)
    return round_


def publishable_round(scheme_id: int, round_: str) -> data.RoundRanking:
    """A round to publish (公示: page, PDF, Excel). An incomplete round is refused (409)
    with the list of what is missing: nothing incomplete is ever published."""
    s = scheme_or_404(scheme_id)
    rr = data.load_round(s, round_or_404(round_))
    if rr.refusal:
        abort(make_response(render_template("unitassess/publication_refused.html", scheme=s,
                                            rr=rr), 409))
    return rr


@bp.route("/")
def index():
    schemes = db.session.scalars(select(Scheme).order_by(Scheme.year.desc(), Scheme.group)).all()
    return render_template("unitassess/index.html", schemes=schemes, groups=GROUPS)


@bp.route("/schemes/<int:scheme_id>")
def scheme(scheme_id: int):
    s = scheme_or_404(scheme_id)
    rounds = {r: data.round_completeness(s, r) for r in ROUNDS} if s.is_published else {}
    return render_template("unitassess/scheme.html", scheme=s, cats=category_totals(s),
                           weight_problem=weight_error(s), rounds=rounds,
                           figures=figures.table(s))


@bp.route("/schemes/<int:scheme_id>/<round_>/ranking")
def ranking(scheme_id: int, round_: str):
    s = scheme_or_404(scheme_id)
    rr = data.load_round(s, round_or_404(round_))
    return render_template("unitassess/ranking.html", scheme=s, rr=rr)


@bp.route("/schemes/<int:scheme_id>/<round_>/units/<int:unit_id>")
def breakdown(scheme_id: int, round_: str, unit_id: int):
    s = scheme_or_404(scheme_id)
    rr = data.load_round(s, round_or_404(round_))
    row = rr.row_for(unit_id)
    if row is None:
        abort(404)
    unit = rr.units[unit_id]
    leader = leader_unless_recused(unit_id, min(clock.today(),
                                                data.scoring.round_end(s.year, round_)))
    return render_template("unitassess/breakdown.html", scheme=s, rr=rr, row=row, unit=unit,
                           leader=leader,
                           interviews=interviews_unless_recused(rr.interviews.get(unit_id, [])))


@bp.route("/schemes/<int:scheme_id>/<round_>/progress")
def progress(scheme_id: int, round_: str):
    s = scheme_or_404(scheme_id)
    rr = data.load_round(s, round_or_404(round_))
    today = clock.today()
    year_elapsed = None
    if today.year == s.year:
        start = dt.date(s.year, 1, 1)
        year_elapsed = ((today - start).days + 1) / ((dt.date(s.year, 12, 31) - start).days + 1)
    rows = sorted(rr.rows, key=lambda r: (-len(r.score.lagging), r.rank is None, r.rank or 0))
    return render_template("unitassess/progress.html", scheme=s, rr=rr, rows=rows,
                           elapsed=ROUND_ELAPSED[round_], year_elapsed=year_elapsed,
                           lag_ratio=figures.params(figures.of(s)).lag_ratio)


@bp.route("/schemes/<int:scheme_id>/events")
def events(scheme_id: int):
    s = scheme_or_404(scheme_id)
    kind = request.args.get("kind", "")
    stmt = select(ScoreEvent).where(ScoreEvent.scheme_id == s.id)
    if kind in EVENT_KINDS:
        stmt = stmt.where(ScoreEvent.kind == kind)
    items = db.session.scalars(stmt.order_by(ScoreEvent.date, ScoreEvent.id)).all()
    return render_template("unitassess/events.html", scheme=s, items=items, kind=kind,
                           kinds=EVENT_KINDS)


@bp.route("/units/<int:unit_id>")
def unit_history(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    history = []
    for s in data.schemes_for_group(unit.kind):
        for r in data.rounds_with_data(s):
            row = data.load_round(s, r).row_for(unit_id)
            if row is not None:
                history.append((s, r, row))
    return render_template("unitassess/unit_history.html", unit=unit, history=history,
                           rounds=ROUNDS)
