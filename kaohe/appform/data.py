"""What the printed 干部任免审批表 shows, read from the records into plain values.

The official's record gives the head of the form; the :class:`AppointmentSheet` the
fields it has no column for; an agenda item's own 拟任/拟免 and 任免理由 replace the
sheet's, never mixed with them (the sheet may hold another proposal). Texts the LRMX
export writes too come from the same functions
(:func:`~kaohe.officials.politics.party_text`, :func:`~kaohe.interop.resume.resume_text`,
:func:`~kaohe.assessments.wording.annual_results_text`). Every age is taken on the
form's 计算年龄时间 (``as_of``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from kaohe.assessments.wording import annual_results_text
from kaohe.core.perkey import PerKey
from kaohe.core.periods import age_on
from kaohe.dossier.snapshot import post_at, posts_of
from kaohe.interop.lrmx_export import sheet_of
from kaohe.interop.models import FamilyMember
from kaohe.interop.resume import resume_text
from kaohe.officials.models import Official
from kaohe.officials.politics import party_text

# Words by which a form marks a family member who has died.
DECEASED_WORDS = ("去世", "已故")
DECEASED = "（已去世）"
# Agenda actions whose proposed post is one the official leaves (拟免), not takes.
REMOVALS = frozenset({"dismiss", "retire"})


@dataclass(frozen=True)
class Relative:
    """One row of 家庭主要成员及重要社会关系 as printed."""

    relation: str
    name: str
    age: str
    political_status: str
    work: str


@dataclass(frozen=True)
class FormData:
    """Every printed value of the form, already in the form's wording."""

    name: str
    gender: str
    birth: str  # 1975.03
    age: str  # （50岁）
    ethnicity: str
    native_place: str
    birth_place: str
    party: str
    work_start: str
    health: str
    tech_title: str
    specialty: str
    edu_fulltime: str
    degree_fulltime: str
    school_fulltime: str  # 毕业院校系及专业 of the 学历
    degree_school_fulltime: str  # … of the 学位
    edu_inservice: str
    degree_inservice: str
    school_inservice: str
    degree_school_inservice: str
    current_post: str
    proposed_post: str
    proposed_removal: str
    resume: str
    rewards: str
    annual_results: str
    reason: str
    report_unit: str
    report_date: str  # 2026年12月03日
    filler: str
    as_of: dt.date
    photo: bytes | None = None
    family: tuple[Relative, ...] = field(default_factory=tuple)


def month(day: dt.date | None) -> str:
    """「1975.03」: dates in the form's cells."""
    return f"{day.year}.{day.month:02d}" if day else ""


def is_deceased(member: FamilyMember) -> bool:
    return any(w in f"{member.relation}{member.name}{member.work}" for w in DECEASED_WORDS)


def relative(member: FamilyMember, as_of: dt.date) -> Relative:
    """A family member's row: age on ``as_of``; the deceased marked, without age."""
    name, age = member.name, ""
    if is_deceased(member):
        if not any(w in f"{member.relation}{member.name}" for w in DECEASED_WORDS):
            name += DECEASED
    elif member.birth_date is not None and member.birth_date <= as_of:
        age = str(age_on(member.birth_date, as_of))
    return Relative(member.relation, name, age, member.political_status, member.work)


def item_proposal(item) -> tuple[str, str, str]:
    """(拟任, 拟免, 任免理由) of an agenda item. Items recorded before 拟免 had its own
    field put the post a 免职/退休 leaves in 拟任; that is read as their 拟免."""
    if item.action in REMOVALS:
        return "", item.proposed_removal or item.proposed_post, item.reason
    return item.proposed_post, item.proposed_removal, item.reason


# Every form of an agenda bundle reads one (issue 17; kaohe.core.perkey).
_FAMILY = PerKey(lambda: select(FamilyMember).order_by(FamilyMember.sort_order, FamilyMember.id),
                 lambda: FamilyMember.official_id)


def family_of(official_id: int) -> list[FamilyMember]:
    return _FAMILY(official_id)


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def collect(official: Official, as_of: dt.date, today: dt.date, item=None,
            filled_by: str = "") -> FormData:
    """The form of ``official`` with ages and 简历 on ``as_of``, dated with the 填表时间 the
    sheet records, else ``today`` (as the LRMX export); ``item`` (an
    agenda item) supplies 拟任/拟免 and 任免理由; ``filled_by`` is the 填表人 when the
    sheet names none (as in the LRMX export)."""
    sheet = sheet_of(official)
    proposed, removal, reason = sheet.proposed_post, sheet.proposed_removal, sheet.reason
    if item is not None:  # the item's own proposal only: the sheet's may be another one
        proposed, removal, reason = item_proposal(item)
    return FormData(
        name=official.name, gender=official.gender_label, birth=month(official.birth_date),
        age=f"（{age_on(official.birth_date, as_of)}岁）", ethnicity=official.ethnicity,
        native_place=official.native_place, birth_place=sheet.birth_place or "",
        party=party_text(official, "print"), work_start=month(official.work_start_date),
        health=sheet.health or "", tech_title=sheet.tech_title or "",
        specialty=sheet.specialty or "",
        edu_fulltime=official.edu_fulltime, degree_fulltime=official.degree_fulltime,
        school_fulltime=official.school_fulltime,
        degree_school_fulltime=sheet.degree_school_fulltime or "",
        edu_inservice=official.edu_inservice, degree_inservice=official.degree_inservice,
        school_inservice=official.school_inservice,
        degree_school_inservice=sheet.degree_school_inservice or "",
        # As the dossier says it: the posts held on as_of when they changed since.
        current_post=post_at(official.current_post, posts_of(official.id), as_of),
        proposed_post=proposed or "",
        proposed_removal=removal or "", resume=resume_text(official, sheet, until=as_of),
        rewards=sheet.rewards or "", annual_results=annual_results_text(official, as_of),
        reason=reason or "", report_unit=sheet.reporting_unit or "",
        report_date=_day(sheet.filled_on or today),
        filler=sheet.filled_by or filled_by, as_of=as_of, photo=official.photo,
        family=tuple(relative(m, as_of) for m in family_of(official.id)))
