"""A user's subscription to the daily e-mail digest of their to-dos (opt-in)."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.core.models import Audited, Versioned, utcnow
from kaohe.extensions import db


class TodoDigest(Versioned, Audited, db.Model):
    __tablename__ = "todo_digest"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sent_on: Mapped[dt.date | None] = mapped_column(Date)  # one digest a day at most
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
