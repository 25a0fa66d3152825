"""Shared model mixins: timestamps, soft deletion, audit marker."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Audited:
    """Marker: every insert/update/delete of this model is written to the audit log."""

    __audit_exclude__: tuple[str, ...] = ()


class SoftDelete(Audited):
    """Rows are never removed; ``deleted_at`` hides them from every ordinary query."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    def soft_delete(self) -> None:
        self.deleted_at = utcnow()


class Versioned:
    """Optimistic locking (:mod:`kaohe.core.locking`): every UPDATE of the row checks
    that ``version`` is still the one read and increments it, so a concurrent write
    fails with ``StaleDataError`` instead of being overwritten."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


class Recorded(Versioned, SoftDelete):
    """A record entered by a user, with creation time and author."""

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
