"""Records of the 考察材料: 民主推荐 results of an agenda item and the frozen final versions.

The system had no 民主推荐 record (the vote counts on assessment results are the
annual 民主测评; the committee's votes on an item are its decision), so a
recommendation is recorded on the agenda item it was held for.
"""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Audited, Recorded, utcnow
from kaohe.extensions import db

RECOMMENDATION_KINDS = {"meeting": "会议推荐", "talk": "谈话调研推荐"}
REPORT_KINDS = {"pdf": "PDF", "docx": "Word（DOCX）"}
MIME = {"pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class DemocraticRecommendation(Recorded, db.Model):
    """民主推荐 held for an agenda item: how many took part and the votes the official got."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[dt.date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(200), default="")  # 推荐范围
    participants: Mapped[int] = mapped_column(Integer)  # 参加人数
    votes: Mapped[int] = mapped_column(Integer)  # 得票
    note: Mapped[str] = mapped_column(Text, default="")

    recorded_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return RECOMMENDATION_KINDS.get(self.kind, self.kind)


class InspectionReport(Audited, db.Model):
    """A final 考察材料 (PDF or DOCX) frozen onto an agenda item: the uploaded bytes and
    their SHA-256. Versions are never changed or removed; the last one is current."""

    __audit_exclude__ = ("data",)
    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_inspection_report_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # pdf / docx, from the content
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # why replaced (version ≥ 2)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return REPORT_KINDS.get(self.kind, self.kind)

    @property
    def mimetype(self) -> str:
        return MIME[self.kind]
