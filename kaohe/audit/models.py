# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.core.models import utcnow
from kaohe.extensions import db


class AuditLog(db.Model):
    """One write or security event: who, when (UTC), what, before and after.

    Append-only and hash-chained (:mod:`kaohe.audit.chain`): rows are inserted only
    through :mod:`kaohe.audit.pending` at commit; the ORM refuses to update or delete them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(db.Model):
    """The single row (id 1) holding the last entry of the chain; locked to append."""

    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
@event.listens_for(AuditLog, "before_insert")
def _append_only(_mapper, _connection, _target):
    raise RuntimeError("audit_log is append-only: write through kaohe.audit.pending.collect")
