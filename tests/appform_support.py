"""Helpers of the 干部任免审批表 tests: records to print, and reading the PDF back."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfReader

from kaohe.extensions import db
from kaohe.interop.models import AppointmentSheet, FamilyMember
from tests import factories

D = dt.date


def jpeg(size=(90, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (90, 120, 160)).save(buf, "JPEG")
    return buf.getvalue()


def sheet(official, **kw) -> AppointmentSheet:
    data = {"birth_place": "浙江杭州", "health": "健康", "tech_title": "高级经济师",
            "specialty": "财政金融管理", "proposed_post": "东城区委书记",
            "proposed_removal": "东城区区长职务", "resume": "",
            "rewards": "2019年被评为全省优秀公务员。", "reason": "工作需要。",
            "reporting_unit": "中共测试市委组织部", "filled_by": "刘科长",
            "degree_school_fulltime": "浙江大学经济学院"}
    data.update(kw)
    row = AppointmentSheet(official_id=official.id, **data)
    db.session.add(row)
    db.session.flush()
    return row


def member(official, relation, name, birth=None, *, day_known=False, status="中共党员",
           work="", order=0) -> FamilyMember:
    row = FamilyMember(official_id=official.id, relation=relation, name=name, birth_date=birth,
                       birth_day_known=day_known, political_status=status, work=work,
                       sort_order=order)
    db.session.add(row)
    db.session.flush()
    return row


def full_official(name="王建国", birth=D(1975, 3, 8), **kw):
    """An official with every field of the form filled, a post, a photo, family."""
    from kaohe.officials import photos

    unit = factories.unit(name="东城区", kind="county")
    o = factories.official(
        name=name, birth=birth, unit_obj=unit, current_post="东城区区长",
        edu_fulltime="大学", degree_fulltime="经济学学士", school_fulltime="浙江大学经济系",
        edu_inservice="研究生", degree_inservice="管理学硕士",
        school_inservice="中共浙江省委党校经济管理专业", **kw)
    photos.attach(o, jpeg())
    factories.post(o, unit, start=D(2016, 1, 1), title="东城区区长", principal=True)
    sheet(o)
    member(o, "妻子", "李梅", D(1977, 5, 1), work="东城区第一中学教师", order=1)
    member(o, "父亲", "王大山", None, work="已去世", order=2)
    return o


def pages(pdf: bytes, raw: bool = False) -> list[str]:
    """The text of each page, as pdftotext (poppler) reads it; ``raw``: in drawing order
    (a cell's lines together)."""
    n = len(PdfReader(io.BytesIO(pdf)).pages)
    mode = ["-raw"] if raw else []
    return [subprocess.run(["pdftotext", *mode, "-f", str(k), "-l", str(k), "-", "-"],
                           input=pdf, capture_output=True, check=True).stdout.decode()
            for k in range(1, n + 1)]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int

    @property
    def height(self) -> float:
        return self.y1 - self.y0


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r'([^<]*)</word>')


def words(pdf: bytes) -> list[Word]:
    """Every word with its box (points from the top left) and page (1-based)."""
    html = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    out = []
    for n, page in enumerate(html.split("<page ")[1:], start=1):
        for m in _WORD.finditer(page):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            out.append(Word(m.group(5).replace("&amp;", "&"), x0, y0, x1, y1, n))
    return out


def find(ws: list[Word], text: str, page: int | None = None) -> Word:
    hits = [w for w in ws if text in w.text and (page is None or w.page == page)]
    assert hits, f"{text!r} not on the form"
    return hits[0]


def image_count(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    return sum(len(p.images) for p in reader.pages)


def column(ws: list[Word], top: Word) -> str:
    """The words of ``top``'s page centred on its column, from ``top`` down, joined."""
    mid = (top.x0 + top.x1) / 2
    below = [w for w in ws if w.page == top.page and abs((w.x0 + w.x1) / 2 - mid) < 3
             and w.y0 >= top.y0 - 1]
    return "".join(w.text for w in sorted(below, key=lambda w: w.y0))
