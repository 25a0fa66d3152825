"""Page geometry, colours and text styles of the dossier; built once per font and process.

Geometry follows GB/T 9704 (党政机关公文格式): A4, top margin 37 mm, binding
margin 28 mm, type area 156 × 225 mm. Only one CJK face is available, so the
heading hierarchy (黑体-like) is made with size and a stroked, heavier weight
(:class:`Heavy`), the body and tables with plain weight.

Every text goes through the font chain of :mod:`kaohe.dossier.fonts`: paragraphs
(:func:`paragraph`, :meth:`Kit.p`) are built of one fragment per font run, single
lines (:class:`TextLine`, :class:`Heavy`) are drawn run by run. Other PDFs use the
same two helpers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from kaohe.dossier.fonts import FontSet, FontSpec, draw_runs, load
from kaohe.dossier.linebreak import CJKParagraph

PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 28 * mm, 26 * mm, 37 * mm, 35 * mm
FRAME_W = PAGE_W - LEFT - RIGHT  # 156 mm

RED = colors.HexColor("#B3261E")
INK = colors.HexColor("#1A1A1A")
GREY = colors.HexColor("#5F6368")
LINE = colors.HexColor("#8A8F98")
HEAD_BG = colors.HexColor("#EEF0F3")
BLOCK_BG = colors.HexColor("#FDECEA")
WARN_BG = colors.HexColor("#FFF6E0")

# Characters of the dossier's fixed texts and labels, embedded first (a speed hint for
# the subset cache of kaohe.dossier.fonts; any text still renders without it).
TEMPLATE_CHARS = (
    '×–—“”…→\u3000、。「」【】一七三下不与专业两个中为主举也了予事二五人仅今以价任份优会传位低体作使供依保信值免党入全公六'
    '共关其具内决况准凡凭出分列则判别制前办加务动势单历原参及发取可号合名后听告员和响四回因围图在基处备复外失好如始姓委存季完'
    '官定实审容密察对封尚层岁工差已常干平年序应度廉式录影征待得必快态性息情意成或截所批报担拟按据掌排推提握摘政效敏教数整文料'
    '断族无日时明显暂月有期未本机材来果查标校核根格案档检次止毕民求注测清源点照状率现理生用由的监目研确示票秀称立第等管籍类系'
    '索级纪线组织经结绘统续综编缺置考者职育脱自至致般范补表被要见规解讨议记论设访证评话该详语说请谈象负责贯起趋足身较辞近连退'
    '部重错问间降限院需面页项顺须题风黑（），／：；'
)

# Frequent characters of modern Chinese (most frequent first): preloaded after the
# template characters until their font subset is full, so that subset is cached too.
FREQUENT_CHARS = (
    '的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方'
    '多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情'
    '明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给'
    '世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太'
    '量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象'
    '完设式色路记南品住告类求据程北边死张该交'
)


@dataclass(frozen=True)
class Kit:
    """A font with the styles built on it, and helpers that clean and escape text."""

    font: FontSet
    body: ParagraphStyle
    small: ParagraphStyle
    small_c: ParagraphStyle
    cell: ParagraphStyle
    cell_c: ParagraphStyle
    cell_red: ParagraphStyle
    label: ParagraphStyle
    note: ParagraphStyle
    h2_style: ParagraphStyle

    def text(self, value) -> str:
        """Display form of ``value`` for the font (None → 「—」)."""
        return display(self.font, value)

    def p(self, value, style: ParagraphStyle | None = None) -> CJKParagraph:
        """A wrapped paragraph of plain text ``value`` (see :func:`paragraph`)."""
        return paragraph(self.font, value, style or self.body)

    def h2(self, text: str, room: float = 30 * mm) -> list:
        """A sub-heading「（一）…」 that starts a new page unless ``room`` is left below it."""
        return [CondPageBreak(room), self.p(text, self.h2_style)]

    def width(self, text: str, size: float) -> float:
        """Width of the cleaned ``text`` drawn in the font chain."""
        return self.font.width(text, size)


_SPACES = re.compile(r"[ \t\r\f\v]+")


def display(fs: FontSet, value) -> str:
    """Display form of ``value`` for the chain ``fs`` (None or "" → 「—」)."""
    if value is None or value == "":
        return "—"
    return fs.clean(str(value))


def paragraph(fs: FontSet, value, style: ParagraphStyle) -> CJKParagraph:
    """A wrapped paragraph of plain text ``value`` (no markup; newlines kept; None →
    「—」) in the font chain ``fs``; ``style``'s font should be the chain's primary.

    Built from fragments directly, one per font run: ReportLab's markup parser is the
    slowest part of making a paragraph, and these texts carry no markup. Raises
    :class:`~kaohe.dossier.glyphs.MissingGlyphError` for a character no font has.
    """
    plain, br = _templates(style)
    frags = []
    for n, line in enumerate(display(fs, value).split("\n")):
        if n:
            frags.append(br.clone(link=[], us_lines=[]))
        line = _SPACES.sub(" ", line).strip(" ")  # keeps ideographic spaces
        for name, part in fs.runs(line):
            frags.append(plain.clone(text=part, fontName=name, link=[], us_lines=[]))
    return CJKParagraph(None, style, frags=frags or [plain.clone(text="")])


@lru_cache(maxsize=64)
def _templates(style: ParagraphStyle):
    """The text and line-break fragments ReportLab's parser makes for ``style``."""
    frags = Paragraph("x<br/>y", style).frags
    return frags[0], frags[1]


def _style(name: str, font: str, size: float, leading: float, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading,
                          wordWrap="CJK", textColor=kw.pop("textColor", INK), **kw)


@lru_cache(maxsize=4)
def kit(spec: FontSpec = None) -> Kit:
    """Styles for the font chain selected by ``spec`` (see :func:`kaohe.dossier.fonts.load`)."""
    fs = load(spec)
    f = fs.name
    return Kit(
        font=fs,
        body=_style("body", f, 10.5, 17, alignment=TA_LEFT, spaceAfter=3),
        small=_style("small", f, 8.5, 12.5, textColor=GREY),
        small_c=_style("small_c", f, 8.5, 12.5, textColor=GREY, alignment=TA_CENTER),
        cell=_style("cell", f, 9, 12.5),
        cell_c=_style("cell_c", f, 9, 12.5, alignment=TA_CENTER),
        cell_red=_style("cell_red", f, 9, 12.5, textColor=RED),
        label=_style("label", f, 9, 12.5, alignment=TA_CENTER, textColor=INK),
        note=_style("note", f, 9, 14, textColor=GREY, spaceBefore=2),
        h2_style=_style("h2", f, 11, 18, spaceBefore=8, spaceAfter=4),
    )


class TextLine(Flowable):
    """One line of text in the font chain (no wrapping); ``weight`` > 0 draws it heavy
    (fill + stroke). ``outline`` (title, level) makes it a bookmark of the PDF outline."""

    def __init__(self, text: str, kit_: Kit, size: float, *, color=INK, align: str = "left",
                 space_before: float = 0, space_after: float = 0, weight: float = 0,
                 outline: tuple[str, int] | None = None, rule: bool = False):
        super().__init__()
        self.text = kit_.font.clean(text)
        self.fonts = kit_.font
        self.size, self.color, self.align, self.weight = size, color, align, weight
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self.outline, self.rule = outline, rule
        self._w = self.fonts.width(self.text, size)  # refuses undrawable characters now

    def wrap(self, avail_w, avail_h):
        self.width = avail_w
        self.height = self.size * 1.35 + (4 if self.rule else 0)
        return avail_w, self.height

    def draw(self):
        c = self.canv
        x = {"left": 0, "center": (self.width - self._w) / 2,
             "right": self.width - self._w}[self.align]
        y = self.height - self.size * 1.05
        c.saveState()
        c.setFillColor(self.color)
        c.setStrokeColor(self.color)
        c.setLineWidth(self.weight)
        draw_runs(c, self.fonts, x, y, self.text, self.size, mode=2 if self.weight else 0)
        if self.rule:
            c.setLineWidth(0.8)
            c.line(0, 1, self.width, 1)
        c.restoreState()


class Heavy(TextLine):
    """One line of heavy text: titles and section headings."""

    def __init__(self, text: str, kit_: Kit, size: float, *, weight: float = 0.35, **kw):
        super().__init__(text, kit_, size, weight=weight, **kw)
