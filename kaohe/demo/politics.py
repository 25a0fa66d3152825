"""Demo officials' political affiliation and education as a 任免审批表 writes them.

A realistic mix: most officials are CCP members (中共预备党员 within a year of
joining), the others 民主党派 members (with the party's name and date), 无党派人士
or 群众; degrees carry their discipline ("经济学学士") and a 党校's in-service
研究生 its marker ("省委党校研究生", no degree). Each row draws from its own
generator seeded by the ID number, so the demo's main sequence is unchanged.
"""
from __future__ import annotations

import datetime as dt
import random

# Weights roughly as the eight parties' membership among officials.
PARTIES = (("民盟", 20), ("民进", 16), ("九三学社", 14), ("民建", 14), ("农工党", 12),
           ("致公党", 8), ("民革", 12), ("台盟", 4))
NON_CCP = (("民主党派", 50), ("无党派人士", 35), ("群众", 15))
DISCIPLINES = {"汉语言文学": "文学", "行政管理": "管理学", "法学": "法学", "经济学": "经济学",
               "会计学": "管理学", "思想政治教育": "法学", "土木工程": "工学",
               "计算机科学与技术": "工学", "城市规划": "工学", "农学": "农学",
               "历史学": "历史学", "公共管理": "管理学"}
INSERVICE_DEGREES = ("公共管理硕士", "管理学硕士", "经济学硕士", "法学硕士", "工商管理硕士")
PARTY_SCHOOLS = {"中共江西省委党校": "省委党校研究生", "中央党校": "中央党校研究生"}


def _pick(rng: random.Random, weighted) -> str:
    names, weights = zip(*weighted)
    return rng.choices(names, weights=weights)[0]


def _discipline(school: str) -> str:
    return next((d for major, d in DISCIPLINES.items() if major in school), "管理学")


def dress(row: dict, today: dt.date) -> dict:
    """``row`` (an official's columns) with its affiliation and education as the form writes
    them; ``party_date`` None means the official is no CCP member."""
    rng = random.Random(row["id_number"])
    joined = row["party_date"]
    row.update(political_status="中共党员", democratic_party="", democratic_party_date=None)
    if joined is not None and (today - joined).days < 365:
        row["political_status"] = "中共预备党员"
    elif joined is None:
        status = _pick(rng, NON_CCP)
        row["political_status"] = status
        if status == "民主党派":
            start = row["work_start_date"] + dt.timedelta(days=rng.randint(365, 5000))
            row["democratic_party"] = _pick(rng, PARTIES)
            row["democratic_party_date"] = min(start, today - dt.timedelta(days=400))
    if row["degree_fulltime"] in ("学士", "硕士", "博士"):
        row["degree_fulltime"] = _discipline(row["school_fulltime"]) + row["degree_fulltime"]
    school = next((s for s in PARTY_SCHOOLS if row["school_inservice"].startswith(s)), None)
    if school is not None:
        row.update(edu_inservice=PARTY_SCHOOLS[school], degree_inservice="",
                   school_inservice=school + rng.choice(("经济管理", "行政管理", "法学")) + "专业")
    elif row["degree_inservice"]:
        row["degree_inservice"] = rng.choice(INSERVICE_DEGREES)
    return row
