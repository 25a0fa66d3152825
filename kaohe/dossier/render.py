"""Render a dossier snapshot to PDF bytes (ReportLab platypus); no database access.

The same snapshot and font give the same bytes: invariant mode, the PDF creation
date taken from the snapshot's ``generated_at``, no randomness. Every page gets
the header (name, dossier number, confidentiality mark) and the footer
「第 X 页 共 Y 页」; :class:`DossierCanvas` holds the pages back until the total
is known, then draws both and the outline entries.
"""
from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from kaohe.dossier import assess, cover, records
from kaohe.dossier.fonts import FontSpec, draw_runs, preload
from kaohe.dossier.styles import (
    BOTTOM, FREQUENT_CHARS, GREY, INK, LEFT, PAGE_H, PAGE_W, RED, RIGHT, TEMPLATE_CHARS, TOP, Kit,
    TextLine, kit as load_kit,
)


class DossierCanvas(Canvas):
    """Canvas that defers pages to draw 「第 X 页 共 Y 页」 and page-accurate bookmarks."""

    def __init__(self, *args, chrome: dict, kit: Kit, **kwargs):
        super().__init__(*args, **kwargs)
        self._chrome, self._kit = chrome, kit
        self._pages: list[dict] = []
        self._marks: list[tuple[str, int]] = []
        stamp = chrome["pdf_date"]
        self.setDateFormatter(lambda *_: stamp)
        preload(kit.font, self._doc, TEMPLATE_CHARS, FREQUENT_CHARS)

    def mark(self, title: str, level: int) -> None:
        """Outline entry pointing at the current page."""
        self._marks.append((title, level))

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._marks = []
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_chrome(number, total)
            for k, (title, level) in enumerate(state["_marks"]):
                key = f"p{number}m{k}"
                self.bookmarkPage(key, fit="XYZ", top=PAGE_H)
                self.addOutlineEntry(title, key, level=level)
            Canvas.showPage(self)
        Canvas.save(self)

    def _draw_chrome(self, number: int, total: int) -> None:
        c, fs = self._chrome, self._kit.font
        self.saveState()
        top = PAGE_H - 22 * mm
        self.setFillColor(RED)
        mark = draw_runs(self, fs, LEFT, top, f"【{c['mark']}】", 9)
        self.setFillColor(INK)
        right = draw_runs(self, fs, PAGE_W - RIGHT, top, f"材料编号：{c['number']}", 9,
                          align="right")
        title = f"{c['name']}　干部考评材料"
        room = PAGE_W - RIGHT - right - 8 - (LEFT + mark + 4)
        # A long name (the form takes 64 characters) is set smaller, never over the number.
        size = min(9, 9 * room / max(fs.width(fs.clean(title), 9), 1))
        draw_runs(self, fs, LEFT + mark + 4, top, title, size)
        self.setStrokeColor(GREY)
        self.setLineWidth(0.6)
        self.line(LEFT, top - 4, PAGE_W - RIGHT, top - 4)
        draw_runs(self, fs, PAGE_W / 2, 20 * mm, f"第 {number} 页 共 {total} 页", 9.5,
                  align="center")
        self.restoreState()


class DossierDoc(BaseDocTemplate):
    def __init__(self, buf, snap: dict, **kw):
        o, meta = snap["official"], snap["dossier"]
        super().__init__(
            buf, pagesize=(PAGE_W, PAGE_H), leftMargin=LEFT, rightMargin=RIGHT,
            topMargin=TOP, bottomMargin=BOTTOM, invariant=1,
            title=f"干部考评材料 {o['name']} {meta['number']}", author="干部考评管理系统",
            subject=f"截止日期 {snap['as_of']}", creator="Kaohe", **kw)
        frame = Frame(LEFT, BOTTOM, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    def afterFlowable(self, flowable):
        if isinstance(flowable, TextLine) and flowable.outline:
            self.canv.mark(*flowable.outline)


def _pdf_date(generated_at: str) -> str:
    t = dt.datetime.fromisoformat(generated_at)
    off = t.utcoffset() or dt.timedelta(0)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return (f"D:{t:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'")


def story(snap: dict, k: Kit) -> list:
    """All flowables of the dossier, in the order the issue prescribes."""
    return (cover.cover(snap, k) + cover.basic(snap, k) + assess.assessments(snap, k)
            + records.unit_results(snap, k) + records.reviews(snap, k)
            + records.org_notes(snap, k) + records.discipline(snap, k)
            + records.flags(snap, k) + records.closing(snap, k))


def render_pdf(snap: dict, font: FontSpec = None) -> bytes:
    """PDF bytes of ``snap`` (with its ``dossier`` meta) using the font ``font`` spec."""
    k = load_kit(font)
    meta = snap["dossier"]
    chrome = {"name": snap["official"]["name"], "number": meta["number"],
              "mark": cover.setting(snap, "dossier.confidentiality") or "内部",
              "pdf_date": _pdf_date(meta["generated_at"])}
    buf = io.BytesIO()
    doc = DossierDoc(buf, snap)

    def canvasmaker(*args, **kwargs):
        return DossierCanvas(*args, chrome=chrome, kit=k, **kwargs)

    doc.build(story(snap, k), canvasmaker=canvasmaker)
    return buf.getvalue()
