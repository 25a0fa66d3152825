"""Session lifetime (login throttling: :mod:`kaohe.auth.throttle`).

Sessions are Flask's signed cookie holding Flask-Login's id, which is the user's
rotating ``session_token``: logout, a password change, disabling, a role change
and the admin's 「结束会话」 rotate it, ending every copy of the cookie. Here:
idle and absolute timeouts (settings). The lockout settings registered here are
applied by :mod:`kaohe.auth.throttle` (counters in the database, shared by every
worker and server).
"""
from __future__ import annotations

import time

from flask import Flask, flash, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select

from kaohe.audit.kept import Kept, position
from kaohe.extensions import db
from kaohe.settings import registry
from kaohe.settings.models import Setting
from kaohe.settings.registry import SettingDef

registry.register(
    SettingDef("security.idle_timeout_minutes", "会话空闲超时", 30, unit="分钟", min=1, max=24 * 60,
               help="超过该时间无操作须重新登录"),
    SettingDef("security.absolute_timeout_hours", "会话最长时间", 8, unit="小时", min=1, max=72,
               help="登录后超过该时间须重新登录"),
    SettingDef("security.lockout_account_failures", "同一账户连续登录失败上限", 5, unit="次",
               min=1, max=100),
    SettingDef("security.lockout_address_failures", "同一地址登录失败上限", 20, unit="次",
               min=1, max=10000),
    SettingDef("security.lockout_minutes", "登录锁定时长", 15, unit="分钟", min=1, max=24 * 60),
    SettingDef("security.api_token_days", "API 令牌有效期", 90, unit="天", min=1, max=3650,
               help="新建令牌的默认有效期，也是可选的最长有效期"),
)

LOGIN_AT = "_kaohe_login_at"
SEEN_AT = "_kaohe_seen_at"
_kept_limits = Kept(frozenset({Setting.__tablename__}), 1)


def start(user_id: int) -> None:
    """A fresh session at login: nothing from before it survives (no fixation)."""
    session.clear()
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session.permanent = False


def _limits() -> tuple[float, float]:
    """(idle, absolute) limits in seconds: read on every request of a session older than
    a minute, so kept while no setting is written (:mod:`kaohe.audit.kept`)."""
    return _kept_limits.get((), _read_limits, position())


def _read_limits() -> tuple[float, float]:
    keys = {"security.idle_timeout_minutes": 60, "security.absolute_timeout_hours": 3600}
    stored = dict(db.session.execute(select(Setting.key, Setting.value)
                                     .where(Setting.key.in_(list(keys)))).all())
    defs = registry.by_key()
    idle, absolute = (float(stored.get(k, defs[k].default)) * unit for k, unit in keys.items())
    return idle, absolute


# The smallest limits the settings allow: a session younger than both needs no look-up.
_MIN_IDLE, _MIN_ABSOLUTE = 60, 3600


def _expired() -> str | None:
    now = time.time()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, (int, float)) or not isinstance(seen_at, (int, float)):
        return "会话无效，请重新登录。"
    if now - seen_at < _MIN_IDLE and now - login_at < _MIN_ABSOLUTE:
        return None
    idle, absolute = _limits()
    if now - login_at > absolute:
        return "登录时间已超过上限，请重新登录。"
    if now - seen_at > idle:
        return "长时间未操作，会话已超时，请重新登录。"
    return None


def _check_session():
    if request.endpoint == "static" or not session.get("_user_id"):
        return None  # anonymous, or a Bearer token (no cookie session)
    if not current_user.is_authenticated:
        return None  # a stale token: Flask-Login already treats it as anonymous
    reason = _expired()
    if reason is None:
        now = int(time.time())
        if now - int(session.get(SEEN_AT, 0)) >= 30:  # rewrite the cookie at most twice a minute
            session[SEEN_AT] = now
        return None
    logout_user()
    session.clear()
    if request.path.startswith("/api/"):
        return jsonify({"error": reason, "status": 401}), 401
    flash(reason, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")
                            if request.method == "GET" else None))


def init_app(app: Flask) -> None:
    app.before_request(_check_session)
