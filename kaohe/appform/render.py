"""Draw the 干部任免审批表 on a ReportLab canvas; no database access.

The layout is that of the official 任免表 editor (``shared/reference/
appointment-form-layout.md``): page 1 the head of the form, education, posts and
the full-height 简历; page 2 奖惩情况, 年度考核结果, 任免理由, the family table,
呈报单位 and the two opinion cells, 填表人 below the grid; then, when any text did
not fit its cell, the attached sheets (续页) that repeat the official's name and
carry the rest, section by section. Geometry is given in millimetres of the A4
form and scaled to B5; the type is 14 pt (A4) or 12 pt (B5), shrunk per cell down
to a floor (:mod:`.fit`).

The same :class:`~kaohe.appform.data.FormData`, size and font give the same bytes
(invariant mode, no dates of the machine in the file).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, B5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from kaohe.appform import fit
from kaohe.appform.data import FormData
from kaohe.dossier.fonts import FontSet, FontSpec, draw_runs, load, preload
from kaohe.dossier.styles import FREQUENT_CHARS

TITLE = "干部任免审批表"
LEFT, TOP = 20, 15  # mm of the A4 form
GRID_W = 170
# Page 1 columns (mm): label, value, label, value, label, value, photo.
COLS = (20, 24, 18, 24, 24, 26, 34)
HEAD_ROW, EDU_ROW, POST_ROW = 14.5, 9.5, 12.5
PAGE1_GRID = 250  # from the grid's top, under the title, to the bottom margin
# Page 2 rows (mm): 奖惩, 年度考核, 任免理由, family head and rows, 呈报单位, opinions.
P2_LABEL = 20
P2_ROWS = {"rewards": 38, "annual": 25, "reason": 38, "family_head": 10, "family": 9.5,
           "report": 30, "opinions": 44.5}
FAMILY_ROWS = 7
FAMILY_COLS = (18, 22, 13, 25, 72)
FAMILY_HEAD = ("称谓", "姓名", "年龄", "政治面貌", "工作单位及职务")
OPINION_COLS = (20, 55, 20, 75)
PAD_X, PAD_Y = 1.5, 1.0
# The form's own words, given the first codes of the font subsets so that those subsets
# are the same in every form and come from the cache of kaohe.dossier.fonts (speed only).
FORM_CHARS = "".join(sorted(set(
    TITLE + "姓名性别出生年月（岁）民族籍贯出生地入党时间参加工作时间健康状况专业技术职务熟悉专业有何专长"
    "学历学位全日制教育在职教育毕业院校系及专业现任职务拟任职务拟免职务简历奖惩情况年度考核结果任免理由"
    "家庭主要成员及重要社会关系称谓年龄政治面貌工作单位及职务呈报单位审批机关意见行政机关任免意见盖章日"
    "填表人：续页第转0123456789.-")))


@dataclass(frozen=True)
class Geometry:
    """Page size, the scale from the A4 form's millimetres, and the type sizes."""

    page: tuple[float, float]
    sx: float
    sy: float
    base: float

    @classmethod
    def of(cls, size: str) -> Geometry:
        if size == "B5":
            return cls(B5, B5[0] / A4[0], B5[1] / A4[1], 12.0)
        return cls(A4, 1.0, 1.0, 14.0)

    def x(self, v: float) -> float:
        return v * mm * self.sx

    def y(self, v: float) -> float:
        return v * mm * self.sy

    @property
    def floor(self) -> float:  # the least size of a short cell's text
        return self.base / 2

    @property
    def long_floor(self) -> float:  # … and of a long text (简历, 奖惩, 任免理由)
        return self.base * 5 / 7


@dataclass(frozen=True)
class Box:
    """A cell in points: left, top (from the page's bottom), width, height."""

    x: float
    top: float
    w: float
    h: float


class Sheet:
    """The form being drawn: canvas, fonts, geometry and what goes to the 续页."""

    def __init__(self, canvas: Canvas, fs: FontSet, g: Geometry):
        self.c, self.fs, self.g = canvas, fs, g
        self.rest: list[tuple[str, list[fit.Para]]] = []

    def box(self, b: Box, width: float = 0.6) -> None:
        self.c.setLineWidth(width)
        self.c.rect(b.x, b.top - b.h, b.w, b.h)

    def label(self, b: Box, text: str) -> None:
        """A horizontal label, its lines centred; shrunk to fit the cell."""
        self.box(b)
        lines = text.split("\n")
        px, py = self.g.x(PAD_X), self.g.y(PAD_Y)
        size = min([self.g.base, (b.h - 2 * py) / (len(lines) * fit.LEADING)]
                   + [(b.w - 2 * px) / max(self.fs.width(self.fs.clean(t), 1), 1) for t in lines])
        fitted = fit.Fitted(size, [(0.0, t) for t in lines])
        fit.draw(self.c, self.fs, fitted, b.x + px, b.top - py, b.w - 2 * px, b.h - 2 * py,
                 align="center")

    def vlabel(self, b: Box, text: str) -> None:
        """A label written top to bottom, one character (or two, if it is long) a line,
        the lines spread over the cell's height."""
        self.box(b)
        base, chars = self.g.base, list(text)
        per = 1 if len(chars) * base * 1.3 <= b.h * 0.9 else 2
        lines = ["".join(chars[i:i + per]) for i in range(0, len(chars), per)]
        size = min(base, b.h * 0.9 / (len(lines) * 1.3), (b.w - 2 * self.g.x(PAD_X)) / per)
        gap = min((b.h - len(lines) * size) / (len(lines) + 1), size * 3)
        y = b.top - (b.h - len(lines) * size - (len(lines) - 1) * gap) / 2 - size * 0.88
        for line in lines:
            draw_runs(self.c, self.fs, b.x + b.w / 2, y, line, size, align="center")
            y -= size + gap

    def value(self, b: Box, text: str, heading: str, *, long: bool = False,
              align: str = "center", valign: str = "middle", periods: bool = False,
              draw_box: bool = True) -> None:
        """``text`` fitted in the cell; what does not fit goes to the 续页 under ``heading``."""
        if draw_box:
            self.box(b)
        paras = fit.measure(self.fs, text, periods=periods)
        px, py = self.g.x(PAD_X), self.g.y(PAD_Y)
        w, h = b.w - 2 * px, b.h - 2 * py
        floor = self.g.long_floor if long else self.g.floor
        fitted = fit.fit(paras, w, h, self.g.base, floor, single=not long)
        fit.draw(self.c, self.fs, fitted, b.x + px, b.top - py, w, h, align=align,
                 valign=valign)
        if fitted.rest:
            self.rest.append((heading, fitted.rest))


def _cols(g: Geometry, widths, left: float = LEFT) -> list[float]:
    """x of each column's left edge, and the right edge last."""
    xs, x = [], g.x(left)
    for w in widths:
        xs.append(x)
        x += g.x(w)
    return xs + [x]


def page_one(s: Sheet, f: FormData) -> None:
    g, c = s.g, s.c
    height = g.page[1]
    title_size = g.base * 1.6
    draw_runs(c, s.fs, g.page[0] / 2, height - g.y(TOP) - title_size, TITLE, title_size, align="center", mode=2)
    xs = _cols(g, COLS)
    top = height - g.y(TOP + 12)

    def cell(c0: int, c1: int, y: float, h: float) -> Box:
        return Box(xs[c0], y, xs[c1 + 1] - xs[c0], h)

    rows = (("姓名", f.name, "性别", f.gender, "出生年月\n（岁）", f"{f.birth}\n{f.age}"),
            ("民族", f.ethnicity, "籍贯", f.native_place, "出生地", f.birth_place),
            ("入党\n时间", f.party, "参加工\n作时间", f.work_start, "健康\n状况", f.health))
    rh, y = g.y(HEAD_ROW), top
    for row in rows:
        for k in range(3):
            s.label(cell(2 * k, 2 * k, y, rh), row[2 * k])
            heading = row[2 * k].replace("\n", "")
            s.value(cell(2 * k + 1, 2 * k + 1, y, rh), row[2 * k + 1], heading)
        y -= rh
    s.label(cell(0, 0, y, rh), "专业技\n术职务")
    s.value(cell(1, 2, y, rh), f.tech_title, "专业技术职务")
    s.label(cell(3, 3, y, rh), "熟悉专业\n有何专长")
    s.value(cell(4, 5, y, rh), f.specialty, "熟悉专业有何专长")
    photo(s, cell(6, 6, top, 4 * rh), f.photo)
    y -= rh
    eh = g.y(EDU_ROW)
    s.label(cell(0, 0, y, 4 * eh), "学历\n学位")
    for kind, edu, degree, school, degree_school in (
            ("全日制\n教  育", f.edu_fulltime, f.degree_fulltime, f.school_fulltime,
             f.degree_school_fulltime),
            ("在  职\n教  育", f.edu_inservice, f.degree_inservice, f.school_inservice,
             f.degree_school_inservice)):
        name = kind.replace("\n", "").replace(" ", "")
        s.label(cell(1, 1, y, 2 * eh), kind)
        s.value(cell(2, 3, y, eh), edu, f"{name}学历")
        s.value(cell(2, 3, y - eh, eh), degree, f"{name}学位")
        s.label(cell(4, 4, y, 2 * eh), "毕业院校\n系及专业")
        s.value(cell(5, 6, y, eh), school, f"{name}学历毕业院校系及专业", align="left")
        s.value(cell(5, 6, y - eh, eh), degree_school, f"{name}学位毕业院校系及专业",
                align="left")
        y -= 2 * eh
    ph = g.y(POST_ROW)
    for label, text in (("现 任 职 务", f.current_post), ("拟 任 职 务", f.proposed_post),
                        ("拟 免 职 务", f.proposed_removal)):
        s.label(cell(0, 1, y, ph), label)
        s.value(cell(2, 6, y, ph), text, label.replace(" ", ""), align="left")
        y -= ph
    bottom = top - g.y(PAGE1_GRID)
    s.vlabel(cell(0, 0, y, y - bottom), "简历")
    s.value(cell(1, 6, y, y - bottom), f.resume, "简历", long=True, align="left",
            valign="top", periods=True)
    c.setLineWidth(1.2)
    c.rect(xs[0], bottom, xs[-1] - xs[0], top - bottom)


def photo(s: Sheet, b: Box, data: bytes | None) -> None:
    """The official's photo, scaled to fit the box (kept in proportion), when present."""
    s.box(b)
    if not data:
        return
    image = ImageReader(io.BytesIO(data))
    iw, ih = image.getSize()
    pad = s.g.x(2)
    scale = min((b.w - 2 * pad) / iw, (b.h - 2 * pad) / ih)
    w, h = iw * scale, ih * scale
    s.c.drawImage(image, b.x + (b.w - w) / 2, b.top - (b.h + h) / 2, w, h)


def page_two(s: Sheet, f: FormData) -> None:
    g, c = s.g, s.c
    top = g.page[1] - g.y(TOP)
    x0, x1 = g.x(LEFT), g.x(LEFT + P2_LABEL)
    right = g.x(LEFT + GRID_W)
    y = top
    for key, label, text in (("rewards", "奖惩情况", f.rewards),
                             ("annual", "年度考核结果", f.annual_results),
                             ("reason", "任免理由", f.reason)):
        h = g.y(P2_ROWS[key])
        s.vlabel(Box(x0, y, x1 - x0, h), label)
        s.value(Box(x1, y, right - x1, h), text, label, long=True, align="left", valign="top")
        y -= h
    y = family(s, f, y)
    h = g.y(P2_ROWS["report"])
    s.vlabel(Box(x0, y, x1 - x0, h), "呈报单位")
    report = Box(x1, y, right - x1, h)
    s.box(report)
    date_h = g.base * fit.LEADING + g.y(2 * PAD_Y)
    s.value(Box(x1, y, right - x1 - g.x(8), h - date_h), f.report_unit, "呈报单位", long=True,
            align="right", valign="bottom", draw_box=False)
    draw_runs(c, s.fs, right - g.x(8), y - h + g.y(3), f.report_date, g.base, align="right")
    y -= h
    h = g.y(P2_ROWS["opinions"])
    xs = _cols(g, OPINION_COLS)
    for k, label in enumerate(("审批机关意见", "行政机关任免意见")):
        s.vlabel(Box(xs[2 * k], y, xs[2 * k + 1] - xs[2 * k], h), label)
        cell = Box(xs[2 * k + 1], y, xs[2 * k + 2] - xs[2 * k + 1], h)
        s.box(cell)
        edge = cell.x + cell.w - g.x(6)
        draw_runs(c, s.fs, edge, y - h + g.y(4) + g.base * 1.6, "（盖章）", g.base, align="right")
        draw_runs(c, s.fs, edge, y - h + g.y(4), "年　　月　　日", g.base, align="right")
    y -= h
    c.setLineWidth(1.2)
    c.rect(x0, y, right - x0, top - y)
    draw_runs(c, s.fs, x0 + g.x(2), y - g.y(3) - g.base, f"填表人：{f.filler}", g.base)


def family(s: Sheet, f: FormData, top: float) -> float:
    """The family table from ``top`` down; returns the y below it."""
    g = s.g
    head, row = g.y(P2_ROWS["family_head"]), g.y(P2_ROWS["family"])
    x0, x1 = g.x(LEFT), g.x(LEFT + P2_LABEL)
    s.vlabel(Box(x0, top, x1 - x0, head + FAMILY_ROWS * row), "家庭主要成员及重要社会关系")
    xs = _cols(g, FAMILY_COLS, LEFT + P2_LABEL)
    for k, text in enumerate(FAMILY_HEAD):
        s.label(Box(xs[k], top, xs[k + 1] - xs[k], head), text)
    members = list(f.family)
    # Too many for the table: the last row says how many more the 续页 lists.
    shown = members if len(members) <= FAMILY_ROWS else members[:FAMILY_ROWS - 1]
    y = top - head
    for n in range(FAMILY_ROWS):
        m = shown[n] if n < len(shown) else None
        values = (m.relation, m.name, m.age, m.political_status, m.work) if m else ("",) * 5
        for k, text in enumerate(values):
            heading = f"家庭主要成员及重要社会关系·{m.name}·{FAMILY_HEAD[k]}" if m else ""
            s.value(Box(xs[k], y, xs[k + 1] - xs[k], row), text, heading,
                    align="left" if k == 4 else "center")
        y -= row
    if len(members) > len(shown):
        more = members[len(shown):]
        last = Box(xs[0], y + row, xs[-1] - xs[0], row)
        s.c.setFillColorRGB(1, 1, 1)
        s.c.rect(last.x, last.top - last.h, last.w, last.h, fill=1, stroke=1)
        s.c.setFillColorRGB(0, 0, 0)
        s.value(last, f"其余 {len(more)} 人{fit.CONTINUED}", "")
        lines = "\n".join(f"{m.relation}　{m.name}　{m.age + '岁' if m.age else ''}　"
                          f"{m.political_status}　{m.work}" for m in more)
        s.rest.append(("家庭主要成员及重要社会关系", fit.measure(s.fs, lines)))
    return y


def continuation(s: Sheet, name: str) -> None:
    """The attached sheets: each section that did not fit, under its heading."""
    g, c = s.g, s.c
    size = g.base * 6 / 7
    lead = size * fit.LEADING
    left, right = g.x(LEFT), g.x(LEFT + GRID_W)
    width = right - left - 2 * g.x(PAD_X)
    bottom = g.y(TOP)
    page = 0

    def new_page() -> float:
        nonlocal page
        c.showPage()
        page += 1
        top = g.page[1] - g.y(TOP)
        draw_runs(c, s.fs, g.page[0] / 2, top - g.base * 1.4, f"{TITLE}（续页）", g.base * 1.4,
                  align="center", mode=2)
        top -= g.base * 2.4
        draw_runs(c, s.fs, left, top - g.base, f"姓名：{name}", g.base)
        draw_runs(c, s.fs, right, top - g.base, f"续页第 {page} 页", g.base * 0.8, align="right")
        return top - g.base * 2

    y = new_page()
    for heading, paras in s.rest:
        lines = [(x, p.text[a:b]) for p in paras for x, a, b in fit.line_spans(p, width, size)]
        while lines:
            if y - g.base * 2 - lead < bottom:
                y = new_page()
            # Every page a section runs on names it.
            draw_runs(c, s.fs, left, y - g.base, f"{heading}（续）", g.base, mode=2)
            y -= g.base * 1.6
            room = max(int((y - bottom - 2 * g.y(PAD_Y)) // lead), 1)
            chunk, lines = lines[:room], lines[room:]
            h = len(chunk) * lead + 2 * g.y(PAD_Y)
            s.box(Box(left, y, right - left, h))
            fit.draw(c, s.fs, fit.Fitted(size, chunk), left + g.x(PAD_X), y - g.y(PAD_Y),
                     width, h, valign="top")
            y -= h + g.base


def render(f: FormData, size: str = "A4", font: FontSpec = None) -> bytes:
    """PDF bytes of the form ``f`` in ``size`` (A4 or B5)."""
    g = Geometry.of(size)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=g.page, invariant=1, pageCompression=1)
    canvas.setTitle(f"{TITLE} {f.name}")
    canvas.setAuthor("干部考评管理系统")
    canvas.setCreator("Kaohe")
    canvas.setSubject(f"计算年龄时间 {f.as_of.isoformat()}")
    s = Sheet(canvas, load(font), g)
    preload(s.fs, canvas._doc, FORM_CHARS, FREQUENT_CHARS)
    page_one(s, f)
    canvas.showPage()
    page_two(s, f)
    if s.rest:
        continuation(s, f.name)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
