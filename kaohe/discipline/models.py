"""Discipline findings, tolerance exemptions and integrity opinions.

``DisciplineFinding.details`` is read only through :func:`details_for` (or in
views guarded by ``DISCIPLINE_DETAILS``) and is excluded from the automatic
audit rows, which the admin can read; a change of details is recorded as an
explicit event without its content.
"""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Audited, Recorded, Versioned, utcnow
from kaohe.discipline import rules
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.units.models import Unit


class DisciplineFinding(Recorded, db.Model):
    """纪委了解的情况: one clue, case or decision about an official."""

    __audit_exclude__ = ("details",)

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    # The unit the finding counts against: the official's post on found_date
    # (principal post first), else the official's current unit. Set by the service.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    found_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    # 政务处分期 decided for several sanctions at once (art. 15); None = the setting.
    period_months: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="")

    official: Mapped[Official] = relationship()
    unit: Mapped[Unit | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    exemptions: Mapped[list["ToleranceExemption"]] = relationship(
        back_populates="finding", order_by="ToleranceExemption.id")

    @property
    def kind_label(self) -> str:
        return rules.kind_label(self.kind)

    @property
    def source_label(self) -> str:
        return rules.SOURCES.get(self.source, self.source)

    @property
    def status_label(self) -> str:
        return rules.STATUSES.get(self.status, self.status)

    @property
    def category(self) -> str:
        return rules.KINDS.get(self.kind, ("none", ""))[0]

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATUSES

    @property
    def is_cleared(self) -> bool:
        return self.status == "cleared"

    @property
    def exemption(self) -> "ToleranceExemption | None":
        """The exemption in force, if any."""
        return next((e for e in self.exemptions if e.revoked_at is None), None)

    @property
    def counts(self) -> bool:
        """Whether the finding counts against anyone (not cleared, not exempted)."""
        return not self.is_cleared and self.exemption is None


class ToleranceExemption(Versioned, Audited, db.Model):
    """容错免责 granted on a finding; revoking keeps the row (visible history)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("discipline_finding.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    approver: Mapped[str] = mapped_column(String(100))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    finding: Mapped[DisciplineFinding] = relationship(back_populates="exemptions")
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class IntegrityOpinion(Recorded, db.Model):
    """党风廉政意见: requested by the organization, answered by the commission."""

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(200))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[int | None] = mapped_column(Integer)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    official: Mapped[Official] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys="IntegrityOpinion.recorded_by_id")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_answered(self) -> bool:
        return self.outcome is not None

    @property
    def outcome_label(self) -> str:
        return rules.OUTCOMES.get(self.outcome, "") if self.outcome else "未回复"

    @property
    def is_blocking(self) -> bool:
        return self.outcome in rules.BLOCKING_OUTCOMES
