"""Chinese line breaking (禁则) for ReportLab paragraphs.

ReportLab's ``wordWrap='CJK'`` only knows a few closing marks: its list lacks
the full-width comma, semicolon, colon, question and exclamation marks, 》, ” and
…, so a line may start with ，or ；. It also hangs a single mark past the right
margin, which overflows table cells. :func:`break_lines` pushes the previous
character down instead, never breaks inside a Latin word or number, or between
the two halves of —— and ……; :class:`CJKParagraph` uses it for every paragraph.
"""
from __future__ import annotations

import string
from typing import Sequence

from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus.paragraph import (
    FragLine, Paragraph, ParaLines, _handleBulletWidth, cjkFragSplit,
)

# Must not start a line (GB/T 15834 closing and middle marks; ASCII equivalents).
CANNOT_START = frozenset(
    "，。；：！？、）》」』】〕〉］｝”’…·・‧%％‰℃,.;:!?)]}>"
    "\u3005\u30fc\u2030\u2032\u2033"
)
# Must not end a line (opening marks, currency and number prefixes).
CANNOT_END = frozenset("（《「『【〔〈［｛“‘([{<$￥£#№")
# Runs of these are one unbreakable word (numbers, dates, codes such as KH-2026-000123).
WORD = frozenset(string.ascii_letters + string.digits + ".-/:%_+@&")
# Two-character marks whose halves stay together.
PAIRED = frozenset("—…")
HARD_BREAK = "\n"
# (font name, size) → character → width; bounded by the characters in use.
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def can_break(prev: str, nxt: str) -> bool:
    """Whether a line may end after ``prev`` and the next begin with ``nxt``."""
    if nxt in CANNOT_START or prev in CANNOT_END:
        return False
    if prev in WORD and nxt in WORD:
        return False
    return not (prev == nxt and prev in PAIRED)


def break_lines(text: str, widths: Sequence[float], max_widths: Sequence[float],
                fuzz: float = 1e-6) -> list[tuple[int, int]]:
    """Split ``text`` (``widths`` per character) into lines; returns (start, end) pairs.

    Greedy filling; when the next character does not fit, the break moves back to
    the nearest position :func:`can_break` allows. Only when the whole line offers
    none is it cut at the margin (closing marks then hang past it rather than start
    the next line). Spaces around a break are dropped and ``"\\n"`` forces a break
    (it belongs to no line).
    """
    lines: list[tuple[int, int]] = []
    n, start = len(text), 0
    while start < n:
        if lines and text[start - 1] != HARD_BREAK:
            while start < n and text[start] == " ":
                start += 1
            if start >= n:
                break
        limit = max_widths[min(len(lines), len(max_widths) - 1)]
        used, i = 0.0, start
        while i < n and text[i] != HARD_BREAK and used + widths[i] <= limit + fuzz:
            used += widths[i]
            i += 1
        if i >= n or text[i] == HARD_BREAK:
            lines.append((start, i))
            start = i + 1 if i < n else i
            continue
        if i == start:  # not even one character fits: take it anyway
            i += 1
        b = i
        while b > start + 1 and not can_break(text[b - 1], text[b]):
            b -= 1
        if b == start + 1 and not can_break(text[b - 1], text[b]):
            b = i  # no allowed break: cut at the margin, closing marks hang past it
            while b < n and text[b] in CANNOT_START:
                b += 1
        end = b
        while end > start and text[end - 1] == " ":
            end -= 1
        lines.append((start, end))
        start = b
    return lines


class CJKParagraph(Paragraph):
    """Paragraph whose CJK wrapping follows :func:`break_lines` (use ``wordWrap='CJK'``).

    A repeated ``wrap`` at the same width (tables and keep-with-next groups wrap
    their content more than once) reuses the lines already computed.
    """

    def wrap(self, availWidth, availHeight):
        if getattr(self, "_wrapped_at", None) == availWidth and hasattr(self, "blPara"):
            return self.width, self.height
        out = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return out

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        style = self.style
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        frags = self.frags
        if not frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName,
                             textColor=style.textColor, lines=[], ascent=style.fontSize,
                             descent=-0.2 * style.fontSize)
        auto = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return frag_lines(frags, maxWidths, auto not in ("", "off"))


def frag_lines(frags, max_widths, calc_bounds: bool) -> ParaLines:
    """ParaLines (kind 1) for ReportLab ``frags`` broken by :func:`break_lines`.

    Equivalent to ReportLab's ``cjkFragSplit`` + ``makeCJKParaLine`` but works on
    runs of one fragment instead of per-character objects (much faster).
    """
    if any(hasattr(f, "cbDefn") for f in frags):  # inline images etc.: ReportLab's own path
        return cjkFragSplit(frags, max_widths, calc_bounds)
    chars: list[str] = []
    widths: list[float] = []
    owner: list[int] = []
    for n, f in enumerate(frags):
        if hasattr(f, "lineBreak"):
            chars.append(HARD_BREAK)
            widths.append(0.0)
            owner.append(n)
            continue
        text = getattr(f, "text", "") or ""
        if isinstance(text, bytes):
            text = text.decode("utf8")
        name, size = f.fontName, f.fontSize
        cache = _WIDTHS.get((name, size))
        if cache is None:
            cache = _WIDTHS[(name, size)] = {}
        for ch in text:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = stringWidth(ch, name, size)
            widths.append(w)
        chars.extend(text)
        owner.extend([n] * len(text))
    text = "".join(chars)
    lines = []
    for number, (start, end) in enumerate(break_lines(text, widths, max_widths)):
        max_width = max_widths[min(number, len(max_widths) - 1)]
        hard = end < len(text) and text[end] == HARD_BREAK
        used = sum(widths[start:end])
        words, size, ascent, descent = [], 0, 0, 0
        i, stop = start, end + 1 if hard else end
        while i < stop:
            n = owner[i]
            j = i + 1
            while j < stop and owner[j] == n:
                j += 1
            f = frags[n]
            words.append(f.clone(text="" if text[i] == HARD_BREAK else text[i:j]))
            a, d = getAscentDescent(f.fontName, f.fontSize)
            size, ascent, descent = max(size, f.fontSize), max(ascent, a), min(descent, d)
            i = j
        lines.append(FragLine(kind=1, extraSpace=max_width - used, wordCount=1, words=words,
                              fontSize=size, ascent=ascent, descent=descent,
                              maxWidth=max_width, currentWidth=used, lineBreak=hard))
    return ParaLines(kind=1, lines=lines)
