"""年度考核结果 as a form writes it, read back and compared with the recorded results.

An imported form's text is kept as written (``AppointmentSheet.annual_results``);
:func:`stated_grades` reads the years and grades it states, and
:func:`annual_differences` lists where it and the recorded annual results differ:
on the import report and on the official's profile.
"""
from __future__ import annotations

import datetime as dt
import re

from kaohe.assessments.models import GRADES
from kaohe.assessments.window import assessment_window
from kaohe.assessments.wording import recorded_annual_grades
from kaohe.core import clock

_WORDS = {label: code for code, label in GRADES.items()}
# Longest first: 基本称职 and 不称职 contain 称职.
_GRADE = re.compile("|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)))
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_SEGMENTS = re.compile(r"[；;。\n]+")


def stated_grades(text: str) -> dict[int, str]:
    """Year → grade code, or the words written for a year without a grade
    ("2024年度未参加考核" → {2024: "未参加考核"}). "2022、2023年度考核称职" states both years."""
    stated: dict[int, str] = {}
    for segment in _SEGMENTS.split(text or ""):
        for part in re.split(r"[，,]\s*(?=(?:19|20)\d{2})", segment):
            years = [int(y) for y in _YEAR.findall(part)]
            if not years:
                continue
            grade = _GRADE.search(part)
            rest = _YEAR.sub("", part).replace("度", "").replace("、", "").strip(" ：:")
            for year in years:
                stated[year] = _WORDS[grade.group(0)] if grade else rest or "未写明等次"
    return stated


def _label(value: str | None) -> str:
    return GRADES.get(value, value) if value else ""


def annual_differences(official, text: str, on: dt.date) -> list[str]:
    """Where ``text`` (a form's 年度考核结果) and the recorded annual results differ: the
    years the text states, and the concluded years of the window on ``on`` it leaves out."""
    stated = stated_grades(text)
    if not (text or "").strip():
        return []
    years = sorted(set(stated) | set(assessment_window(on).years))
    recorded = recorded_annual_grades(official.id, years)
    out = []
    for year in years:
        said, kept = stated.get(year), recorded.get(year)
        if said == kept:
            continue
        if said is None:
            out.append(f"{year}年度：任免审批表未写，系统记录为“{_label(kept)}”。")
        elif kept is None:
            out.append(f"{year}年度：任免审批表写“{_label(said)}”，系统中没有该年度的年度考核结果。")
        else:
            out.append(f"{year}年度：任免审批表写“{_label(said)}”，系统记录为“{_label(kept)}”。")
    return out


def sheet_differences(official, sheet) -> list[str]:
    """:func:`annual_differences` of a kept form, on the day it speaks of (its 计算年龄时间,
    else its 填表时间, else today)."""
    if sheet is None:
        return []
    on = sheet.age_reference_date or sheet.filled_on or clock.today()
    return annual_differences(official, sheet.annual_results, on)
