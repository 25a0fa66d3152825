"""Schemes, indicators, results, bonus/deduction events and interviews of units."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.core.models import Audited, Recorded, Versioned
from kaohe.extensions import db
from kaohe.units.models import UNIT_KINDS, Unit

GROUPS = {k: v for k, v in UNIT_KINDS.items() if k != "city"}
STATUSES = {"draft": "草案", "published": "已发布（锁定）"}
METHODS = {
    "ratio": "完成率（实际/目标，设下限与封顶）",
    "rank": "单位间排名",
    "grade": "定性评定（等次折算分值）",
}
# Units an indicator counts in whole numbers: 3.5 人 is a typing error, not a figure
# (万人, 万元, % and the like take fractions).
COUNT_UNITS = frozenset("人个项件户家次起名座所宗套台")
EVENT_KINDS = {
    # kind: (label, sign, provincial)
    "provincial_commendation": ("省级表彰加分", 1, True),
    "provincial_deduction": ("省级考核扣分", -1, True),
    "efficiency_bonus": ("效能建设加分", 1, False),
    "efficiency_penalty": ("效能建设扣分", -1, False),
    "other_bonus": ("其他加分", 1, False),
    "other_deduction": ("其他扣分", -1, False),
}
Points = Numeric(8, 2)


class Scheme(Versioned, Audited, db.Model):
    """考核方案: one per year and unit group; read-only once published."""

    __tablename__ = "ua_scheme"
    __table_args__ = (UniqueConstraint("year", "group", name="uq_ua_scheme_year_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    group: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    public_weight: Mapped[Decimal] = mapped_column(Points, default=Decimal("10"))
    total_points: Mapped[Decimal] = mapped_column(Points, default=Decimal("100"))
    note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str] = mapped_column(String(64), default="")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("ua_scheme.id"))
    # Rule figures (setting key → value) frozen at publication; None for a draft
    # (see services/figures.py).
    rules: Mapped[dict | None] = mapped_column(JSON)

    categories: Mapped[list["Category"]] = relationship(
        back_populates="scheme", order_by="Category.sort_order, Category.id")
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="scheme", order_by="Indicator.sort_order, Indicator.id")

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def group_label(self) -> str:
        return GROUPS.get(self.group, self.group)


class Category(Versioned, Audited, db.Model):
    __tablename__ = "ua_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("ua_scheme.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    scheme: Mapped[Scheme] = relationship(back_populates="categories")


class Indicator(Versioned, Audited, db.Model):
    """指标: max points and scoring method; ``grade_map`` like "优=1;良=0.85;中=0.7;差=0.4"."""

    __tablename__ = "ua_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("ua_scheme.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("ua_category.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(200))
    max_points: Mapped[Decimal] = mapped_column(Points)
    method: Mapped[str] = mapped_column(String(16), default="ratio")
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    floor_ratio: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("0.5"))
    cap_ratio: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("1"))
    grade_map: Mapped[str] = mapped_column(String(200), default="")
    unit_label: Mapped[str] = mapped_column(String(32), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    scheme: Mapped[Scheme] = relationship(back_populates="indicators")
    category: Mapped[Category] = relationship()

    @property
    def method_label(self) -> str:
        return METHODS.get(self.method, self.method)

    @property
    def counts_whole(self) -> bool:
        """Its values are counts (计量单位 人, 个, 项…): whole numbers only."""
        return self.unit_label.strip() in COUNT_UNITS


class IndicatorResult(Recorded, db.Model):
    """Target and cumulative actual of one unit for one indicator in one round."""

    __tablename__ = "ua_result"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_id", "round",
                                       name="uq_ua_result_indicator_unit_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("ua_scheme.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("ua_indicator.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    round: Mapped[str] = mapped_column(String(8))
    target: Mapped[Decimal | None] = mapped_column(Numeric(16, 4))
    actual: Mapped[Decimal | None] = mapped_column(Numeric(16, 4))
    grade: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Unit] = relationship()


class PublicRating(Recorded, db.Model):
    """民评官: the public's rating (0–100) of a unit in a round."""

    __tablename__ = "ua_public_rating"
    __table_args__ = (UniqueConstraint("scheme_id", "unit_id", "round",
                                       name="uq_ua_public_rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("ua_scheme.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    round: Mapped[str] = mapped_column(String(8))
    score: Mapped[Decimal] = mapped_column(Points)
    source: Mapped[str] = mapped_column(String(200), default="")

    unit: Mapped[Unit] = relationship()


class ScoreEvent(Recorded, db.Model):
    """A bonus or deduction (加分/减分) with reason and evidence; counts from ``date`` on."""

    __tablename__ = "ua_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("ua_scheme.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    date: Mapped[dt.date] = mapped_column(Date)
    points: Mapped[Decimal] = mapped_column(Points)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit] = relationship()

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS[self.kind][0]


class Interview(Recorded, db.Model):
    """约谈 of a unit's principal leader after a round (last-ranked or lagging)."""

    __tablename__ = "ua_interview"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("ua_scheme.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    round: Mapped[str] = mapped_column(String(8))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    leader_name: Mapped[str] = mapped_column(String(64))
    date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit] = relationship()
