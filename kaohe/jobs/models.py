"""The ``job`` table: the durable record of every background job.

Huey carries only the job's id; everything a user or another server needs (status,
progress, attempts, heartbeat, the uploaded file, the result) lives here, in the
application database, so any server can read it and a job whose worker died can be
found and run again. Operational rows, not records: not audited row by row (submitting
is recorded as an audit event).
"""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.core.models import utcnow
from kaohe.extensions import db

STATUSES = ("queued", "running", "done", "failed")
STATUS_LABELS = {"queued": "排队中", "running": "执行中", "done": "已完成", "failed": "失败"}


class Job(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # What the job is about, e.g. "discussion_bundle:12" (the feature looks its job up).
    ref: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Set for runs that must happen once across servers (a periodic task's slot).
    unique_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="queued", index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    error: Mapped[str] = mapped_column(Text, default="")  # Chinese, shown to the user
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    payload_blob: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    result: Mapped[dict | None] = mapped_column(JSON)
    result_blob: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    result_name: Mapped[str] = mapped_column(String(120), default="")  # download file name

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)
