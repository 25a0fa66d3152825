"""干部队伍结构分析: the page, its Excel and PDF, and ``GET /api/v1/statistics``."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, jsonify, render_template, request

from kaohe.auth.permissions import P, guard, recused_official_ids
from kaohe.core import clock
from kaohe.core.errors import ValidationFailed
from kaohe.core.limits import bounded_int
from kaohe.extensions import csrf
from kaohe.interop.excel_export import XLSX_MIME, download_response
from kaohe.stats import export, queries, svg
from kaohe.stats.report import report
from kaohe.stats.forms import SCOPES, StatsForm, check_day
from kaohe.stats.rules import team_ranks
from kaohe.units import services as units

bp = guard(Blueprint("stats", __name__, url_prefix="/stats"), read=P.STATS_READ)
api_bp = guard(Blueprint("stats_api", __name__, url_prefix="/api/v1"), read=P.STATS_READ)
csrf.exempt(api_bp)


def scope_label(form_scope: str, unit_id: int | None) -> str:
    if form_scope == "city" or unit_id is None:
        return SCOPES["city"]
    return f"{units.get_unit(unit_id).name} · {SCOPES[form_scope]}"


def _from_form() -> tuple[StatsForm, queries.Scope | None, object]:
    form = StatsForm(request.args)
    valid = form.validate() if request.args else True
    day = form.as_of.data if valid and form.as_of.data else clock.today()
    if not valid:
        return form, None, day
    unit_id = form.unit_id.data if form.scope.data in ("unit", "team") else None
    if unit_id is not None:
        try:
            units.get_unit(unit_id)
        except ValidationFailed as exc:
            form.unit_id.errors = list(exc.errors.values())
            return form, None, day
    return form, queries.Scope(unit_id=unit_id, team=form.scope.data == "team",
                               exclude_ids=recused_official_ids(), team_ranks=team_ranks()), day


@bp.get("/")
def index():
    """The report page with SVG charts."""
    form, scope, day = _from_form()
    if scope is None:
        return render_template("stats/index.html", form=form, fig=None), 400
    fig, teams = report(scope, day)
    charts = [(title, svg.bars(title, rows)) for title, rows in export.sections(fig)
              if not title.endswith("年度考核等次")]
    label = scope_label(form.scope.data, scope.unit_id)
    return render_template("stats/index.html", form=form, fig=fig, teams=teams, charts=charts,
                           grades_chart=svg.stacked("近年年度考核等次", fig["grades"]),
                           sections=export.sections(fig), label=label,
                           summary=export.summary_lines(fig, label),
                           recused=len(scope.exclude_ids), args=request.args.to_dict())


def _file(kind: str):
    form, scope, day = _from_form()
    if scope is None:
        abort(400, description="；".join(e for f in form for e in f.errors))
    fig, teams = report(scope, day)
    label = scope_label(form.scope.data, scope.unit_id)
    name = f"干部队伍结构分析_{day:%Y%m%d}"
    if kind == "xlsx":
        return download_response(export.workbook(fig, teams, label), name + ".xlsx", XLSX_MIME)
    data = export.pdf(fig, teams, label, clock.now_local().strftime("%Y-%m-%d %H:%M"))
    return download_response(data, name + ".pdf", "application/pdf")


@bp.get("/report.xlsx")
def workbook():
    """The report as Excel."""
    return _file("xlsx")


@bp.get("/report.pdf")
def pdf():
    """The report as a printable PDF."""
    return _file("pdf")


@api_bp.get("/statistics")
def api():
    """Team-structure figures of the city or a unit (``unit_id``, with sub-units; ``team=1``:
    its leadership team) on ``as_of`` (YYYY-MM-DD, default today)."""
    raw_unit, raw_day = request.args.get("unit_id", ""), request.args.get("as_of", "")
    unit_id = bounded_int(raw_unit) if raw_unit else None
    if raw_unit and unit_id is None:
        return jsonify(error="参数有误", fields={"unit_id": "单位编号应为正整数。"}), 400
    try:
        day = dt.date.fromisoformat(raw_day) if raw_day else clock.today()
        check_day(day)
    except ValueError as exc:
        reason = str(exc) if "统计日期" in str(exc) else "日期格式应为 YYYY-MM-DD。"
        return jsonify(error="参数有误", fields={"as_of": reason}), 400
    if unit_id is not None:
        try:
            units.get_unit(unit_id)
        except ValidationFailed:
            return jsonify(error="单位不存在"), 404
    scope = queries.Scope(unit_id=unit_id, team=request.args.get("team") == "1",
                          exclude_ids=recused_official_ids(), team_ranks=team_ranks())
    fig, teams = report(scope, day)
    return jsonify({**fig, "unit_id": unit_id, "team": scope.team, "teams_missing": teams})
