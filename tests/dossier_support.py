"""Shared data and PDF probes of the dossier tests."""
from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest

from pypdf import PdfReader

from tests import factories as f

D = dt.date
AS_OF = D(2020, 4, 10)  # window: 2017, 2018, 2019


def rich_official(name="王建国", **kw):
    """An official with a bit of everything, around the 2017–2019 window (not committed).

    2016 annual (outside the window) 优秀; 2017 称职 with votes; 2018 missing;
    2019 基本称职; a quarterly and a special result in 2018; reviews in 2015 (outside),
    2018 and 2020-03 (inside) and 2020-06 (after the as-of date); a file audit and a
    pending petition.
    """
    unit = f.unit(name="东城区")
    o = f.official(name=name, unit_obj=unit, edu_fulltime="大学", degree_fulltime="学士",
                   school_fulltime="浙江大学公共管理专业", **kw)
    f.post(o, unit, start=D(2012, 3, 1), end=D(2016, 12, 31), title="区委常委、组织部部长")
    f.post(o, unit, start=D(2017, 1, 1), principal=True, title="区长")
    f.result(o, 2016, "excellent", score=95, comment="二〇一六年评语")
    f.result(o, 2017, "competent", score=88.5, unit_rank=3, unit_size=30, votes_total=40,
             votes_excellent=20, votes_competent=16, votes_basically_competent=4,
             votes_incompetent=0, public_rating=86, comment="工作扎实，勇于担当。")
    f.result(o, 2019, "basically_competent", score=71, public_rating=75.5,
             comment="推进重点项目不力，作风有待改进。")
    f.result(o, 2018, "excellent", kind="quarterly", quarter=2, score=95)
    f.result(o, 2018, "competent", kind="special", task_name="脱贫攻坚", score=85)
    f.review(o, date=D(2015, 5, 1), conclusion="good", strengths="窗口之前的研判")
    f.review(o, date=D(2018, 5, 3), conclusion="fairly_good", strengths="政治站位高，抓落实有韧劲。",
             weaknesses="创新意识不足。", summary="综合表现较好。")
    f.review(o, date=D(2020, 3, 3), kind="inspection", conclusion="poor",
             strengths="熟悉经济工作。", weaknesses="担当不够，群众反映较多。", summary="考察结论较差。")
    f.review(o, date=D(2020, 6, 1), conclusion="good", strengths="截止日期之后的研判")
    f.note(o, date=D(2019, 3, 1), content="档案审核无问题")
    f.note(o, date=D(2019, 8, 1), kind="petition", result="pending",
           content="群众反映其在征地拆迁中存在违规问题。")
    return o


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in reader(pdf).pages]


def flat(text: str) -> str:
    """Text without line breaks and spaces (wrapped table cells are split by the extractor).

    The CID fallback font prints the middle dot as U+30FB (see kaohe.dossier.fonts);
    it is read back as U+00B7 so tests hold with either font.
    """
    return re.sub(r"\s+", "", text).replace("\u30fb", "\u00b7")


def require_cjk_truetype() -> None:
    """Skip (fail under CI, whose .ci/run installs it) without a CJK TrueType font."""
    from kaohe.dossier import fonts

    if fonts.find_ttf() is None:
        message = "no CJK TrueType font installed: apt-get install fonts-wqy-microhei"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
