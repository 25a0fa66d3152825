"""花名册 pages: choose the columns of the current officials search, get Excel or PDF."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from kaohe.auth.permissions import P, can, guard, recused_official_ids
from kaohe.core import clock
from kaohe.extensions import db
from kaohe.interop.excel_export import XLSX_MIME, download_response
from kaohe.officials import services
from kaohe.officials.views import search_form_and_criteria
from kaohe.stats import roster

bp = guard(Blueprint("roster", __name__, url_prefix="/officials"), read=P.OFFICIALS_READ)


def _search_args() -> dict:
    return {k: v for k, v in request.args.items() if k not in ("col", "page") and v}


def _search():
    """The current search's (rows statement, number of officials), recusal applied."""
    _form, criteria = search_form_and_criteria()
    page_stmt, count_stmt = services.search_statements(criteria, recused_official_ids())
    return page_stmt, db.session.scalar(select(func.count()).select_from(count_stmt.subquery()))


def _page(total: int, error: str = "", status: int = 200):
    keys = roster.chosen(request.args.getlist("col")) or list(roster.DEFAULT)
    return render_template("stats/roster.html", labels=roster.LABELS, keys=keys,
                           args=_search_args(), error=error, total=total,
                           pdf_max=roster.PDF_MAX_ROWS, xlsx_max=roster.XLSX_MAX_ROWS), status


@bp.get("/roster")
def index():
    """Choose the roster's columns for the current search."""
    return _page(_search()[1])


def _file(kind: str):
    keys = roster.chosen(request.args.getlist("col"))
    page_stmt, total = _search()
    if not keys:
        return _page(total, "请至少选择一列。")  # the chooser again, as a form with errors
    limit = roster.PDF_MAX_ROWS if kind == "pdf" else roster.XLSX_MAX_ROWS
    if total > limit:
        return _page(total, f"查询结果有 {total} 人，超过{'打印' if kind == 'pdf' else '导出'}"
                            f"上限 {limit} 人，请缩小查询范围。", 400)
    day = clock.today()
    years = roster.window_years(day) if roster.GRADES_KEY in keys else ()
    head = roster.headers(keys, years)
    body = roster.rows(page_stmt, keys, roster.Context(day, can(P.ID_NUMBER_FULL)), years)
    title = "干部花名册"
    name = f"干部花名册_{day:%Y%m%d}"
    if kind == "xlsx":
        return download_response(roster.workbook(head, body, title), name + ".xlsx", XLSX_MIME)
    note = f"共 {total} 人。制表日期 {day.isoformat()}。内部资料，注意保密。"
    return download_response(roster.pdf(keys, head, body, title, note), name + ".pdf",
                             "application/pdf")


@bp.get("/roster.xlsx")
def workbook():
    """The roster as Excel."""
    return _file("xlsx")


@bp.get("/roster.pdf")
def pdf():
    """The roster as a printable PDF."""
    return _file("pdf")
