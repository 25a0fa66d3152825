# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Recorded
from kaohe.extensions import db
from kaohe.units.models import Unit

GRADES = {
    "excellent": "优秀",
    "competent": "称职",
    "basically_competent": "基本称职",
    "incompetent": "不称职",
}
# Grades that make an official ineligible as an inspection candidate (DOMAIN.md).
LOW_GRADES = ("basically_competent", "incompetent")
KINDS = {"annual": "年度考核", "quarterly": "季度考核", "special": "专项考核"}
VOTE_FIELDS = ("votes_excellent", "votes_competent", "votes_basically_competent",
               "votes_incompetent")

_LIVE = "deleted_at IS NULL"


class AssessmentResult(Recorded, db.Model):
    """An annual, quarterly or special assessment result of an official."""

    __table_args__ = (
        # At most one live annual result per official and year; one per quarter.
        Index("uq_assessment_annual", "official_id", "year", unique=True,
              sqlite_where=text(f"kind = 'annual' AND {_LIVE}"),
              postgresql_where=text(f"kind = 'annual' AND {_LIVE}")),
        Index("uq_assessment_quarter", "official_id", "year", "quarter", unique=True,
              sqlite_where=text(f"kind = 'quarterly' AND {_LIVE}"),
              postgresql_where=text(f"kind = 'quarterly' AND {_LIVE}")),
        Index("ix_assessment_year_grade", "year", "kind", "grade"),
        # Covering indexes of the search's grade/year filter (migration 0004).
        Index("ix_assessment_grade_year_live", "kind", "grade", "year", "deleted_at",
              "official_id"),
        Index("ix_assessment_official_grade_live", "official_id", "kind", "grade", "year",
              "deleted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(16))
    quarter: Mapped[int | None] = mapped_column(SmallInteger)
    task_name: Mapped[str] = mapped_column(String(100), default="")
    grade: Mapped[str] = mapped_column(String(24))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    unit_rank: Mapped[int | None] = mapped_column(Integer)
    unit_size: Mapped[int | None] = mapped_column(Integer)
    votes_total: Mapped[int | None] = mapped_column(Integer)
    votes_excellent: Mapped[int | None] = mapped_column(Integer)
    votes_competent: Mapped[int | None] = mapped_column(Integer)
    votes_basically_competent: Mapped[int | None] = mapped_column(Integer)
    votes_incompetent: Mapped[int | None] = mapped_column(Integer)
    public_rating: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # 民评官
    comment: Mapped[str] = mapped_column(Text, default="")

    recorded_by: Mapped[User | None] = relationship()

    @property
    def grade_label(self) -> str:
        return GRADES.get(self.grade, self.grade)

    @property
    def kind_label(self) -> str:
        if self.kind == "quarterly" and self.quarter:
            return f"第{self.quarter}季度考核"
        if self.kind == "special" and self.task_name:
            return f"专项考核（{self.task_name}）"
        return KINDS.get(self.kind, self.kind)

    @property
    def vote_rates(self) -> dict[str, float] | None:
        """Share of votes per grade, derived from the counts (never typed)."""
        if not self.votes_total:
            return None
        return {f[6:]: (getattr(self, f) or 0) / self.votes_total for f in VOTE_FIELDS}


class ExcellentQuotaApproval(Recorded, db.Model):
    """An approval raising a unit's 优秀 quota of one year's annual assessment.

    The regulations allow more than the ordinary share of 优秀 (setting
    ``assessment.excellent_quota_pct``) only with an approval, up to
    ``assessment.excellent_quota_pct_approved``; who approved and the document
    number are recorded with it.
    """

    __table_args__ = (
        Index("uq_excellent_quota_approval", "unit_id", "year", unique=True,
              sqlite_where=text(_LIVE), postgresql_where=text(_LIVE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    pct: Mapped[int] = mapped_column(SmallInteger)  # the approved share, in per cent
    approved_by: Mapped[str] = mapped_column(String(100))  # e.g. 市委组织部
    document_number: Mapped[str] = mapped_column(String(100))  # 文号
    note: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit] = relationship()
    recorded_by: Mapped[User | None] = relationship()
