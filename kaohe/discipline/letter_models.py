"""征求意见函: one letter asking the commission for the integrity opinions of several
officials at once (from a discussion's agenda), frozen as a PDF with its SHA-256."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Audited, utcnow
from kaohe.discipline.models import IntegrityOpinion
from kaohe.extensions import db


class IntegrityLetter(Audited, db.Model):
    """The letter: 文号 typed by the user, its date, the stored PDF (never changed)."""

    __audit_exclude__ = ("pdf",)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # 文号
    dated: Mapped[dt.date] = mapped_column(Date)
    discussion_id: Mapped[int | None] = mapped_column(ForeignKey("discussion.id"), index=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    entries: Mapped[list["IntegrityLetterEntry"]] = relationship(
        back_populates="letter", order_by="IntegrityLetterEntry.position")
    created_by: Mapped[User | None] = relationship()


class IntegrityLetterEntry(Audited, db.Model):
    """One official of a letter: the opinion request it made."""

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("integrity_letter.id"), index=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("integrity_opinion.id"), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    letter: Mapped[IntegrityLetter] = relationship(back_populates="entries")
    opinion: Mapped[IntegrityOpinion] = relationship()
