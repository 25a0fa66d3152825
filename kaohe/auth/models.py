"""Users, roles (permissions as data), API tokens and declared relatives (回避)."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.core.models import Audited, Versioned, utcnow
from kaohe.extensions import db
from kaohe.officials.models import Official


class Role(Audited, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str] = mapped_column(String(64))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)


class User(UserMixin, Versioned, Audited, db.Model):
    __audit_exclude__ = ("password_hash", "session_token")

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Flask-Login's id: rotating it ends every session of the user, copied cookies too.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    # The official this user is, if any: used for recusal (回避).
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id", use_alter=True))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    role: Mapped[Role] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(32)

    def has_permission(self, permission: str) -> bool:
        return permission in (self.role.permissions or ())

    @property
    def name(self) -> str:
        return self.display_name or self.username


class ApiToken(Audited, db.Model):
    """An API token: only its SHA-256 is stored; it stops working at ``expires_at`` or
    once revoked (``revoked_reason`` says why: :data:`kaohe.auth.tokens.REASONS`)."""

    # last_used_at moves with use (at most once a minute): not an audited change.
    __audit_exclude__ = ("token_hash", "last_used_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship()


class UserRelative(Audited, db.Model):
    """An official declared by the admin as a relative of a user (回避): the user never
    sees that official's records. For users who are not in the officials table (their
    own record's declared family covers the others), or relatives it does not name."""

    __table_args__ = (UniqueConstraint("user_id", "official_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    relation: Mapped[str] = mapped_column(String(16))  # 称谓: 配偶, 子女 …
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()
    official: Mapped[Official] = relationship()
