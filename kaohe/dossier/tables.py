"""Ruled tables of the dossier.

Cells whose text fits on one line and is all in the primary font are drawn as
plain strings (cheap); other ones become :class:`~kaohe.dossier.linebreak.CJKParagraph`
(wrapped by the Chinese line-breaking rules, rare characters in fallback fonts).
Long rows may split across pages.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.platypus import Flowable, Table, TableStyle

from kaohe.dossier.styles import BOTTOM, GREY, HEAD_BG, INK, LINE, PAGE_H, RED, TOP, Kit

FRAME_H = PAGE_H - TOP - BOTTOM

PAD = 3.5
SIZE = 9


@dataclass(frozen=True)
class C:
    """A cell with options: red text, grey text, centred, label background."""

    text: object
    red: bool = False
    grey: bool = False
    center: bool = False
    label: bool = False


def _span_widths(widths, spans, n_rows):
    """Width available to each cell, wider for the first cell of a span."""
    out = [list(widths) for _ in range(n_rows)]
    for (c0, r0), (c1, r1) in spans:
        for r in range(r0, r1 + 1):
            out[r][c0] = sum(widths[c0:c1 + 1])
    return out


# Least height (pt) of either part of a row split across pages: about two lines.
MIN_ROW_SPLIT = 30
# Rows up to this height move whole to the next page; taller ones (a long review, a
# 10 000-character reason) are split where the page ends instead of leaving a gap.
TALL_ROW = FRAME_H / 3


class WholeRows(Table):
    """A table whose short rows move whole to the next page when they do not fit.

    ReportLab's own row splitting (``splitInRow``) splits a row wherever the page ends, with
    1 pt as the least part: after a table breaks between rows, the remainder is tried
    again in the space left and its first row is torn there, leaving the row's short
    cells (序号, 类别) at the foot of the page and its text on the next, and vertically
    centred cells may get nothing at all in the top part. Here a row is split only when
    it is taller than :data:`TALL_ROW` (it may be taller than a page: it then continues
    over as many as it needs) or taller than a page with its header, each part at least
    two lines; its cells are then top-aligned, so the short ones stay beside its start.
    A row with a span is never split (ReportLab would wrap the spanned text at the width
    of its first column): spanned cells hold short texts only.
    """

    def split(self, availWidth, availHeight):
        self._calc(availWidth, availHeight)
        heights = self._rowHeights
        head = self.repeatRows if isinstance(self.repeatRows, int) else max(self.repeatRows) + 1
        n, used = 0, 0.0  # n: the first row that does not fit
        while n < len(heights) and used + heights[n] <= availHeight:
            used += heights[n]
            n += 1
        spanned = {r for _c, r in getattr(self, "_colSpanCells", ())}
        tall = head <= n < len(heights) and heights[n] > TALL_ROW and n not in spanned
        if tall:
            for style in self._cellStyles[n]:
                style.valign = "TOP"
            # ReportLab refuses a split leaving less than splitInRow below: leave that much
            parts = self._splitRows(min(availHeight, self._height - MIN_ROW_SPLIT),
                                    doInRowSplit=1)
            if parts:
                return parts
        parts = self._splitRows(availHeight)
        if parts:
            return parts
        if not tall and head < len(heights) and sum(heights[:head + 1]) <= FRAME_H:
            return []  # the next row fits on a fresh page: move it there
        return super().split(availWidth, availHeight)


def grid(kit: Kit, rows: list[list], widths: list[float], *, header: int = 1,
         label_cols: tuple[int, ...] = (), center_cols: tuple[int, ...] = (),
         spans: tuple = (), extra: tuple = ()) -> Table:
    """A ruled table of ``rows`` (str/number/None, :class:`C` or a Flowable per cell).

    Always a :class:`WholeRows`, so any amount of text lays out. Spans stay within one
    row (a span over rows would forbid breaking between them) and hold short texts
    only, as a spanned row is never split across pages."""
    cmds = [
        ("FONT", (0, 0), (-1, -1), kit.font.name, SIZE, 12.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BOX", (0, 0), (-1, -1), 0.9, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    if header:
        cmds += [("BACKGROUND", (0, 0), (-1, header - 1), HEAD_BG),
                 ("ALIGN", (0, 0), (-1, header - 1), "CENTER")]
    for c in label_cols:
        cmds += [("BACKGROUND", (c, 0), (c, -1), HEAD_BG), ("ALIGN", (c, 0), (c, -1), "CENTER")]
    for c in center_cols:
        cmds.append(("ALIGN", (c, header), (c, -1), "CENTER"))
    for (c0, r0), (c1, r1) in spans:
        if r0 != r1:
            raise ValueError(f"span over rows {r0}–{r1}: spans must stay within one row")
        cmds.append(("SPAN", (c0, r0), (c1, r1)))
        if c0 not in label_cols:
            cmds.append(("BACKGROUND", (c0, r0), (c1, r1), colors.white))
    avail = _span_widths(widths, spans, len(rows))
    spanned = {start for start, _end in spans}
    data = []
    for r, row in enumerate(rows):
        out = []
        for c, value in enumerate(row):
            if isinstance(value, Flowable):
                out.append(value)
                continue
            opt = value if isinstance(value, C) else C(value)
            text = kit.text(opt.text)
            if (c, r) in spanned:  # one paragraph: a spanned row must stay short
                text = " ".join(text.split("\n"))
            center = opt.center or c in center_cols or r < header or c in label_cols
            color = RED if opt.red else GREY if opt.grey else None
            if color is not None:
                cmds.append(("TEXTCOLOR", (c, r), (c, r), color))
            if opt.center:
                cmds.append(("ALIGN", (c, r), (c, r), "CENTER"))
            if opt.label:
                cmds.append(("BACKGROUND", (c, r), (c, r), HEAD_BG))
            if ("\n" not in text and kit.font.in_primary(text)
                    and kit.width(text, SIZE) <= avail[r][c] - 2 * PAD - 0.5):
                out.append(text)
            else:
                style = kit.cell_red if opt.red else kit.cell_c if center else kit.cell
                out.append(kit.p(text, style))
        data.append(out)
    return WholeRows(data, colWidths=widths, repeatRows=header, splitInRow=MIN_ROW_SPLIT,
                     style=TableStyle(cmds + list(extra)), hAlign="LEFT")
