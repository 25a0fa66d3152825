"""The to-do list on the home page and in the navigation, ``GET /api/v1/todos``, and the
user's opt-in to the e-mail digest."""
from __future__ import annotations

from collections import Counter

from flask import (Blueprint, abort, flash, jsonify, make_response, redirect, render_template,
                   request, url_for)
from flask_login import current_user, login_required

from kaohe.api.openapi import documented
from kaohe.core import clock
from kaohe.core.crud import run_form
from kaohe.core.limits import query_int
from kaohe.extensions import csrf, login_manager
from kaohe.interop.excel_export import XLSX_MIME, download_response
from kaohe.stats import roster
from kaohe.todos import digest, grouping, registry
from kaohe.todos.forms import DigestForm, TodosQuery
from kaohe.todos.paging import Page

bp = Blueprint("todos", __name__)
api_bp = Blueprint("todos_api", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)
PER_PAGE = 50


@bp.app_template_global()
def my_todos():
    """The signed-in user's to-dos (computed once per request)."""
    return registry.for_request(current_user) if current_user.is_authenticated else []


@bp.app_template_global()
def todo_count() -> int:
    """The signed-in user's number of to-dos (the navigation badge)."""
    return registry.nav_count(current_user) if current_user.is_authenticated else 0


@bp.app_template_global()
def todo_kinds() -> tuple[str, ...]:
    """The kinds of to-do the signed-in user's role gets."""
    return registry.kinds_for(current_user) if current_user.is_authenticated else ()


@bp.app_template_global()
def todo_label(kind: str) -> str:
    return registry.label(kind)


@api_bp.before_request
def _signed_in():
    if not current_user.is_authenticated:
        abort(make_response(login_manager.unauthorized()))


@api_bp.get("/todos")
@documented(query=TodosQuery, tags=["todos"])
def todos():
    """The caller's to-dos, most urgent first (kind, title, due, url, ids, urgency).

    Without ``kind``: the home page's list, where a kind about single officials with
    many reminders is one item per unit (``ids``: ``unit_id``, ``count``). With
    ``kind`` (and optionally ``unit_id``, 0 for no unit): every to-do of that kind, one
    per official, paged by ``page`` and ``per_page`` (at most 500)."""
    kinds = registry.kinds_for(current_user)
    body = {"kinds": {k: registry.label(k) for k in kinds}}
    kind = request.args.get("kind")
    if kind is None:
        items = registry.for_request(current_user)
        return jsonify({"items": [t.as_dict() for t in items], "total": len(items), **body})
    if kind not in kinds:
        abort(400, description=f"参数 kind 应为您的待办类别之一：{'、'.join(kinds) or '无'}。")
    unit_id = query_int("unit_id", None, low=0)
    page = Page.of(registry.members(current_user, kind, unit_id),
                   query_int("page", 1, low=1), query_int("per_page", 50, low=1, high=500))
    return jsonify({"items": [t.as_dict() for t in page.items], "total": page.total,
                    "page": page.page, "per_page": page.per_page, "pages": page.pages, **body})


def _grouped_kind_of_user(kind: str) -> None:
    """404 for a kind without such a list, 403 for one the user's role does not get."""
    if kind not in grouping.GROUPED_KINDS:
        abort(404)
    if kind not in registry.kinds_for(current_user):
        abort(403)


def _names_or_404(unit_ids: list[int], unit_id: int | None) -> dict[int, str]:
    """The names of ``unit_ids`` and of the unit asked for, which must exist."""
    names = grouping.unit_names([*unit_ids, unit_id or 0])
    if unit_id is not None and unit_id not in names:
        abort(404)
    return names


@bp.get("/todos/<kind>")
@login_required
def kind_list(kind: str):
    """Every reminder of a kind about single officials (到龄, 任现职满年限…), paged, for
    one unit (``unit_id``; 0: officials with no unit) or all with a count per unit."""
    _grouped_kind_of_user(kind)
    unit_id = query_int("unit_id", None, low=0)
    items = registry.members(current_user, kind, unit_id)
    page = Page.of(items, query_int("page", 1, low=1), PER_PAGE)
    per_unit = Counter(t.unit_id or 0 for t in items).most_common()
    names = _names_or_404([u for u, _n in per_unit], unit_id)
    return render_template("todos/kind_list.html", kind=kind, label=registry.label(kind),
                           phrase=grouping.phrase(kind), unit_id=unit_id, page=page,
                           per_unit=per_unit if unit_id is None else [], names=names)


@bp.get("/todos/<kind>/export")
@login_required
def kind_export(kind: str):
    """The list of :func:`kind_list` (every page) as an Excel workbook, for the unit's
    paperwork (到龄、任职年限名单)."""
    _grouped_kind_of_user(kind)
    unit_id = query_int("unit_id", None, low=0)
    items = registry.members(current_user, kind, unit_id)
    names = _names_or_404([t.unit_id or 0 for t in items], unit_id)
    scope = "全部单位" if unit_id is None else names[unit_id]
    title = f"{registry.label(kind)}名单（{scope}，{clock.today().isoformat()}）"
    body = ([t.urgency_label, names[t.unit_id or 0], t.title,
             t.due.isoformat() if t.due else "", "；".join(t.details)] for t in items)
    data = roster.workbook(["紧急程度", "单位", "事项", "期限", "说明"], body, title)
    return download_response(data, f"{registry.label(kind)}名单_{scope}.xlsx", XLSX_MIME)


@bp.route("/account/digest", methods=["GET", "POST"])
@login_required
def digest_settings():
    """Opt in to (or out of) the daily e-mail digest of one's to-dos."""
    row = digest.subscription(current_user)
    form = DigestForm(obj=row)
    if request.method == "POST" and run_form(
            form, lambda: digest.subscribe(current_user, form.data_for_service()),
            record=row) is not None:
        flash("待办邮件提醒已开启。" if form.active.data else "待办邮件提醒已关闭。", "success")
        return redirect(url_for("todos.digest_settings"))
    return render_template("todos/digest.html", form=form, row=row, enabled=digest.enabled())
