"""Filters of the officials search beyond name, unit, rank and grade (issue 14.3).

Each is a condition on :class:`~kaohe.officials.models.Official` evaluated in the
database on the search date: age range, education level (全日制 or 在职), political
affiliation, years in the current post, principal leaders only, and the number of 优秀
in the last concluded years (the assessment window).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from kaohe.assessments.models import AssessmentResult
from kaohe.assessments.window import assessment_window
from kaohe.officials.models import Official, Post
from kaohe.search.pinyin import pinyin_query
from kaohe.stats.queries import NON_CCP, full_years, holds_post_on

POLITICS = {"ccp": "中共党员（含预备党员）", "democratic": "民主党派", "nonparty": "无党派人士",
            "masses": "群众", "non_ccp": "党外干部（民主党派、无党派、群众）", "unrecorded": "未填写"}
_POLITICS_VALUES = {"ccp": ("中共党员", "中共预备党员"), "democratic": ("民主党派",),
                    "nonparty": ("无党派人士",), "masses": ("群众",), "non_ccp": NON_CCP,
                    "unrecorded": ("",)}


@dataclass(frozen=True)
class Extra:
    """The filters; None or "" means not filtered."""

    age_min: int | None = None
    age_max: int | None = None
    education: str = ""  # a level of EDUCATION, matched in 全日制 or 在职
    politics: str = ""  # a key of POLITICS
    tenure_min: int | None = None  # full years in the current post, at least
    principal: bool = False  # holds a principal (正职) post on the date
    excellent_min: int | None = None  # 优秀 in the window's concluded years, at least

    def any(self) -> bool:
        return any(v not in (None, "", False) for v in self.__dict__.values())


def name_condition(q: str) -> ColumnElement:
    """Name search: for Latin letters, the start of a pinyin spelling or of the initials
    ("zgw", "zg", "zhaogangwei", "zhaog" find 赵刚伟; "gangwei" does not), as Chinese
    software matches; else the characters anywhere in the name."""
    spelled = pinyin_query(q)
    if spelled is not None:
        return (literal(" ") + Official.name_pinyin).contains(" " + spelled, autoescape=True)
    return Official.name.contains(q.strip(), autoescape=True)


def conditions(extra: Extra, day: dt.date) -> list[ColumnElement]:
    """The WHERE conditions of ``extra`` on ``day``."""
    out: list[ColumnElement] = []
    age = full_years(Official.birth_date, day)
    if extra.age_min is not None:
        out.append(age >= extra.age_min)
    if extra.age_max is not None:
        out.append(age <= extra.age_max)
    if extra.education:
        out.append(or_(Official.edu_fulltime.contains(extra.education, autoescape=True),
                       Official.edu_inservice.contains(extra.education, autoescape=True)))
    if extra.politics in _POLITICS_VALUES:
        out.append(Official.political_status.in_(_POLITICS_VALUES[extra.politics]))
    if extra.tenure_min is not None:
        since = (select(func.max(Post.start_date)).where(Post.official_id == Official.id,
                                                         holds_post_on(day))
                 .scalar_subquery())
        out.append(and_(since.is_not(None), full_years(since, day) >= extra.tenure_min))
    if extra.principal:
        out.append(select(Post.id).where(Post.official_id == Official.id, holds_post_on(day),
                                         Post.is_principal.is_(True)).exists())
    if extra.excellent_min:
        A = AssessmentResult
        years = assessment_window(day).years
        count = (select(func.count()).where(A.official_id == Official.id, A.kind == "annual",
                                            A.grade == "excellent", A.deleted_at.is_(None),
                                            A.year.in_(years)).scalar_subquery())
        out.append(count >= extra.excellent_min)
    return out
