# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kaohe.core.models import Recorded
from kaohe.core.periods import period_end
from kaohe.extensions import db
from kaohe.search import pinyin
from kaohe.units.models import Unit

GENDERS = {"M": "男", "F": "女"}
RANKS = [
    "正厅级", "副厅级", "正处级", "副处级", "正科级", "副科级",
    "一级巡视员", "二级巡视员", "一级调研员", "二级调研员", "三级调研员", "四级调研员",
    "一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员",
]
EDUCATION = ["研究生", "大学", "大专", "中专", "高中"]
# 政治面貌 (GB/T 4762 groups used by the 任免审批表); "" = not recorded, shown as such.
POLITICAL_STATUSES = ["中共党员", "中共预备党员", "民主党派", "无党派人士", "群众"]
# The eight 民主党派, by the short names the 任免审批表 writes.
DEMOCRATIC_PARTIES = ["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟"]
DEGREES = ["博士", "硕士", "学士", "无"]


class Official(Recorded, db.Model):
    """A public official; fields follow the head of the 干部任免审批表."""

    __audit_exclude__ = ("photo", "name_pinyin")  # name_pinyin: derived from the name
    __table_args__ = (
        # Covering indexes of the search and its count (migration 0004, bench/).
        Index("ix_official_name_live", "name", "id", "deleted_at"),
        Index("ix_official_unit_live_name", "unit_id", "deleted_at", "name", "id"),
        Index("ix_official_birth_date", "birth_date"),  # 到龄 reminders (migration 0020)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    # Every pinyin spelling and initials of the name (kaohe.search.pinyin), kept on write.
    name_pinyin: Mapped[str] = mapped_column(String(600), default="")
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(16), default="汉族")
    native_place: Mapped[str] = mapped_column(String(64), default="")
    # Political affiliation: CCP membership (party_date), a 民主党派 (name and date), or
    # none; an official may belong to both (LRMX writes "199506；民建").
    political_status: Mapped[str] = mapped_column(String(16), default="", index=True)
    party_date: Mapped[dt.date | None] = mapped_column(Date)  # 入党时间 (CCP)
    democratic_party: Mapped[str] = mapped_column(String(16), default="")
    democratic_party_date: Mapped[dt.date | None] = mapped_column(Date)
    work_start_date: Mapped[dt.date | None] = mapped_column(Date)
    edu_fulltime: Mapped[str] = mapped_column(String(54), default="")
    degree_fulltime: Mapped[str] = mapped_column(String(54), default="")
    school_fulltime: Mapped[str] = mapped_column(String(100), default="")
    edu_inservice: Mapped[str] = mapped_column(String(54), default="")
    degree_inservice: Mapped[str] = mapped_column(String(54), default="")
    school_inservice: Mapped[str] = mapped_column(String(100), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    current_post: Mapped[str] = mapped_column(String(324), default="")  # LRMX XianRenZhiWu
    rank: Mapped[str] = mapped_column(String(16), default="", index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_mime: Mapped[str | None] = mapped_column(String(32))

    unit: Mapped[Unit | None] = relationship()
    posts: Mapped[list["Post"]] = relationship(
        back_populates="official", order_by="Post.start_date.desc()")

    @validates("name")
    def validate_name(self, _key: str, name: str) -> str:
        self.name_pinyin = pinyin.index_text(name)
        return name

    @property
    def gender_label(self) -> str:
        return GENDERS.get(self.gender, "")

    @property
    def id_number_masked(self) -> str:
        n = self.id_number or ""
        return n[:3] + "*" * max(len(n) - 7, 0) + n[-4:] if len(n) > 7 else "*" * len(n)

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class Post(Recorded, db.Model):
    """任职经历: one post held by an official."""

    __table_args__ = (Index("ix_post_unit_principal", "unit_id", "is_principal"),
                      # 试用期满 reminders (migration 0020)
                      Index("ix_post_probation", "probation_months", "end_date"),
                      # the posts held on a day, per official, read from the index alone:
                      # the statistics' 任现职年限 (migration 0026)
                      Index("ix_post_held", "official_id", "start_date", "end_date",
                            sqlite_where=text("deleted_at IS NULL"),
                            postgresql_where=text("deleted_at IS NULL")),
                      # 任现职满 N 年 reminders: the open posts (or those ending after a
                      # day) begun in a date range (migration 0028)
                      Index("ix_post_ending", "end_date", "start_date",
                            sqlite_where=text("deleted_at IS NULL"),
                            postgresql_where=text("deleted_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(String(100))
    rank: Mapped[str] = mapped_column(String(16), default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    is_principal: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    # 试用期 of a newly promoted official (one year by the 条例); None = appointed without.
    probation_months: Mapped[int | None] = mapped_column(Integer)

    official: Mapped[Official] = relationship(back_populates="posts")
    unit: Mapped[Unit] = relationship()

    @property
    def probation_end(self) -> dt.date | None:
        """Last day of the probation, counted by 民法典 201–202 from the start date."""
        if not self.probation_months:
            return None
        return period_end(self.start_date, self.probation_months)
