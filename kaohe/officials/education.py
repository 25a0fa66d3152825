"""学历 and 学位 as the 干部任免审批表 writes them, kept as written.

学历 keeps its marker ("省委党校研究生", "中央党校大学", "在职研究生") and 学位 its
discipline ("经济学学士", "管理学硕士", "工商管理硕士（MBA）"): nothing is collapsed to a
category. A 学历 must name a level of the ZB64 table (one of :data:`LEVEL_WORDS`,
including "技工学校", "中师" and the "硕士"/"博士" real forms write for 研究生); a 学位
must be a 学士, 硕士 or 博士 degree of GB/T 6864, academic or professional, optionally
followed by its abbreviation in brackets, or a professional degree's abbreviation
alone ("MPA"), or "无"; :func:`degree_has_discipline` tells a degree written with its
discipline from a bare "学士".
"""
from __future__ import annotations

import re

# Words naming an education level (ZB64 and what real forms write), in the order tried.
LEVEL_WORDS = ("研究生", "博士", "硕士", "大学", "本科", "大专", "专科", "高职", "中专", "中技",
               "技校", "技工", "中师", "师范", "中职", "高中", "职高", "初中", "小学")
# The levels, highest first, by the words naming each; tried in the order below, so
# "中等专科" is 中专 before 专科 is tried and "大学专科" 专科 before 大学.
_LEVEL_TRIES = ((0, ("研究生", "博士", "硕士")),
                (3, ("中等专科", "中专", "中技", "技校", "技工", "中师", "中职")),
                (2, ("大专", "专科", "高职")), (1, ("大学", "本科")), (3, ("师范",)),
                (4, ("高中", "职高")), (5, ("初中",)), (6, ("小学",)))
UNKNOWN_LEVEL = 7
DEGREE_WORDS = ("学士", "硕士", "博士")
# Professional degrees (GB/T 6864) written by their abbreviation alone.
DEGREE_ABBREVIATIONS = {"MBA": "工商管理硕士", "EMBA": "高级管理人员工商管理硕士",
                        "MPA": "公共管理硕士", "JM": "法律硕士", "MPACC": "会计硕士",
                        "MEM": "工程管理硕士", "MED": "教育硕士", "DBA": "工商管理博士"}
_BRACKETED = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")
# Suggestions offered by the forms (free text is allowed).
EDUCATION_SUGGESTIONS = ("研究生", "大学本科", "大学专科", "中等专科", "高中", "中央党校研究生",
                         "省委党校研究生", "省委党校大学", "市委党校大学", "在职研究生")
DEGREE_SUGGESTIONS = ("哲学学士", "经济学学士", "法学学士", "教育学学士", "文学学士", "理学学士",
                      "工学学士", "农学学士", "医学学士", "管理学学士", "经济学硕士", "法学硕士",
                      "管理学硕士", "工学硕士", "工商管理硕士", "公共管理硕士", "法律硕士",
                      "经济学博士", "管理学博士", "工学博士", "无")


def education_problem(text: str) -> str | None:
    """Why ``text`` is no 学历, or None ("" is not recorded)."""
    level = text.replace("博士后", "")  # a research post, not a level of education
    if not text or any(word in level for word in LEVEL_WORDS):
        return None
    return "学历应写明层次，如“大学本科”“研究生”“省委党校研究生”。"


def level_of(text: str) -> int:
    """The level a 学历 names, 0 (研究生) to 6 (小学); :data:`UNKNOWN_LEVEL` when none
    ("大学专科" is 专科, not 大学; "省委党校研究生" and "硕士" are 研究生)."""
    text = (text or "").replace("博士后", "")
    return next((level for level, words in _LEVEL_TRIES if any(w in text for w in words)),
                UNKNOWN_LEVEL)


def degree_problem(text: str) -> str | None:
    """Why ``text`` is no 学位, or None ("" is not recorded; "无" is none)."""
    if not text or text in ("无", "无学位"):
        return None
    if _degree(text).endswith(DEGREE_WORDS):
        return None
    return "学位应为学士、硕士或博士学位并写明学科，如“经济学学士”“管理学硕士”；没有学位填“无”。"


def _degree(text: str) -> str:
    """The degree without its bracketed abbreviation and "学位"; an abbreviation spelled out."""
    bare = _BRACKETED.sub("", text.strip()) or text.strip()
    return DEGREE_ABBREVIATIONS.get(bare.upper(), bare).removesuffix("学位")


def degree_has_discipline(text: str) -> bool:
    """Whether a degree names its discipline ("经济学学士", "MPA"), not only its level ("学士")."""
    return _degree(text) not in DEGREE_WORDS


def check_education(data: dict, errors: dict[str, str]) -> None:
    """The rules above on the four fields of an official (form field names)."""
    for field in ("edu_fulltime", "edu_inservice"):
        problem = education_problem(data.get(field) or "")
        if problem:
            errors[field] = problem
    for field in ("degree_fulltime", "degree_inservice"):
        problem = degree_problem(data.get(field) or "")
        if problem:
            errors[field] = problem
