"""Signed values checked or made once per process: the session cookie, the CSRF token.

Every request of a signed-in user checks its session cookie (an HMAC over the payload,
then tagged-JSON decoding: 8 % of the CPU of a page the worker keeps) and every page
signs the session's CSRF token anew (4 %). A cookie comes back byte for byte unchanged
for up to half a minute (:mod:`kaohe.auth.sessions` rewrites it at most twice a
minute), and a session's token never changes, so each is checked or signed once and
kept, keyed by the very bytes and the secret keys, at most :data:`SIZE` of each.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

SIZE = 4096
# Values a kept payload may hold: immutable, so the sessions made from it share nothing
# a request could change (a list of flashed messages is appended to in place).
_PLAIN = (str, int, float, bool, type(None))


def _keep(store: dict, key, value) -> None:
    """``store[key] = value``, the oldest entry dropped first when full (threads of a
    worker may race on the same entry: losing one costs a check, nothing more)."""
    while len(store) >= SIZE:
        try:
            del store[next(iter(store))]
        except (KeyError, StopIteration, RuntimeError):
            break
    store[key] = value


class CheckedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, each cookie's signature checked once per process.

    The same rules as Flask's: a bad signature or a cookie older than
    ``PERMANENT_SESSION_LIFETIME`` opens an empty session (the age is checked again on
    every request, against the time the cookie was signed)."""

    def __init__(self) -> None:
        self._checked: dict[tuple, tuple[dict, float]] = {}

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()), value)
        checked = self._checked.get(key)
        if checked is None:
            try:
                data, signed_at = self.get_signing_serializer(app).loads(
                    value, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            checked = (data, signed_at.timestamp())
            if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
                _keep(self._checked, key, checked)
        data, signed_at = checked
        age = time.time() - signed_at
        if age < 0 or age > app.permanent_session_lifetime.total_seconds():
            return self.session_class()  # as itsdangerous' max_age refuses it
        return self.session_class(data)  # a copy: the kept payload is never changed


_tokens: dict[tuple, str] = {}


def csrf_token() -> str:
    """:func:`flask_wtf.csrf.generate_csrf`, signed once per session's token.

    Only while tokens do not expire (``WTF_CSRF_TIME_LIMIT = None``, :mod:`kaohe.config`):
    the signature's timestamp is then never read, so one signed copy serves every page."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(field)
    signed = _tokens.get((secret, raw)) if isinstance(raw, str) else None
    if signed is not None:
        setattr(g, field, signed)  # where generate_csrf and the forms look first
        return signed
    signed = generate_csrf()
    _keep(_tokens, (secret, session[field]), signed)
    return signed


def init_app(app: Flask) -> None:
    app.session_interface = CheckedCookieSessions()
    # Templates' csrf_token() (Flask-WTF sets it to generate_csrf).
    app.jinja_env.globals["csrf_token"] = csrf_token
