"""Export of an official as an LRMX appointment form (干部任免审批表): every element.

The official's record gives the head of the form, 入党时间 in the spec's text form
(:func:`kaohe.officials.politics.party_text`), the 简历 (:func:`kaohe.interop.resume.resume_text`)
and the 年度考核结果: the recorded results of the concluded years on the form's
计算年龄时间, in the form's wording (:func:`kaohe.assessments.wording.annual_results_text`),
not the text an import brought; 现任职务 and a built 简历 are likewise those of that
day. Elements the record has no column for come from the :class:`AppointmentSheet`
kept by the last import. 计算年龄时间 is ``as_of``, else
the one the sheet recorded, else today; 填表时间 the one recorded, else today. The
photo is written as the spec says, a base64 JPEG (a PNG is converted).
"""
from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy import select

from kaohe.assessments.wording import annual_results_text
from kaohe.core import clock
from kaohe.core.perkey import PerKey
from kaohe.dossier.snapshot import post_at, posts_of
from kaohe.extensions import db
from kaohe.interop.lrmx import SHEET_FIELDS
from kaohe.interop.lrmx_parse import day_text, month_text, write
from kaohe.interop.lrmx_photo import jpeg
from kaohe.interop.lrmx_spec import VERSION
from kaohe.interop.models import AppointmentSheet, FamilyMember
from kaohe.interop.resume import resume_text
from kaohe.officials.models import Official
from kaohe.officials.politics import party_text


# Every form of an agenda bundle reads one (issue 17; kaohe.core.perkey).
_SHEET = PerKey(lambda: select(AppointmentSheet), lambda: AppointmentSheet.official_id,
                first=True)


def sheet_of(official: Official) -> AppointmentSheet:
    """The official's kept form fields (an empty, unsaved sheet when none were imported)."""
    return _SHEET(official.id) or AppointmentSheet()


def export_fields(official: Official, full_id: bool, as_of: dt.date | None = None,
                  filled_by: str = "") -> tuple[dict[str, str], list[dict[str, str]]]:
    """(element → text, family items) of the form; ``filled_by`` when the sheet names no 填表人."""
    sheet = sheet_of(official)
    as_of = as_of or sheet.age_reference_date or clock.today()
    fields = {
        **{tag: getattr(sheet, key) or "" for key, tag in SHEET_FIELDS.items()},
        "XingMing": official.name, "XingBie": official.gender_label,
        "ChuShengNianYue": month_text(official.birth_date), "MinZu": official.ethnicity,
        "JiGuan": official.native_place, "RuDangShiJian": party_text(official),
        "CanJiaGongZuoShiJian": month_text(official.work_start_date),
        "QuanRiZhiJiaoYu_XueLi": official.edu_fulltime,
        "QuanRiZhiJiaoYu_XueWei": official.degree_fulltime,
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": official.school_fulltime,
        "ZaiZhiJiaoYu_XueLi": official.edu_inservice,
        "ZaiZhiJiaoYu_XueWei": official.degree_inservice,
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": official.school_inservice,
        # On 计算年龄时间, as the printed form says them (kaohe.appform.data.collect).
        "XianRenZhiWu": post_at(official.current_post, posts_of(official.id), as_of),
        "JianLi": resume_text(official, sheet, until=as_of),
        "NianDuKaoHeJieGuo": annual_results_text(official, as_of),
        "JiSuanNianLingShiJian": day_text(as_of),
        "TianBiaoShiJian": day_text(sheet.filled_on or clock.today()),
        "TianBiaoRen": sheet.filled_by or filled_by,
        "ShenFenZheng": official.id_number if full_id else official.id_number_masked,
        "ZhaoPian": base64.b64encode(jpeg(official.photo)).decode() if official.photo else "",
        "Version": sheet.format_version or VERSION,
    }
    members = [{"ChengWei": m.relation, "XingMing": m.name,
                "ChuShengRiQi": (day_text if m.birth_day_known else month_text)(m.birth_date),
                "ZhengZhiMianMao": m.political_status, "GongZuoDanWeiJiZhiWu": m.work}
               for m in db.session.scalars(select(FamilyMember).where(
                   FamilyMember.official_id == official.id).order_by(FamilyMember.sort_order))]
    return fields, members


def export_lrmx(official: Official, full_id: bool, as_of: dt.date | None = None,
                filled_by: str = "") -> bytes:
    """The LRMX document of ``official`` (see :func:`export_fields`)."""
    return write(*export_fields(official, full_id, as_of, filled_by))
