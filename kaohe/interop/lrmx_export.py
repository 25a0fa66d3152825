"""Export of an official as an LRMX appointment form (干部任免审批表).

NianDuKaoHeJieGuo (年度考核结果) lists the years of the assessment window on the
export date (:func:`kaohe.assessments.window.assessment_window`: the last concluded
assessment years) with their recorded grades, and says so of a year with none; a
year still pending (待考核) is not listed. Fields the official's record has no column
for come from the :class:`AppointmentSheet` kept by the last import.
"""
from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy import select

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.assessments.window import assessment_window
from kaohe.core import clock
from kaohe.extensions import db
from kaohe.interop.lrmx import SHEET_FIELDS
from kaohe.interop.lrmx_parse import month_text, resume_line, write
from kaohe.interop.models import AppointmentSheet, FamilyMember
from kaohe.officials.models import Official


def annual_results_text(official_id: int, on: dt.date | None = None) -> str:
    """「2017年度考核称职，2018年度考核结果未录入，2019年度考核称职」: the window on ``on``
    (default today)."""
    years = assessment_window(on or clock.today()).years
    grades = dict(db.session.execute(select(AssessmentResult.year, AssessmentResult.grade).where(
        AssessmentResult.official_id == official_id, AssessmentResult.kind == "annual",
        AssessmentResult.year.in_(years), AssessmentResult.deleted_at.is_(None))).all())
    return "，".join(f"{y}年度考核{GRADES.get(grades[y], grades[y])}" if y in grades
                    else f"{y}年度考核结果未录入" for y in years)


def export_lrmx(official: Official, full_id: bool, on: dt.date | None = None) -> bytes:
    """The LRMX document of ``official``; ``on`` (default today) dates the annual results."""
    sheet = db.session.scalar(select(AppointmentSheet).where(
        AppointmentSheet.official_id == official.id)) or AppointmentSheet()
    posts = sorted(official.posts, key=lambda p: p.start_date)
    resume = sheet.resume or "\n".join(
        resume_line(p.start_date, p.end_date,
                    p.title if p.unit and p.title.startswith(p.unit.name)
                    else (p.unit.name if p.unit else "") + p.title) for p in posts)
    fields = {
        "XingMing": official.name, "XingBie": official.gender_label,
        "ChuShengNianYue": month_text(official.birth_date), "MinZu": official.ethnicity,
        "JiGuan": official.native_place, "RuDangShiJian": month_text(official.party_date),
        "CanJiaGongZuoShiJian": month_text(official.work_start_date),
        "QuanRiZhiJiaoYu_XueLi": official.edu_fulltime,
        "QuanRiZhiJiaoYu_XueWei": official.degree_fulltime,
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": official.school_fulltime,
        "ZaiZhiJiaoYu_XueLi": official.edu_inservice,
        "ZaiZhiJiaoYu_XueWei": official.degree_inservice,
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": official.school_inservice,
        "XianRenZhiWu": official.current_post, "JianLi": resume,
        "NianDuKaoHeJieGuo": annual_results_text(official.id, on),
        "ShenFenZheng": official.id_number if full_id else official.id_number_masked,
        "ZhaoPian": base64.b64encode(official.photo).decode() if official.photo else "",
        **{tag: getattr(sheet, key) or "" for key, tag in SHEET_FIELDS.items() if key != "resume"},
    }
    members = [{"ChengWei": m.relation, "XingMing": m.name,
                "ChuShengRiQi": month_text(m.birth_date), "ZhengZhiMianMao": m.political_status,
                "GongZuoDanWeiJiZhiWu": m.work}
               for m in db.session.scalars(select(FamilyMember).where(
                   FamilyMember.official_id == official.id).order_by(FamilyMember.sort_order))]
    return write(fields, members)
