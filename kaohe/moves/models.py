"""Records of 凡动必谈/考/训 per agenda item, the 任前公示 and its outcome, the appointment
(任职), and the admin's holiday calendar. 凡动必核 has no table of its own: it is the
item's 凡提四必 (:class:`kaohe.discussions.models.FourMustCheck` and the integrity opinion)."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import (Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.assessments.models import AssessmentResult
from kaohe.core.models import Audited, Recorded, Versioned, utcnow
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.extensions import db
from kaohe.moves import rules


class MoveTalk(Recorded, db.Model):
    """谈: a 动议谈话 (before the meeting) or 任前谈话 (after the decision) with the official."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    talked_on: Mapped[dt.date] = mapped_column(Date)
    talker: Mapped[str] = mapped_column(String(64))  # 谈话人 (names, may be off-system)
    summary: Mapped[str] = mapped_column(Text, default="")

    @property
    def kind_label(self) -> str:
        return rules.TALK_KINDS.get(self.kind, self.kind)


class MoveAssessment(Recorded, db.Model):
    """考: a 考察 or the relevant 考核 with its record; an annual 考核 links the recorded result."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    done_on: Mapped[dt.date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(120))  # 考察组 / 考核人
    conclusion: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    result_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_result.id"))

    result: Mapped[AssessmentResult | None] = relationship()

    @property
    def kind_label(self) -> str:
        return rules.ASSESS_KINDS.get(self.kind, self.kind)


class MoveTraining(Recorded, db.Model):
    """训: 任职培训 attended (course, date) or planned (course, planned date)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    course: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(120), default="")  # 举办单位
    attended_on: Mapped[dt.date | None] = mapped_column(Date)
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def status_label(self) -> str:
        return rules.TRAINING_STATUSES.get(self.status, self.status)

    @property
    def day(self) -> dt.date | None:
        return self.attended_on if self.status == "attended" else self.planned_on


class Holiday(Audited, db.Model):
    """A day of the admin's calendar: a holiday (放假) or a 调休 working day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(32), default="")

    @property
    def kind_label(self) -> str:
        return rules.HOLIDAY_KINDS.get(self.kind, self.kind)


class Publicity(Recorded, db.Model):
    """任前公示 of a discussion's approved promotions: period, contacts and the text as
    published (PDF bytes and SHA-256, frozen at publication)."""

    __audit_exclude__ = ("pdf",)

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id"), index=True)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    work_days: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(64))  # 监督电话
    contact: Mapped[str] = mapped_column(String(200), default="")  # 监督地址/邮箱
    issuer: Mapped[str] = mapped_column(String(100))  # 发布机关
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    discussion: Mapped[Discussion] = relationship()
    entries: Mapped[list["PublicityEntry"]] = relationship(
        back_populates="publicity", order_by="PublicityEntry.position")


class PublicityEntry(Versioned, Audited, db.Model):
    """One official of a 公示 and its outcome: 无异议, or 有异议 with what was found and how
    it was handled (正在核查 blocks the appointment until cleared)."""

    __table_args__ = (UniqueConstraint("item_id", name="uq_publicity_entry_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publicity_id: Mapped[int] = mapped_column(ForeignKey("publicity.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(12))
    objection: Mapped[str] = mapped_column(Text, default="")  # 反映的问题
    handling: Mapped[str] = mapped_column(Text, default="")  # 核查及处理情况
    objection_state: Mapped[str | None] = mapped_column(String(12))
    recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    publicity: Mapped[Publicity] = relationship(back_populates="entries")
    item: Mapped[AgendaItem] = relationship()

    @property
    def outcome_label(self) -> str:
        if self.outcome is None:
            return "待登记"
        label = rules.OUTCOMES.get(self.outcome, self.outcome)
        if self.outcome == "objection":
            label += f"（{rules.OBJECTION_STATES.get(self.objection_state or '', '')}）"
        return label

    @property
    def unresolved(self) -> bool:
        return self.outcome == "objection" and self.objection_state != "cleared"


class Appointment(Versioned, Audited, db.Model):
    """任职 (or 免职、退休 发文) of an approved item: date and document number (文号)."""

    __table_args__ = (UniqueConstraint("item_id", name="uq_appointment_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"))
    appointed_on: Mapped[dt.date] = mapped_column(Date)
    doc_number: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
