"""Import of LRMX appointment forms (干部任免审批表); export in :mod:`.lrmx_export`.

Import creates or updates the official matched by ID number (through the
officials form and service, as if typed in), the form's other fields
(:class:`AppointmentSheet`), the family members (for recusal) and the posts
read from the résumé (JianLi): a résumé line becomes a post only when its text
starts with the name of an existing unit; every other line is reported, never
invented. Everything is checked first; any problem and nothing is saved.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from kaohe.audit.models import AuditLog
from kaohe.audit.services import record_event
from kaohe.auth.permissions import is_recused
from kaohe.core.errors import ValidationFailed
from kaohe.core.forms import BaseForm
from kaohe.extensions import db
from kaohe.interop.lrmx_parse import (LABELS, Person, ResumeLine, parse, parse_month,
                                      resume_lines)
from kaohe.interop.models import AppointmentSheet, FamilyMember
from kaohe.interop.row_check import RECUSED_ROW
from kaohe.officials import idcard, photos
from kaohe.officials.forms import OfficialForm, PostForm
from kaohe.officials.models import DEGREES, EDUCATION, Official, Post
from kaohe.officials.services import save_official, save_post
from kaohe.units.models import Unit

SHEET_FIELDS = {"birth_place": "ChuShengDi", "health": "JianKangZhuangKuang",
                "tech_title": "ZhuanYeJiShuZhiWu", "specialty": "ShuXiZhuanYeYouHeZhuanChang",
                "proposed_post": "NiRenZhiWu", "proposed_removal": "NiMianZhiWu",
                "resume": "JianLi", "rewards": "JiangChengQingKuang", "reason": "RenMianLiYou"}
SHEET_LIMITS = {"birth_place": 64, "health": 32, "tech_title": 64, "specialty": 200,
                "proposed_post": 200, "proposed_removal": 200}
_EDU = (("研究生", "研究生"), ("博士", "研究生"), ("硕士", "研究生"), ("本科", "大学"),
        ("大学", "大学"), ("专科", "大专"), ("大专", "大专"), ("中专", "中专"), ("高中", "高中"))


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
    unmatched: list[ResumeLine] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _education(value: str, report: LrmxReport, label: str) -> str:
    if not value:
        return ""
    for word, choice in _EDU:
        if word in value:
            return choice
    report.notices.append(f"{label}“{value}”无法对应到系统的学历分类，未导入该项。")
    return ""


def _degree(value: str, report: LrmxReport, label: str) -> str:
    if not value:
        return ""
    for choice in DEGREES:
        if choice != "无" and choice in value:
            return choice
    if value in ("无", "无学位"):
        return "无"
    report.notices.append(f"{label}“{value}”无法对应到系统的学位分类，未导入该项。")
    return ""


def _date(person: Person, name: str, report: LrmxReport):
    try:
        return parse_month(person.get(name))
    except ValueError:
        report.problems.append((LABELS[name], f"日期“{person.get(name)[:20]}”无法识别，"
                                              "应为 YYYYMM（如 197503）或 YYYY.MM。"))
        return None


class _UnitMatcher:
    """Longest unit name (optionally after the city's name) starting a résumé position."""

    def __init__(self):
        units = list(db.session.scalars(select(Unit)))
        cities = [u.name for u in units if u.kind == "city"]
        self.names: list[tuple[str, Unit]] = []
        for u in units:
            variants = {u.name}
            for city in cities:
                variants.add(city + u.name)
                if u.name.startswith("市"):
                    variants.add(city + u.name[1:])
            self.names.extend((v, u) for v in variants if v)
        self.names.sort(key=lambda item: -len(item[0]))

    def match(self, text: str) -> Unit | None:
        """The unit whose name starts ``text`` (longest name wins; a tie is no match)."""
        found = [(name, u) for name, u in self.names if text.startswith(name)]
        if not found:
            return None
        best = len(found[0][0])
        units = {u.id: u for name, u in found if len(name) == best}
        return next(iter(units.values())) if len(units) == 1 else None


def _form_data(form_cls, values: dict) -> tuple[dict, dict[str, str]]:
    form = form_cls(formdata=MultiDict({k: v for k, v in values.items() if v is not None}),
                    meta={"csrf": False})
    if form.validate():
        return form.data_for_service(), {}
    return {}, {k: v[0] for k, v in form.errors.items() if v}


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
    db.session.flush()
    return db.session.scalar(select(func.count(AuditLog.id)))


def _label(key: str) -> str:
    field_obj = getattr(OfficialForm, key, None)
    return getattr(field_obj, "args", [key])[0] if field_obj is not None else key


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
    birth = _date(person, "ChuShengNianYue", report)
    if birth is not None:
        if birth.replace(day=1) == idcard.birth_date(number).replace(day=1):
            birth = idcard.birth_date(number)  # the form gives the month, the ID the day
        else:
            report.problems.append(("出生年月", "出生年月与身份证号中的出生日期不一致。"))
    gender = {"男": "M", "女": "F"}.get(person.get("XingBie"))
    if gender is None:
        report.problems.append(("性别", f"性别“{person.get('XingBie')}”应为男或女。"))
    school = (person.get("QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi")
              or person.get("QuanRiZhiJiaoYu_BiYeYuanXiaoXi")
              or person.get("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi"))
    school_in = (person.get("ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi")
                 or person.get("ZaiZhiJiaoYu_BiYeYuanXiaoXi")
                 or person.get("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi"))
    values = {
        "name": person.get("XingMing"), "gender": gender or "", "id_number": number,
        "birth_date": birth.isoformat() if birth else "", "ethnicity": person.get("MinZu"),
        "native_place": person.get("JiGuan"),
        "party_date": _iso(_date(person, "RuDangShiJian", report)),
        "work_start_date": _iso(_date(person, "CanJiaGongZuoShiJian", report)),
        "edu_fulltime": _education(person.get("QuanRiZhiJiaoYu_XueLi"), report, "全日制学历"),
        "degree_fulltime": _degree(person.get("QuanRiZhiJiaoYu_XueWei"), report, "全日制学位"),
        "school_fulltime": school,
        "edu_inservice": _education(person.get("ZaiZhiJiaoYu_XueLi"), report, "在职学历"),
        "degree_inservice": _degree(person.get("ZaiZhiJiaoYu_XueWei"), report, "在职学位"),
        "school_inservice": school_in, "current_post": person.get("XianRenZhiWu"),
        # Kept from the record: not on the appointment form.
        "unit_id": str(official.unit_id) if official and official.unit_id else "",
        "rank": official.rank if official else "",
    }
    members = [_member(m, i, report) for i, m in enumerate(person.members, start=1)]
    photo = _photo(person.get("ZhaoPian"), report)
    sheet_values = {k: person.get(tag) for k, tag in SHEET_FIELDS.items()}
    for key, limit in SHEET_LIMITS.items():
        if len(sheet_values[key]) > limit:
            report.problems.append((LABELS[SHEET_FIELDS[key]], f"不能超过 {limit} 个字。"))
    lines = resume_lines(person.get("JianLi"))
    matcher = _UnitMatcher()
    planned = _plan_posts(lines, matcher, report)
    if not values["unit_id"] and planned and planned[-1][1].end is None:
        values["unit_id"] = str(planned[-1][0].id)  # the open-ended last post: current unit
    data, errors = _form_data(_OfficialForm, values)
    for key, message in errors.items():
        report.problems.append((_label(key), message))
    if not report.ok:
        return
    saved = official
    if official is None or any(getattr(official, k) != v for k, v in data.items()):
        saved = save_official(official, data)
    report.official_id, report.created = saved.id, official is None
    if photo is not None and photo[0] != (saved.photo or b""):
        saved.photo, saved.photo_mime = photo  # already encoded again by photos.encode
    _save_sheet(saved, sheet_values)
    report.members = _save_members(saved, members)
    _save_posts(saved, planned, report)


def _iso(day) -> str:
    return day.isoformat() if day else ""


class _OfficialForm(OfficialForm):
    def __init__(self, formdata, meta):
        super(BaseForm, self).__init__(formdata=formdata, meta=meta)
        self.unit_id.choices = []


class _PostForm(PostForm):
    def __init__(self, formdata, meta):
        super(BaseForm, self).__init__(formdata=formdata, meta=meta)
        self.unit_id.choices = []


def _member(m: dict, index: int, report: LrmxReport) -> dict:
    label = f"家庭成员第 {index} 项（{m.get('XingMing') or '未填姓名'}）"
    try:
        birth = parse_month(m.get("ChuShengRiQi"))
    except ValueError:
        report.problems.append((label, f"出生日期“{m.get('ChuShengRiQi')[:20]}”无法识别，应为 YYYYMM。"))
        birth = None
    if not m.get("XingMing") or not m.get("ChengWei"):
        report.problems.append((label, "须填写称谓和姓名。"))
    for key, limit in (("ChengWei", 16), ("XingMing", 64), ("ZhengZhiMianMao", 32),
                       ("GongZuoDanWeiJiZhiWu", 200)):
        if len(m.get(key, "")) > limit:
            report.problems.append((label, f"内容过长（不能超过 {limit} 个字）。"))
    return {"relation": m.get("ChengWei", ""), "name": m.get("XingMing", ""),
            "birth_date": birth, "political_status": m.get("ZhengZhiMianMao", ""),
            "work": m.get("GongZuoDanWeiJiZhiWu", ""), "sort_order": index}


def _photo(text: str, report: LrmxReport) -> tuple[bytes, str] | None:
    if not text:
        return None
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        report.problems.append(("照片", "照片（ZhaoPian）不是有效的 Base64 编码。"))
        return None
    try:
        return photos.encode(data)  # the same checks and encoding as an upload
    except ValidationFailed as exc:
        report.problems.append(("照片", next(iter(exc.errors.values()))))
        return None


def _plan_posts(lines, matcher, report) -> list[tuple[Unit, ResumeLine]]:
    planned = []
    for line in lines:
        if line.start is None:
            line.reason = "不是以起止年月开头的任职经历（如学习经历的补充说明），未导入为任职经历。"
            report.unmatched.append(line)
            continue
        unit = matcher.match(line.position)
        if unit is None:
            line.reason = "未找到与之对应的系统单位（按单位名称开头匹配），未导入为任职经历。"
            report.unmatched.append(line)
            continue
        planned.append((unit, line))
    return planned


def _save_sheet(official: Official, values: dict) -> None:
    sheet = db.session.scalar(select(AppointmentSheet).where(
        AppointmentSheet.official_id == official.id))
    if sheet is None:
        sheet = AppointmentSheet(official_id=official.id)
        db.session.add(sheet)
    for key, value in values.items():
        if getattr(sheet, key) != value:
            setattr(sheet, key, value)


def _save_members(official: Official, members: list[dict]) -> int:
    current = {(m.relation, m.name): m for m in db.session.scalars(
        select(FamilyMember).where(FamilyMember.official_id == official.id))}
    for values in members:
        values = {**values, "relative_official_id": _relative(values, official)}
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


def _relative(values: dict, official: Official) -> int | None:
    """The official this family member is, when exactly one matches name and birth month."""
    if values["birth_date"] is None:
        return None
    ids = [o.id for o in db.session.scalars(select(Official).where(
        Official.name == values["name"], Official.id != official.id))
        if o.birth_date.replace(day=1) == values["birth_date"]]
    return ids[0] if len(ids) == 1 else None


def _save_posts(official: Official, planned, report: LrmxReport) -> None:
    existing = {(p.unit_id, p.start_date): p for p in db.session.scalars(
        select(Post).where(Post.official_id == official.id))}
    for unit, line in planned:
        post = existing.get((unit.id, line.start))
        values = {"unit_id": str(unit.id), "title": line.position,
                  "start_date": line.start.isoformat(), "end_date": _iso(line.end),
                  # Not on the form: kept from the record.
                  "rank": post.rank if post else "", "note": post.note if post else ""}
        if post is not None and post.is_principal:
            values["is_principal"] = "y"
        data, errors = _form_data(_PostForm, values)
        label = f"简历第 {line.number} 行"
        if errors:
            report.problems.extend((label, m) for m in errors.values())
            continue
        if post is not None and all(getattr(post, k) == v for k, v in data.items()):
            continue
        try:
            save_post(official, post, data)
        except ValidationFailed as exc:
            report.problems.extend((label, m) for m in exc.errors.values())
            continue
        if post is None:
            report.posts_created += 1
        else:
            report.posts_updated += 1
