"""Administrator reminders: accounts nobody has used for a long time, and API tokens
about to expire (all users'). Both are read from the audit log and the token table."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import func, select

from kaohe.audit.models import AuditLog
from kaohe.auth.models import ApiToken, User
from kaohe.core.clock import to_local
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.todos import settings as cfg
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo, make


def idle_users(ctx: Ctx) -> list[Todo]:
    """Active accounts older than N days (setting) with no login or write in those days.

    The audit log is read only for the last N days (its time index), so the cost does
    not grow with its history."""
    days = cfg.value(cfg.IDLE_USER_DAYS)
    since = utcnow() - dt.timedelta(days=days)
    recent = select(AuditLog.actor_id).where(AuditLog.at >= since,
                                             AuditLog.actor_id.is_not(None)).distinct()
    users = db.session.scalars(select(User).where(
        User.active.is_(True), User.created_at < since, User.id.not_in(recent))
        .order_by(User.username)).all()
    if not users:
        return []
    last = dict(db.session.execute(
        select(AuditLog.actor_id, func.max(AuditLog.at))
        .where(AuditLog.actor_id.in_([u.id for u in users])).group_by(AuditLog.actor_id)).all())
    return [make("user_idle", f"账户 {u.username}（{u.name}，{u.role.label}）{days} 天以上未使用",
                 None, url_for("admin.edit_user", user_id=u.id), {"user_id": u.id}, ctx.today,
                 ["最近一次登录或操作：" + (to_local(last[u.id]).strftime("%Y-%m-%d")
                                   if u.id in last else "从未使用")
                  + "；请核实是否仍需要，不再使用的应停用"], urgency=3)
            for u in users]


def expiring_tokens(ctx: Ctx) -> list[Todo]:
    """Unrevoked API tokens expiring within N days (setting)."""
    now = utcnow()
    rows = db.session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
               ApiToken.expires_at <= now + dt.timedelta(days=cfg.value(cfg.TOKEN_DAYS)))
        .order_by(ApiToken.expires_at, ApiToken.id)).all()
    out = []
    for token, username in rows:
        expires = to_local(token.expires_at)
        named = f"（{token.name}）" if token.name else ""
        out.append(make("token_expiring",
                        f"{username} 的 API 令牌 {token.id} 号{named}"
                        f"将于 {expires:%Y-%m-%d %H:%M} 到期",
                        expires.date(), url_for("admin.edit_user", user_id=token.user_id),
                        {"user_id": token.user_id, "token_id": token.id}, ctx.today,
                        ["到期后使用该令牌的程序将无法访问；如仍需要，请由本人创建新令牌"]))
    return out
