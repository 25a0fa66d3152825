"""The to-do list on the home page and in the navigation, and ``GET /api/v1/todos``."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, make_response
from flask_login import current_user

from kaohe.api.openapi import documented
from kaohe.extensions import csrf, login_manager
from kaohe.todos import registry
from kaohe.todos.items import URGENCY

bp = Blueprint("todos", __name__)
api_bp = Blueprint("todos_api", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)


@bp.app_template_global()
def my_todos():
    """The signed-in user's to-dos (computed once per request)."""
    return registry.for_request(current_user) if current_user.is_authenticated else []


@bp.app_template_global()
def todo_kinds() -> tuple[str, ...]:
    """The kinds of to-do the signed-in user's role gets."""
    return registry.kinds_for(current_user) if current_user.is_authenticated else ()


@bp.app_template_global()
def todo_label(kind: str) -> str:
    return registry.label(kind)


@bp.app_context_processor
def _urgency():
    return {"TODO_URGENCY": URGENCY}


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
