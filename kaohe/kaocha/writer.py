"""The 考察材料 draft as an editable .docx, laid out like a 公文 (GB/T 9704-2012).

A4 with the standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), 22 lines
of 28 pt; title in 方正小标宋简体 二号, body in 仿宋_GB2312 三号 with a two-character
first-line indent, first-level headings in 黑体, second-level in 楷体_GB2312, page numbers
「— 1 —」 in 宋体 四号. The Chinese font is set as the East Asian font of every run
(``w:eastAsia``; Word picks the font of a CJK character from it), digits and Latin
in Times New Roman. Text the author must replace or check is in 【】; where a piece
came from is given after it in 楷体 for the author to delete.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from kaohe.kaocha.content import Draft, Sourced, cn_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)
SOURCE_COLOUR = RGBColor(0x59, 0x59, 0x59)
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28),
           "right_margin": Mm(26)}
EMPTY_DIMENSION = "【研判记录中没有标明此项的内容，请考察组据实撰写。】"
UNSORTED_HEADING = "（六）待归类"
UNSORTED_NOTE = ("【以下研判记录中的优点未标明属于德、能、勤、绩、廉哪一方面，请考察组归入上述各项、"
                 "改写后删除本节。】")
NO_WEAKNESS = "【研判记录中未记载缺点和不足，请考察组据实填写。】"
NO_VOTES = "【本系统未记录民主推荐、民主测评情况，请考察组据实填写。】"
BLANK = "＿＿＿＿＿＿＿＿"


def set_font(run, east_asian: str, size=BODY_SIZE, bold: bool = False) -> None:
    """``run`` in ``east_asian`` for CJK characters and Times New Roman for the rest."""
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _paragraph(doc, text: str = "", font: str = BODY_FONT, size=BODY_SIZE, indent: bool = True,
               align=None, bold: bool = False):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)
    if align is not None:
        p.alignment = align
    if text:
        set_font(p.add_run(text), font, size, bold)
    return p


def _sourced(doc, piece: Sourced) -> None:
    """One paragraph per line of ``piece``, its source after the last line."""
    lines = [line.strip() for line in piece.text.split("\n") if line.strip()]
    for n, line in enumerate(lines):
        p = _paragraph(doc, line)
        if n == len(lines) - 1:
            run = p.add_run(f"（据{piece.source}）")
            set_font(run, SUBHEADING_FONT, Pt(14))
            run.font.color.rgb = SOURCE_COLOUR


def _page_number(section) -> None:
    """「— N —」 centred in the footer (a PAGE field Word fills in)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(p.add_run("— "), PAGE_NUMBER_FONT, Pt(14))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = p.add_run("1")
    set_font(run, PAGE_NUMBER_FONT, Pt(14))
    field.append(run._element)
    p._p.append(field)
    set_font(p.add_run(" —"), PAGE_NUMBER_FONT, Pt(14))


def _setup(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    # The page number's line sits 7 mm under the type area (35 mm bottom margin).
    section.footer_distance = Mm(23)
    # The template's default fonts are theme references, which would win over the
    # names set on runs in some readers: name the fonts instead.
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr, name in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT),
                       ("w:eastAsia", BODY_FONT), ("w:cs", LATIN_FONT)):
        fonts.set(qn(attr), name)
    defaults.find(qn("w:rPr")).find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_number(section)


def write(draft: Draft) -> bytes:
    """The .docx of ``draft``."""
    doc = Document()
    _setup(doc)
    doc.core_properties.title = draft.title
    doc.core_properties.author = draft.group or "考察组"
    _paragraph(doc, draft.title, TITLE_FONT, Pt(22), indent=False,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc)
    _paragraph(doc, draft.facts)
    _paragraph(doc, draft.intro)

    _paragraph(doc, "一、主要表现", HEADING_FONT)
    for heading, pieces in draft.dimensions:
        _paragraph(doc, heading, SUBHEADING_FONT)
        for piece in pieces:
            _sourced(doc, piece)
        if not pieces:
            _paragraph(doc, EMPTY_DIMENSION)
    if draft.unsorted:
        _paragraph(doc, UNSORTED_HEADING, SUBHEADING_FONT)
        _paragraph(doc, UNSORTED_NOTE)
        for piece in draft.unsorted:
            _sourced(doc, piece)

    _paragraph(doc, "二、主要缺点和不足", HEADING_FONT)
    for piece in draft.weaknesses:
        _sourced(doc, piece)
    if not draft.weaknesses:
        _paragraph(doc, NO_WEAKNESS)

    _paragraph(doc, "三、年度考核情况", HEADING_FONT)
    for line in draft.grades:
        _paragraph(doc, line)

    _paragraph(doc, "四、民主推荐、民主测评情况", HEADING_FONT)
    for line in draft.recommendations + draft.evaluations:
        _paragraph(doc, line)
    if not draft.recommendations and not draft.evaluations:
        _paragraph(doc, NO_VOTES)

    _paragraph(doc)
    _paragraph(doc, f"考察组：{draft.group or BLANK}", indent=False,
               align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, f"考察人：{draft.inspectors or BLANK}", indent=False,
               align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, cn_date(draft.date), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
