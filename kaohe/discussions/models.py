"""Personnel discussions: agenda items, four-must checks, frozen dossiers, reviewers.

Members (应到会成员) are free-text names, one row each: most committee members have
no account in this system. Reviewers (审阅人) are user accounts of the ``reviewer``
role assigned to read a discussion's dossiers; a member who reads online has both.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Audited, Recorded, Versioned, utcnow
from kaohe.discussions import rules
from kaohe.dossier.fmt import motion, posts_phrase
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from kaohe.officials.models import Official


class Discussion(Recorded, db.Model):
    """议干部: one meeting (书记专题会、常委会、干部工作领导小组会) and its agenda."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default="draft")
    held_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    members: Mapped[list[DiscussionMember]] = relationship(
        back_populates="discussion", order_by="DiscussionMember.position",
        cascade="all, delete-orphan")
    reviewers: Mapped[list[DiscussionReviewer]] = relationship(
        back_populates="discussion", order_by="DiscussionReviewer.id")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="discussion", order_by="AgendaItem.position, AgendaItem.id",
        primaryjoin="and_(AgendaItem.discussion_id == Discussion.id, "
                    "AgendaItem.deleted_at.is_(None))", viewonly=True)

    @property
    def kind_label(self) -> str:
        return rules.KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return rules.STATUSES.get(self.status, self.status)

    @property
    def is_held(self) -> bool:
        return self.status == "held"

    @property
    def present_count(self) -> int:
        return sum(1 for m in self.members if m.present)


class DiscussionMember(Audited, db.Model):
    """A member who should attend (应到); ``present`` is recorded when the meeting is held."""

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    present: Mapped[bool] = mapped_column(Boolean, default=False)

    discussion: Mapped[Discussion] = relationship(back_populates="members")


class DiscussionReviewer(Audited, db.Model):
    """A ``reviewer`` user allowed to read this discussion and its dossiers."""

    __table_args__ = (UniqueConstraint("discussion_id", "user_id",
                                       name="uq_discussion_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    discussion: Mapped[Discussion] = relationship(back_populates="reviewers")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class AgendaItem(Recorded, db.Model):
    """One official on the agenda: proposed action, post, reason; later the decision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    action: Mapped[str] = mapped_column(String(16))
    # 拟任职务 and 拟免职务, as long as the 任免审批表 allows (kaohe.interop.lrmx_spec).
    proposed_post: Mapped[str] = mapped_column(String(324), default="")
    proposed_removal: Mapped[str] = mapped_column(String(324), default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # 任免理由
    # Readiness as it stood when the meeting was marked held (frozen with it).
    readiness_at_held: Mapped[dict | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(8))
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    votes_abstain: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    discussion: Mapped[Discussion] = relationship()
    official: Mapped[Official] = relationship()
    checks: Mapped[list[FourMustCheck]] = relationship(back_populates="item",
                                                       order_by="FourMustCheck.id")
    dossiers: Mapped[list[ItemDossier]] = relationship(back_populates="item",
                                                       order_by="ItemDossier.version")

    @property
    def action_label(self) -> str:
        return rules.ACTIONS.get(self.action, self.action)

    @property
    def posts(self) -> str:
        """「拟任甲，拟免乙」: the posts the item names, either may be empty."""
        return posts_phrase(self.proposed_post, self.proposed_removal)

    @property
    def motion(self) -> str:
        """「提拔，拟任甲」「免职，拟免乙」: the action with the posts it names."""
        return motion(self.action_label, self.proposed_post, self.proposed_removal)

    @property
    def decision_label(self) -> str:
        return rules.DECISIONS.get(self.decision, "") if self.decision else ""

    @property
    def current_dossier(self) -> ItemDossier | None:
        return self.dossiers[-1] if self.dossiers else None

    def check(self, kind: str) -> FourMustCheck | None:
        return next((c for c in self.checks if c.kind == kind), None)


class FourMustCheck(Versioned, Audited, db.Model):
    """One of 凡提四必 recorded by the department (档案、个人事项、信访); one row per kind,
    updated in place (the audit log keeps every earlier result). The integrity
    opinion is not stored here: it is read from the discipline service."""

    __table_args__ = (UniqueConstraint("item_id", "kind", name="uq_four_must_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    result: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[str] = mapped_column(String(64))  # 核查人 (name, may be off-system)
    checked_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="checks")

    @property
    def kind_label(self) -> str:
        return rules.CHECKS.get(self.kind, self.kind)

    @property
    def result_label(self) -> str:
        return rules.CHECK_RESULTS.get(self.result, self.result)


class ItemDossier(Audited, db.Model):
    """A dossier frozen onto an agenda item. Versions are never changed or removed:
    a refresh adds the next version with its reason; the last one is current."""

    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_item_dossier_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    reason: Mapped[str] = mapped_column(Text, default="")  # why refreshed (version ≥ 2)
    attached_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    attached_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    item: Mapped[AgendaItem] = relationship(back_populates="dossiers")
    dossier: Mapped[Dossier] = relationship()
    attached_by: Mapped[User | None] = relationship(foreign_keys=[attached_by_id])


class DiscussionBundle(db.Model):
    """The whole agenda as one PDF, built in the background; ``done``/``total`` is the
    progress the page polls. Derived output, so not audited row by row (starting and
    downloading are recorded as events)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="queued")  # queued/running/done/failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # A reviewer's own copy (the items recused for them left out); None: the full agenda.
    for_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Last: SQLite fills a zeroblob into the record unless it is the last column
    # (kaohe.discussions.bundle._store; migration 0027).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    @property
    def percent(self) -> int:
        return 100 if self.status == "done" else int(100 * self.done / max(self.total, 1))
