"""报送前校验: a form checked against the LRMX specification before it is sent.

:func:`check_fields` lists every problem of a form (element → text, as written or
about to be exported): lengths, date formats, the 入党时间 text, required fields,
学位 with its discipline, 性别, the family items, and the 简历's periods: each line
"YYYY.MM--YYYY.MM  text", in order, with no gap. A period may start in the month
the previous one ended or the month after ("2010.01--2015.12" then "2016.01--"); a
gap is at least one whole month missing. Overlapping lines are concurrent posts
(兼任), which real 简历 often write as their own lines: not a problem. The export
page shows the list before download; ``flask interop export-lrmx`` exits non-zero on any.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kaohe.interop.lrmx_parse import parse_date
from kaohe.interop.lrmx_spec import BY_NAME, MEMBER, PERSON
from kaohe.officials.education import degree_has_discipline, degree_problem, education_problem
from kaohe.officials.politics import parse_party_text

REQUIRED = ("XingMing", "XingBie", "ChuShengNianYue", "MinZu", "JiGuan", "ChuShengDi",
            "CanJiaGongZuoShiJian", "JianKangZhuangKuang", "XianRenZhiWu", "JianLi",
            "JiangChengQingKuang", "NianDuKaoHeJieGuo", "ChengBaoDanWei",
            "JiSuanNianLingShiJian", "TianBiaoShiJian", "TianBiaoRen", "ShenFenZheng", "ZhaoPian")
_PERIOD = re.compile(r"^(\d{4})\.(\d{2})--(?:(\d{4})\.(\d{2}))?( +)(\S.*)$")
_OPEN = (9999, 12)  # the end of a period written "YYYY.MM--" (至今)
_DATED = re.compile(r"^\s*\d{4}\s*[.．]")
_DATE_FORMS = {"ChuShengNianYue": (6, 8), "CanJiaGongZuoShiJian": (6, 8),
               "JiSuanNianLingShiJian": (8,), "TianBiaoShiJian": (8,)}


@dataclass(frozen=True)
class Problem:
    label: str
    message: str


def check_fields(fields: dict[str, str], members: list[dict[str, str]]) -> list[Problem]:
    """Every problem of the form ``fields`` / ``members``; [] when it is ready to send."""
    out: list[Problem] = []
    for element in PERSON:
        value = fields.get(element.name, "")
        if element.name in REQUIRED and not value.strip():
            out.append(Problem(element.label, "必填，不能为空。"))
        if element.max is not None and len(value) > element.max:
            out.append(Problem(element.label, f"不能超过 {element.max} 个字（现有 {len(value)} 个）。"))
    for name, sizes in _DATE_FORMS.items():
        _date(out, BY_NAME[name].label, fields.get(name, ""), sizes)
    if fields.get("XingBie") and fields["XingBie"] not in ("男", "女"):
        out.append(Problem("性别", "应为“男”或“女”。"))
    try:
        parse_party_text(fields.get("RuDangShiJian", ""))
    except ValueError as exc:
        out.append(Problem("入党时间", str(exc)))
    _education(out, fields)
    out.extend(check_resume(fields.get("JianLi", "")))
    for index, member in enumerate(members, start=1):
        _member(out, index, member)
    return out


def _date(out: list[Problem], label: str, value: str, sizes: tuple[int, ...]) -> None:
    if not value:
        return
    shape = "YYYYMMDD" if sizes == (8,) else "YYYYMM 或 YYYYMMDD"
    try:
        parse_date(value)
    except ValueError:
        out.append(Problem(label, f"“{value[:20]}”不是有效日期，应为 {shape}。"))
        return
    if not value.isdigit() or len(value) not in sizes:
        out.append(Problem(label, f"“{value[:20]}”应写为 {shape}（纯数字）。"))


def _education(out: list[Problem], fields: dict[str, str]) -> None:
    for kind in ("QuanRiZhiJiaoYu", "ZaiZhiJiaoYu"):
        edu, degree = fields.get(f"{kind}_XueLi", ""), fields.get(f"{kind}_XueWei", "")
        problem = education_problem(edu)
        if problem:
            out.append(Problem(BY_NAME[f"{kind}_XueLi"].label, problem))
        label = BY_NAME[f"{kind}_XueWei"].label
        problem = degree_problem(degree)
        if problem:
            out.append(Problem(label, problem))
        elif degree and degree not in ("无", "无学位") and not degree_has_discipline(degree):
            out.append(Problem(label, f"“{degree}”未写明学科门类，应如“经济学学士”“管理学硕士”。"))
        if degree and degree not in ("无", "无学位") and not fields.get(
                f"{kind}_XueWei_BiYeYuanXiaoXi") and not fields.get(f"{kind}_XueLi_BiYeYuanXiaoXi"):
            out.append(Problem(BY_NAME[f"{kind}_XueWei_BiYeYuanXiaoXi"].label,
                               "填写了学位，须填写授予学位的院校系及专业。"))


def check_resume(text: str) -> list[Problem]:
    """The 简历's line format and continuity: in order, no gap between periods."""
    out: list[Problem] = []
    previous_end = previous_line = previous_start = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        label = f"简历第 {number} 行"
        m = _PERIOD.match(line)
        if m is None:
            if _DATED.match(line):
                out.append(Problem(label, "起止时间应写为“YYYY.MM--YYYY.MM”，其后空两格写经历"
                                          "（至今的写“YYYY.MM--”）。"))
            elif not line.lstrip().startswith(("（", "(")) and previous_line is None:
                out.append(Problem(label, "简历应以起止时间开头。"))
            continue  # （其间：…） and other continuation lines belong to the period above
        start = _month(m.group(1), m.group(2))
        end = _month(m.group(3), m.group(4)) if m.group(3) else None
        if start is None or (m.group(3) and end is None):
            out.append(Problem(label, "起止时间不是有效的年月。"))
            continue
        if end is not None and end < start:
            out.append(Problem(label, "结束时间早于开始时间。"))
        if len(m.group(5)) < 2:
            out.append(Problem(label, "起止时间与经历之间应空两格。"))
        if previous_start is not None and start < previous_start:
            out.append(Problem(label, "简历应按时间先后排列：本段早于上一段开始。"))
        elif previous_end is not None and start > _next_month(previous_end):
            out.append(Problem(label, f"与第 {previous_line} 行之间有空档：上一段止于 "
                                      f"{previous_end[0]}.{previous_end[1]:02d}，本段始于 "
                                      f"{start[0]}.{start[1]:02d}。"))
        # An open period runs to today, so the periods after it are concurrent with it.
        period_end = _OPEN if end is None else end
        previous_start = start
        if previous_end is None or period_end > previous_end:
            previous_end, previous_line = period_end, number
    return out


def _next_month(month: tuple[int, int]) -> tuple[int, int]:
    return (month[0] + 1, 1) if month[1] == 12 else (month[0], month[1] + 1)


def _month(year: str, month: str) -> tuple[int, int] | None:
    y, m = int(year), int(month)
    return (y, m) if 1900 <= y <= 2100 and 1 <= m <= 12 else None


def _member(out: list[Problem], index: int, member: dict[str, str]) -> None:
    label = f"家庭成员第 {index} 项（{member.get('XingMing') or '未填姓名'}）"
    for element in MEMBER:
        value = member.get(element.name, "")
        if element.max and len(value) > element.max:
            out.append(Problem(label, f"{element.label}不能超过 {element.max} 个字。"))
    if not member.get("ChengWei") or not member.get("XingMing"):
        out.append(Problem(label, "须填写称谓和姓名。"))
    birth = member.get("ChuShengRiQi", "")
    deceased = "去世" in member.get("ChengWei", "") + member.get("XingMing", "")
    if not birth and not deceased:
        out.append(Problem(label, "须填写出生日期（已去世的在称谓或姓名后注明“（已去世）”）。"))
    _date(out, label + "出生日期", birth, (6, 8))
    if not member.get("ZhengZhiMianMao") and not deceased:
        out.append(Problem(label, "须填写政治面貌。"))
    if not member.get("GongZuoDanWeiJiZhiWu") and not deceased:
        out.append(Problem(label, "须填写工作单位及职务（无工作的写明，如“退休”“无业”）。"))
