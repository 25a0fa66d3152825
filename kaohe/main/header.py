"""The page header of a signed-in user, rendered once per user and to-do count (issue 17).

Every page repeats it: about fifteen links, each a URL build and a permission check, a
fifth of the time of a page served from what the worker keeps (the profile). Its HTML
depends on nothing but :func:`_key`'s values, so it is kept per process (least recently
used dropped) and this session's CSRF token, which the logout form carries, is put in
per request."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from kaohe.core.signed import csrf_token
from kaohe.todos import registry

# Escaped text never holds "<": the marker cannot come from a user's name.
_MARK = Markup("<kaohe-header-csrf>")


def header_nav() -> Markup:
    """The navigation and the user's links of the page header ('' when signed out)."""
    if not current_user.is_authenticated:
        return Markup("")
    return Markup(_render(*_key()).replace(_MARK, csrf_token()))


def _key() -> tuple:
    """Everything the header shows or links with (the app: its URL rules; several apps
    share this process in tests and tools)."""
    user = current_user
    return (id(current_app._get_current_object()), user.id, user.name, user.role.name,
            user.role.label, frozenset(user.role.permissions or ()), registry.nav_count(user),
            request.script_root)


@lru_cache(maxsize=512)
def _render(_app, _user_id, name, _role, role_label, _permissions, todo_n, _root) -> str:
    return render_template("_header_nav.html", name=name, role_label=role_label,
                           todo_n=todo_n, csrf_token=lambda: _MARK)
