"""The profile page's body, kept between views while nothing it shows changes.

The body (facts, posts, the LRMX sheet, the discipline summary, every year's results,
reviews and notes) costs a dozen statements and most of the page's rendering; under
load the profile page served a thirtieth of a bare Flask app's requests (issue 17). Each
body is kept with the audit position it was rendered at and shown again while the audit
log shows no write to a table of :data:`TABLES` (:mod:`kaohe.audit.kept` says why that
is exact), per official, day (periods, probation and opinion validity are read on the
date), the viewer's permissions (the buttons and sections shown) and URL root.

What belongs to the viewer's session, the CSRF token of the body's forms, is never kept:
the body is rendered with a marker in its place, put in per request.
"""
from __future__ import annotations

from typing import Callable

from flask import current_app, g, request
from flask_login import current_user
from markupsafe import Markup

from kaohe.audit.kept import Kept, position
from kaohe.core import clock
from kaohe.core.signed import csrf_token

# Every table the body reads (tests/test_profile_kept.py checks its statements).
TABLES = frozenset({
    "official", "post", "unit", "appointment_sheet", "assessment_result", "review",
    "org_note", "user", "discipline_finding", "tolerance_exemption", "integrity_opinion",
    "setting"})
SIZE = 2000  # bodies (some 15 KB each: 30 MB at most per worker)

# Escaped text never holds "<": the marker cannot come from a record.
_MARK = Markup("<kaohe-csrf-token>")

_kept = Kept(TABLES, SIZE)


def _without_token(render: Callable[[], object]):
    """``render()`` with the marker as this request's CSRF token (Flask-WTF keeps the
    signed token on ``g`` under the field name; the real one is made afresh later)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    had, saved = field in g, g.get(field)
    setattr(g, field, _MARK)
    try:
        return render()
    finally:
        if had:
            setattr(g, field, saved)
        else:
            g.pop(field, None)


def body(official_id: int, render: Callable[[], tuple[str, str] | None]):
    """``(name, body)`` of the official's profile, or None (no such official):
    ``render()``'s value, kept while exact, with this session's CSRF token put in.
    ``render`` must read only tables of :data:`TABLES`."""
    now = position()  # before any data: a write committed meanwhile is newer
    key = (official_id, clock.today(), tuple(sorted(current_user.role.permissions or ())),
           request.script_root)
    kept = _kept.get(key, lambda: _without_token(render), now)
    if kept is None:
        return None
    name, html = kept
    if _MARK in html:
        html = html.replace(_MARK, csrf_token())
    return name, Markup(html)


def clear() -> None:
    """Forget every kept body."""
    _kept.clear()
