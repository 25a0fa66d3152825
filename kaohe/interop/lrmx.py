"""Import of LRMX appointment forms (干部任免审批表); export in :mod:`.lrmx_export`.

Import creates or updates the official matched by ID number (through the
officials form and service, as if typed in), every other element of the form
(:class:`AppointmentSheet`: 呈报单位, 计算年龄时间, 填表时间, 填表人, Version, the
年度考核结果 as written…), the family members (for recusal) and the posts read
from the 简历 (:mod:`.lrmx_posts`). Texts are kept as written: 入党时间 becomes the
political affiliation (:mod:`kaohe.officials.politics`), 学历 keeps its 党校 marker
and 学位 its discipline. Everything is checked first, lengths against the
specification (:mod:`.lrmx_spec`); any problem and nothing is saved.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from sqlalchemy import select

from kaohe.appsheet.relatives import relative_official_id
from kaohe.audit.pending import pending_count
from kaohe.audit.services import record_event
from kaohe.auth.permissions import is_recused
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.interop.lrmx_annual import sheet_differences
from kaohe.interop.lrmx_parse import Person, ResumeLine, parse, parse_date, resume_lines
from kaohe.interop.lrmx_photo import is_export_of
from kaohe.interop.lrmx_posts import UnitMatcher, form_data, plan_posts, save_posts
from kaohe.interop.lrmx_spec import LABELS, MEMBER, PERSON
from kaohe.interop.models import AppointmentSheet, FamilyMember
from kaohe.interop.row_check import RECUSED_ROW
from kaohe.officials import idcard, photos
from kaohe.officials.forms import OfficialForm
from kaohe.officials.models import Official
from kaohe.officials.politics import parse_party_text, party_text
from kaohe.officials.services import save_official

# AppointmentSheet column → element, for the texts kept as written.
SHEET_FIELDS = {"birth_place": "ChuShengDi", "health": "JianKangZhuangKuang",
                "tech_title": "ZhuanYeJiShuZhiWu", "specialty": "ShuXiZhuanYeYouHeZhuanChang",
                "degree_school_fulltime": "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
                "degree_school_inservice": "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
                "proposed_post": "NiRenZhiWu", "proposed_removal": "NiMianZhiWu",
                "resume": "JianLi", "rewards": "JiangChengQingKuang",
                "annual_results": "NianDuKaoHeJieGuo", "reason": "RenMianLiYou",
                "reporting_unit": "ChengBaoDanWei", "filled_by": "TianBiaoRen",
                "format_version": "Version"}
SHEET_DATES = {"age_reference_date": "JiSuanNianLingShiJian", "filled_on": "TianBiaoShiJian"}
DATE_HINT = "应为 YYYYMM（如 197503）或 YYYYMMDD。"


@dataclass
class LrmxReport:
    name: str = ""
    official_id: int | None = None
    created: bool = False
    changed: bool = False
    posts_created: int = 0
    posts_updated: int = 0
    members: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field label, message)
    notices: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (label, value as stored)
    annual_differences: list[str] = field(default_factory=list)
    unmatched: list[ResumeLine] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def import_lrmx(data: bytes, *, dry_run: bool = False) -> LrmxReport:
    """Parse, check and import one LRMX file; commits, or rolls back on any problem.

    Raises :class:`~kaohe.interop.lrmx_parse.LrmxRefused` for unreadable files.
    """
    person = parse(data)
    report = LrmxReport(name=person.get("XingMing"), dry_run=dry_run)
    audit_rows = _audit_count()
    try:
        _import(person, report)
    except ValidationFailed as exc:
        for key, message in exc.errors.items():
            report.problems.append((_label(key), message))
    report.changed = report.ok and _audit_count() > audit_rows
    if report.ok and not dry_run:
        if report.changed:
            record_event("import", "lrmx", report.official_id, {
                "created": report.created, "posts_created": report.posts_created,
                "posts_updated": report.posts_updated, "unmatched": len(report.unmatched)})
        db.session.commit()
        report.committed = True
    else:
        db.session.rollback()
    return report


def _audit_count() -> int:
    """Audit entries so far: they wait in the session until its commit, one per change."""
    db.session.flush()
    return pending_count(db.session())


def _label(key: str) -> str:
    field_obj = getattr(OfficialForm, key, None)
    return getattr(field_obj, "args", [key])[0] if field_obj is not None else key


def _date(person: Person, name: str, report: LrmxReport):
    try:
        return parse_date(person.get(name))[0]
    except ValueError:
        report.problems.append((LABELS[name], f"日期“{person.get(name)[:20]}”无法识别，{DATE_HINT}"))
        return None


def _lengths(person: Person, report: LrmxReport) -> None:
    for element in PERSON:
        value = person.get(element.name)
        if element.max is not None and len(value) > element.max:
            report.problems.append((element.label, f"不能超过 {element.max} 个字（现有 {len(value)} 个）。"))


def _affiliation(person: Person, official: Official | None, report: LrmxReport) -> dict:
    text = person.get("RuDangShiJian")
    try:
        found = parse_party_text(text)
    except ValueError as exc:
        report.problems.append(("入党时间", str(exc)))
        return {}
    status, since = found.political_status, None
    if not text:
        status = "群众"
        report.notices.append("入党时间为空，政治面貌按“群众”导入。")
    if official is not None:
        if (status == "中共党员" and official.political_status == "中共预备党员"
                and official.party_date == found.party_date):
            status = "中共预备党员"  # the form does not tell a probationary member apart
        if found.democratic_party and found.democratic_party == official.democratic_party:
            since = official.democratic_party_date  # not on the form: kept from the record
    return {"political_status": status, "party_date": _iso(found.party_date),
            "democratic_party": found.democratic_party, "democratic_party_date": _iso(since)}


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _import(person: Person, report: LrmxReport) -> None:
    number = person.get("ShenFenZheng").upper()
    issue = idcard.problem(number) if number else "文件中没有身份证号（ShenFenZheng），无法匹配干部。"
    if issue:
        report.problems.append(("身份证号", issue))
        return
    official = db.session.scalar(select(Official).where(Official.id_number == number))
    if official is not None and is_recused(official.id):
        # 回避: nobody rewrites their own or a relative's form (nor the family declared on
        # it, which decides recusal), nor learns what it holds.
        report.problems.append(("身份证号", RECUSED_ROW))
        return
    _lengths(person, report)
    birth = _date(person, "ChuShengNianYue", report)
    if birth is not None:
        if birth.replace(day=1) == idcard.birth_date(number).replace(day=1):
            birth = idcard.birth_date(number)  # the form gives the month, the ID the day
        else:
            report.problems.append(("出生年月", "出生年月与身份证号中的出生日期不一致。"))
    gender = {"男": "M", "女": "F"}.get(person.get("XingBie"))
    if gender is None:
        report.problems.append(("性别", f"性别“{person.get('XingBie')}”应为男或女。"))
    values = {
        "name": person.get("XingMing"), "gender": gender or "", "id_number": number,
        "birth_date": _iso(birth), "ethnicity": person.get("MinZu"),
        "native_place": person.get("JiGuan"), **_affiliation(person, official, report),
        "work_start_date": _iso(_date(person, "CanJiaGongZuoShiJian", report)),
        "edu_fulltime": person.get("QuanRiZhiJiaoYu_XueLi"),
        "degree_fulltime": person.get("QuanRiZhiJiaoYu_XueWei"),
        "school_fulltime": person.get("QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi"),
        "edu_inservice": person.get("ZaiZhiJiaoYu_XueLi"),
        "degree_inservice": person.get("ZaiZhiJiaoYu_XueWei"),
        "school_inservice": person.get("ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi"),
        "current_post": person.get("XianRenZhiWu"),
        # Kept from the record: not on the appointment form.
        "unit_id": str(official.unit_id) if official and official.unit_id else "",
        "rank": official.rank if official else "",
    }
    members = [_member(m, i, report) for i, m in enumerate(person.members, start=1)]
    photo = _photo(person.get("ZhaoPian"), report)
    sheet_values = {k: person.get(tag) for k, tag in SHEET_FIELDS.items()}
    sheet_values.update({k: _date(person, tag, report) for k, tag in SHEET_DATES.items()})
    lines = resume_lines(person.get("JianLi"))
    planned = plan_posts(lines, UnitMatcher(), report.unmatched)
    if not values["unit_id"] and planned and planned[-1][1].end is None:
        values["unit_id"] = str(planned[-1][0].id)  # the open-ended last post: current unit
    data, errors = form_data(OfficialForm, values)
    reported = {label for label, _message in report.problems}  # e.g. a length, said once
    report.problems.extend((_label(key), message) for key, message in errors.items()
                           if _label(key) not in reported)
    if not report.ok:
        return
    saved = official
    if official is None or any(getattr(official, k) != v for k, v in data.items()):
        saved = save_official(official, data)
    report.official_id, report.created = saved.id, official is None
    if photo is not None and not is_export_of(photo[2], saved.photo):
        saved.photo, saved.photo_mime = photo[:2]  # already encoded again by photos.encode
    sheet = _save_sheet(saved, sheet_values)
    report.members = _save_members(saved, members)
    report.posts_created, report.posts_updated = save_posts(saved, planned, report.problems)
    _kept(saved, sheet, report)


def _kept(official: Official, sheet: AppointmentSheet, report: LrmxReport) -> None:
    """What the record now holds of the texts older imports collapsed, and the 年度考核结果
    compared with the recorded results."""
    affiliation = official.political_status + (f"（{party_text(official, 'print')}）"
                                               if party_text(official) else "")
    report.kept = [("政治面貌（入党时间）", affiliation or "未记录"),
                   ("全日制教育", " ".join(filter(None, (official.edu_fulltime,
                                                        official.degree_fulltime))) or "—"),
                   ("在职教育", " ".join(filter(None, (official.edu_inservice,
                                                      official.degree_inservice))) or "—"),
                   ("年度考核结果", sheet.annual_results or "—")]
    report.annual_differences = sheet_differences(official, sheet)


def _member(m: dict, index: int, report: LrmxReport) -> dict:
    label = f"家庭成员第 {index} 项（{m.get('XingMing') or '未填姓名'}）"
    try:
        birth, day_known = parse_date(m.get("ChuShengRiQi"))
    except ValueError:
        report.problems.append((label, f"出生日期“{m.get('ChuShengRiQi')[:20]}”无法识别，{DATE_HINT}"))
        birth, day_known = None, False
    if not m.get("XingMing") or not m.get("ChengWei"):
        report.problems.append((label, "须填写称谓和姓名。"))
    for element in MEMBER:
        if element.max and len(m.get(element.name, "")) > element.max:
            report.problems.append((label, f"{element.label}不能超过 {element.max} 个字。"))
    return {"relation": m.get("ChengWei", ""), "name": m.get("XingMing", ""),
            "birth_date": birth, "birth_day_known": day_known,
            "political_status": m.get("ZhengZhiMianMao", ""),
            "work": m.get("GongZuoDanWeiJiZhiWu", ""), "sort_order": index}


def _photo(text: str, report: LrmxReport) -> tuple[bytes, str, bytes] | None:
    """(photo encoded again, its MIME type, the file's bytes), or None (a problem reported)."""
    if not text:
        return None
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        report.problems.append(("照片", "照片（ZhaoPian）不是有效的 Base64 编码。"))
        return None
    try:
        return (*photos.encode(data), data)  # the same checks and encoding as an upload
    except ValidationFailed as exc:
        report.problems.append(("照片", next(iter(exc.errors.values()))))
        return None


def _save_sheet(official: Official, values: dict) -> AppointmentSheet:
    sheet = db.session.scalar(select(AppointmentSheet).where(
        AppointmentSheet.official_id == official.id))
    if sheet is None:
        sheet = AppointmentSheet(official_id=official.id)
        db.session.add(sheet)
    for key, value in values.items():
        if getattr(sheet, key) != value:
            setattr(sheet, key, value)
    return sheet


def _save_members(official: Official, members: list[dict]) -> int:
    current = {(m.relation, m.name): m for m in db.session.scalars(
        select(FamilyMember).where(FamilyMember.official_id == official.id))}
    for values in members:
        values = {**values, "relative_official_id": relative_official_id(
            official.id, values["name"], values["birth_date"], values["birth_day_known"])}
        member = current.pop((values["relation"], values["name"]), None)
        if member is None:
            db.session.add(FamilyMember(official_id=official.id, **values))
            continue
        for key, value in values.items():
            if getattr(member, key) != value:
                setattr(member, key, value)
    for gone in current.values():  # the form lists the whole family: others are withdrawn
        gone.soft_delete()
    return len(members)

