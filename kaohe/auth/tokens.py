"""API tokens: named, shown once, stored as SHA-256, expiring, listed and revoked.

A token answers until ``expires_at`` (at most ``security.api_token_days`` after its
creation), until it is revoked (by its owner, the admin, the CLI, a password change or
the admin's 「结束会话」) and while its user is active. Creation and revocation are ORM
writes, hence audited; the time of last use is written at most once a minute per token,
as a plain UPDATE outside the audit (it is not a change anyone made).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from kaohe.audit.services import write_connection
from kaohe.auth.models import ApiToken, User
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.settings import services as settings

PREFIX = "kh_"
MAX_NAME = 64
# Active tokens one user may hold: enough for every integration, bounded for a leak.
MAX_ACTIVE = 20
TOUCH_EVERY = timedelta(minutes=1)

# revoked_reason → label shown in the lists.
REASONS = {
    "owner": "本人撤销",
    "admin": "管理员撤销",
    "cli": "命令行撤销",
    "password": "修改密码后自动撤销",
    "sessions": "结束会话时撤销",
}


STATUS_LABELS = {"active": "有效", "expired": "已过期", "revoked": "已撤销"}


def max_days() -> int:
    """The longest lifetime a new token may have, and its default (a setting)."""
    return int(settings.get("security.api_token_days"))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status(row: ApiToken, now: datetime | None = None) -> str:
    """"revoked", "expired" or "active"."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def _active(now: datetime):
    return (ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)


def create(user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: (its row, the token, to be shown once)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写令牌名称（用途），例如“人事系统对接”。", "name")
    if len(name) > MAX_NAME:
        raise ValidationFailed(f"令牌名称不能超过 {MAX_NAME} 个字。", "name")
    longest = max_days()
    days = longest if days is None else days
    if not 1 <= days <= longest:
        raise ValidationFailed(f"有效期应为 1 到 {longest} 天。", "days")
    now = utcnow()
    active = db.session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, *_active(now)))
    if active >= MAX_ACTIVE:
        raise ValidationFailed(f"有效令牌已达 {MAX_ACTIVE} 个，请先撤销不再使用的令牌。", "name")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=digest(token), name=name, created_at=now,
                   expires_at=now + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    return row, token


def user_for_token(token: str) -> User | None:
    """The active user of a valid token (not expired, not revoked), else None."""
    now = utcnow()
    row = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user)).where(
        ApiToken.token_hash == digest(token), *_active(now)))
    if row is None or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        _touch(row.id, now)
    return row.user


def _touch(token_id: int, now: datetime) -> None:
    """Record the use, committed at once: this runs while the request authenticates,
    before it has done anything, and at most once a minute per token."""
    write_connection().execute(
        update(ApiToken.__table__).where(ApiToken.__table__.c.id == token_id)
        .values(last_used_at=now))
    db.session.commit()


def tokens_of(user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                   .order_by(ApiToken.id.desc())))


def all_tokens(include_inactive: bool = False, limit: int = 500) -> list[ApiToken]:
    """Every user's tokens for the admin, newest first; by default only the active ones."""
    stmt = select(ApiToken).options(joinedload(ApiToken.user))
    if not include_inactive:
        stmt = stmt.where(*_active(utcnow()))
    return list(db.session.scalars(stmt.order_by(ApiToken.id.desc()).limit(limit)))


def revoke(row: ApiToken, reason: str) -> bool:
    """Revoke one token; False when it was already revoked (nothing written)."""
    if reason not in REASONS:
        raise ValueError(reason)
    if row.revoked_at is not None:
        return False
    row.revoked_at, row.revoked_reason = utcnow(), reason
    db.session.flush()
    return True


def revoke_all(user: User, reason: str) -> int:
    """Revoke every unrevoked token of ``user`` (expired ones too: nothing is left to
    lengthen); returns how many."""
    rows = db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    return sum(revoke(row, reason) for row in rows)


def token_of(user_id: int, token_id: int) -> ApiToken | None:
    """The token ``token_id`` if it belongs to ``user_id`` (else None: another's)."""
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                    ApiToken.user_id == user_id))


def active_count(user_ids: list[int]) -> dict[int, int]:
    """Active tokens per user (one query), for the user list."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(ApiToken.user_id, func.count(ApiToken.id)).where(
        ApiToken.user_id.in_(user_ids), *_active(utcnow())).group_by(ApiToken.user_id))
    return dict(rows.all())

