# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Recorded
from kaohe.extensions import db

REVIEW_KINDS = {"daily": "日常研判", "thematic": "专题研判", "inspection": "考察研判",
                "talk": "谈话研判"}
CONCLUSIONS = {"good": "好", "fairly_good": "较好", "average": "一般", "poor": "较差"}


class Review(Recorded, db.Model):
    """研判: the organization's assessment of an official."""

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64))
    strengths: Mapped[str] = mapped_column(Text, default="")
    weaknesses: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")

    recorded_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return REVIEW_KINDS.get(self.kind, self.kind)

    @property
    def conclusion_label(self) -> str:
        return CONCLUSIONS.get(self.conclusion, self.conclusion)
