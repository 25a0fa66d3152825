"""Text in the fixed cells of the 干部任免审批表: shrink, then wrap, then continue.

A cell's text is first set on one line, its font shrunk from the form's size down to
the cell's floor; if it is still too wide it is wrapped, at the largest size from the
form's size down to the floor at which every line fits the cell's height; if even
that fails, the lines that fit are drawn with the marker :data:`CONTINUED` and the
rest goes to the attached sheet (续页). Nothing is ever cut off.

Résumé lines (``YYYY.MM--YYYY.MM  text``) wrap with a hanging indent under the text.
Every character is measured in the font chain of :mod:`kaohe.dossier.fonts`, so a
character no font has raises :class:`~kaohe.dossier.glyphs.MissingGlyphError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

from kaohe.dossier.fonts import FontSet, draw_runs
from kaohe.dossier.linebreak import break_lines

CONTINUED = "（转续页）"
LEADING = 1.22  # line height / font size
STEP = 0.5  # pt between the sizes tried
# A résumé period: its dates, the gap after them, then the text (the hanging indent).
PERIOD = re.compile(r"^(\d{4}\.\d{1,2}\s*[-—–~～]+\s*(?:\d{4}\.\d{1,2})?\s*)(\S.*)$")
PERIOD_COLUMN = "0000.00--0000.00  "
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class Para:
    """One paragraph: its characters (drawable by the chain), their widths at 1 pt, the
    hanging indent at 1 pt (0: none) and whether the first line is indented too (a
    sub-line of a period, or the rest of one continued on the attached sheet)."""

    text: str
    widths: tuple[float, ...]
    indent: float = 0.0
    indented: bool = False


@dataclass
class Fitted:
    """The result of fitting a text in a box: font size, lines (x offset, text) and the
    paragraphs left for the attached sheet."""

    size: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    rest: list[Para] = field(default_factory=list)

    @property
    def leading(self) -> float:
        return self.size * LEADING


def measure(fs: FontSet, text: str, *, periods: bool = False) -> list[Para]:
    """``text`` as paragraphs (one per line) of drawable characters; ``periods``: résumé
    lines get a hanging indent after their dates, which are padded to one column."""
    out = []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        m = PERIOD.match(line.strip()) if periods else None
        line = _SPACES.sub(" ", m.group(2) if m else line).strip(" ")
        if not line:
            continue
        prefix = _period_prefix(fs, re.sub(r"\s+", "", m.group(1))) if m else ""
        line = prefix + line
        chars, widths = [], []
        for font, part in fs.runs(fs.clean(line)):
            chars.append(part)
            widths.extend(stringWidth(ch, font, 1) for ch in part)
        text_ = "".join(chars)
        if m:
            out.append(Para(text_, tuple(widths), sum(widths[:len(prefix)])))
        elif periods and out:  # a sub-line (（其间：…）) continues the period above
            out.append(Para(text_, tuple(widths), out[-1].indent, indented=True))
        else:
            out.append(Para(text_, tuple(widths)))
    return out


def _period_prefix(fs: FontSet, dates: str) -> str:
    """``dates`` and the spaces that bring the text after them to one column: that of a
    closed period 「2001.09--2005.07」 and two spaces."""
    column = fs.width(PERIOD_COLUMN, 1)
    pad = 2
    while fs.width(dates + " " * pad, 1) < column - 1e-6:
        pad += 1
    return dates + " " * pad


def line_spans(para: Para, width: float, size: float) -> list[tuple[float, int, int]]:
    """(x offset, start, end) of the lines of ``para`` in ``width`` at ``size``."""
    hang = para.indent * size
    hang = hang if hang <= width / 2 else 0  # a narrow box: no indent
    widths = [w * size for w in para.widths]
    if para.indented:
        return [(hang, s, e) for s, e in break_lines(para.text, widths, [width - hang])]
    lines = break_lines(para.text, widths, [width, width - hang])
    return [(0 if n == 0 else hang, s, e) for n, (s, e) in enumerate(lines)]


def fit(paras: list[Para], width: float, height: float, size: float, floor: float, *,
        single: bool = True) -> Fitted:
    """Fit ``paras`` in ``width`` × ``height`` (see the module docstring). ``single``:
    try one line before wrapping (a single paragraph)."""
    if not paras:
        return Fitted(size)
    if single and len(paras) == 1 and not paras[0].indented:
        s = size
        while s >= floor - 1e-9:
            if sum(paras[0].widths) * s <= width and s * LEADING <= height + 0.01:
                return Fitted(s, [(0.0, paras[0].text)])
            s -= STEP
    s = size
    while s >= floor - 1e-9:
        laid = [(x, p.text[a:b]) for p in paras for x, a, b in line_spans(p, width, s)]
        if len(laid) * s * LEADING <= height + 0.01:
            return Fitted(s, laid)
        s -= STEP
    return _overflow(paras, width, height, floor)


def _overflow(paras: list[Para], width: float, height: float, size: float) -> Fitted:
    """The lines that fit at ``size`` with room for the marker; the rest as paragraphs."""
    room = max(int(height // (size * LEADING)) - 1, 0)  # the last line holds the marker
    out = Fitted(size)
    for n, p in enumerate(paras):
        lines = line_spans(p, width, size)
        left = room - len(out.lines)
        if len(lines) <= left:
            out.lines.extend((x, p.text[a:b]) for x, a, b in lines)
            continue
        out.lines.extend((x, p.text[a:b]) for x, a, b in lines[:left])
        if left:
            start = lines[left][1]
            out.rest.append(Para(p.text[start:], p.widths[start:], p.indent,
                                 indented=bool(p.indent)))
        else:
            out.rest.append(p)
        out.rest.extend(paras[n + 1:])
        break
    return out


def draw(canvas, fs: FontSet, fitted: Fitted, x: float, top: float, width: float,
         height: float, *, align: str = "left", valign: str = "middle") -> None:
    """Draw ``fitted`` in the box whose top-left corner is (``x``, ``top``); the marker
    :data:`CONTINUED` at its bottom right when text went to the attached sheet."""
    lead = fitted.leading
    rows = len(fitted.lines) + (1 if fitted.rest else 0)
    used = rows * lead
    y0 = {"top": top, "middle": top - (height - used) / 2,
          "bottom": top - height + used}[valign if not fitted.rest else "top"]
    ascent = fitted.size * 0.88 + (lead - fitted.size) / 2
    for n, (dx, text) in enumerate(fitted.lines):
        y = y0 - n * lead - ascent
        if align == "center":
            draw_runs(canvas, fs, x + width / 2, y, text, fitted.size, align="center")
        elif align == "right":
            draw_runs(canvas, fs, x + width, y, text, fitted.size, align="right")
        else:
            draw_runs(canvas, fs, x + dx, y, text, fitted.size)
    if fitted.rest:
        y = y0 - len(fitted.lines) * lead - ascent
        draw_runs(canvas, fs, x + width, y, CONTINUED, fitted.size, align="right")
