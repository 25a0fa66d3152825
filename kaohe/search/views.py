"""Saved searches of the officials list: save the current search, delete one."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from kaohe.assessments.window import assessment_window
from kaohe.auth.permissions import P, guard
from kaohe.core import clock
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.search import saved
from kaohe.search.forms import SavedSearchForm

bp = guard(Blueprint("saved_search", __name__, url_prefix="/officials/searches"),
           read=P.OFFICIALS_READ)


@bp.app_context_processor
def search_helpers() -> dict:
    """For the officials list: the user's saved searches and the window's length."""
    return {"saved_searches": lambda: saved.of_user(current_user.id),
            "window_years": lambda: len(assessment_window(clock.today()).years)}


@bp.post("/")
def create():
    """Save the search in ``query`` under ``name``."""
    form = SavedSearchForm()
    query = saved.clean_query(request.form.get("query", ""))
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("officials.index") + (f"?{query}" if query else ""))
    try:
        kept = saved.save(current_user.id, form.name.data, form.query.data or "")
    except ValidationFailed as exc:
        db.session.rollback()
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("officials.index") + (f"?{query}" if query else ""))
    db.session.commit()
    flash(f"已保存查询「{kept.name}」。", "success")
    return redirect(url_for("officials.index") + (f"?{kept.query}" if kept.query else ""))


@bp.post("/<int:search_id>/delete")
def delete(search_id: int):
    """Delete one of the user's saved searches."""
    if not saved.delete(current_user.id, search_id):
        abort(404)
    db.session.commit()
    flash("已删除保存的查询。", "info")
    return redirect(url_for("officials.index"))
