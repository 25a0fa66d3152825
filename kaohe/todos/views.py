"""The to-do list on the home page and in the navigation, ``GET /api/v1/todos``, and the
user's opt-in to the e-mail digest."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, jsonify, make_response, redirect, render_template,
                   request, url_for)
from flask_login import current_user, login_required

from kaohe.api.openapi import documented
from kaohe.core.crud import run_form
from kaohe.extensions import csrf, login_manager
from kaohe.todos import digest, registry
from kaohe.todos.forms import DigestForm

bp = Blueprint("todos", __name__)
api_bp = Blueprint("todos_api", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)


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
@documented(tags=["todos"])
def todos():
    """The caller's to-dos, most urgent first (kind, title, due, url, ids, urgency)."""
    items = registry.for_request(current_user)
    return jsonify({"items": [t.as_dict() for t in items], "total": len(items),
                    "kinds": {k: registry.label(k) for k in registry.kinds_for(current_user)}})


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
