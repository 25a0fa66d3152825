"""The 任免审批表's wording of an official's annual assessment results (年度考核结果).

"2023年度考核称职；2024年度考核优秀；2025年度考核结果未录入。": the concluded years of
:func:`~kaohe.assessments.window.assessment_window` on the form's date, oldest
first. A year with no recorded result says so; a year before the official started
work says that instead. Years still pending (待考核) are not part of the window and
are not listed, so nothing is claimed about an assessment not yet concluded.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.assessments.window import assessment_window
from kaohe.core.perkey import PerKey


# Forms and dossiers are made for many officials at a time (kaohe.core.perkey).
_ANNUAL = PerKey(lambda: select(
    AssessmentResult.official_id, AssessmentResult.year, AssessmentResult.grade).where(
        AssessmentResult.kind == "annual",
        AssessmentResult.year.in_(bindparam("years", expanding=True)),
        AssessmentResult.deleted_at.is_(None)),
    lambda: AssessmentResult.official_id, entities=False)


def recorded_annual_grades(official_id: int, years) -> dict[int, str]:
    """Year → grade code of the live annual results of ``official_id`` in ``years``."""
    return {r.year: r.grade for r in _ANNUAL(official_id, years=list(years))}


def not_yet_working(year: int, work_start: dt.date | None) -> str:
    """「未参加考核（2021.08参加工作）」 when the official started work after ``year``
    (no assessment to record that year), else ""."""
    if work_start is not None and work_start.year > year:
        return f"未参加考核（{work_start:%Y.%m}参加工作）"
    return ""


def year_text(year: int, grade: str | None, work_start: dt.date | None = None) -> str:
    """One year's words: "2024年度考核称职", or why there is no grade."""
    if grade:
        return f"{year}年度考核{GRADES.get(grade, grade)}"
    return f"{year}年度{not_yet_working(year, work_start) or '考核结果未录入'}"


def annual_results_text(official, as_of: dt.date) -> str:
    """The form's 年度考核结果 of ``official`` on ``as_of`` (the window's concluded years)."""
    years = assessment_window(as_of).years
    grades = recorded_annual_grades(official.id, years)
    return "；".join(year_text(y, grades.get(y), official.work_start_date) for y in years) + "。"
