# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Audited, utcnow
from kaohe.extensions import db


class Dossier(Audited, db.Model):
    """A generated three-year evaluation dossier: the snapshot it was rendered from,
    the PDF, its SHA-256 and who made it. Rows are never changed after creation."""

    __audit_exclude__ = ("pdf", "snapshot")

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 材料编号
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    snapshot: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    created_by: Mapped[User | None] = relationship()
