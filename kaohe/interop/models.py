"""Family members (for recusal) and the appointment-form fields the official has no column for."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.core.models import Recorded
from kaohe.extensions import db
from kaohe.officials.models import Official


class FamilyMember(Recorded, db.Model):
    """家庭主要成员及重要社会关系: one row of JiaTingChengYuan in an LRMX file.

    ``relative_official_id`` links the member to an official of the system when
    exactly one matches name and birth month, so recusal (回避) can follow it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    relation: Mapped[str] = mapped_column(String(18))  # 称谓
    name: Mapped[str] = mapped_column(String(64))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    # The form gives YYYYMM (stored as day 1) or YYYYMMDD: which one, so the day is kept.
    birth_day_known: Mapped[bool] = mapped_column(Boolean, default=False)
    political_status: Mapped[str] = mapped_column(String(32), default="")  # 政治面貌
    work: Mapped[str] = mapped_column(String(200), default="")  # 工作单位及职务
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    relative_official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"),
                                                              index=True)

    official: Mapped[Official] = relationship(foreign_keys=[official_id])


class AppointmentSheet(Recorded, db.Model):
    """Fields of the 干部任免审批表 that the official's own record does not hold.

    Lengths are those of the LRMX input specification (see :mod:`kaohe.interop.lrmx_spec`).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), unique=True)
    birth_place: Mapped[str] = mapped_column(String(64), default="")  # 出生地
    health: Mapped[str] = mapped_column(String(32), default="")  # 健康状况
    tech_title: Mapped[str] = mapped_column(String(90), default="")  # 专业技术职务
    specialty: Mapped[str] = mapped_column(String(200), default="")  # 熟悉专业有何专长
    # 毕业院校系及专业 of the 学位 (the official's school_* columns hold the 学历's).
    degree_school_fulltime: Mapped[str] = mapped_column(String(90), default="")
    degree_school_inservice: Mapped[str] = mapped_column(String(90), default="")
    proposed_post: Mapped[str] = mapped_column(String(324), default="")  # 拟任职务
    proposed_removal: Mapped[str] = mapped_column(String(324), default="")  # 拟免职务
    resume: Mapped[str] = mapped_column(Text, default="")  # 简历 as written
    rewards: Mapped[str] = mapped_column(Text, default="")  # 奖惩情况
    # 年度考核结果 as the imported form wrote it; compared with the recorded results.
    annual_results: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # 任免理由
    reporting_unit: Mapped[str] = mapped_column(String(252), default="")  # 呈报单位
    age_reference_date: Mapped[dt.date | None] = mapped_column(Date)  # 计算年龄时间
    filled_on: Mapped[dt.date | None] = mapped_column(Date)  # 填表时间
    filled_by: Mapped[str] = mapped_column(String(18), default="")  # 填表人
    format_version: Mapped[str] = mapped_column(String(32), default="")  # Version

    official: Mapped[Official] = relationship()
