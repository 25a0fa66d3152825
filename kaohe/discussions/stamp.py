"""The page of a download's watermark: the reader's name and time repeated diagonally,
light grey at low opacity, in the dossier's font chain (ReportLab).

:mod:`kaohe.discussions.watermark` joins it to every page of the download; it loads this
module with the first stamp, so processes that serve no download never load ReportLab
(issue 17).
"""
from __future__ import annotations

import io

from reportlab.lib.colors import Color
from reportlab.pdfgen import canvas

from kaohe.dossier.fonts import FontSpec, draw_runs, load

GREY = Color(0.45, 0.45, 0.45, alpha=0.16)
ANGLE = 35
SIZE = 15


def stamp_page(width: float, height: float, text: str, font: FontSpec = None) -> bytes:
    """One page of ``width`` × ``height`` with ``text`` repeated diagonally, in the font
    chain of the spec ``font``."""
    fs = load(font)
    label = fs.clean(text)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1)
    c.setFillColor(GREY)
    c.saveState()
    c.translate(width / 2, height / 2)
    c.rotate(ANGLE)
    span = max(width, height) * 1.3
    step_y, step_x = 120, fs.width(label, SIZE) + 90
    row = 0
    y = -span / 2
    while y < span / 2:
        x = -span / 2 + (row % 2) * step_x / 2
        while x < span / 2:
            draw_runs(c, fs, x, y, label, SIZE)
            x += step_x
        y += step_y
        row += 1
    c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()
