"""The small trend chart of annual results (reportlab.graphics).

Three series over the window years: annual score, public rating (民评官) and the
share of 优秀 + 称职 votes (民主测评, in %). A year without a value breaks the
line; a year without an annual result is labelled 「未录入」 under the axis. The years
whose assessment has not concluded follow, labelled 「待考核」 and never plotted (a
result entered ahead of time is not counted yet).
"""
from __future__ import annotations

import math

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from kaohe.assessments.window import PENDING
from kaohe.dossier.fmt import MISSING, score
from kaohe.dossier.styles import GREY, INK, LINE, RED, Kit

SERIES = (
    ("得分", colors.HexColor("#B3261E"), None),
    ("民评官", colors.HexColor("#1F4E8C"), (3, 2)),
    ("民主测评好评率(%)", colors.HexColor("#6B7280"), (1, 2)),
)


LABELLED = ("得分", "民评官")


def _values(annual: list[dict]) -> list[list[float | None]]:
    def good(a):
        r = a.get("vote_rates")
        return None if not r else 100 * (r.get("excellent", 0) + r.get("competent", 0))

    return [[a.get("score") for a in annual], [a.get("public_rating") for a in annual],
            [good(a) for a in annual]]


def has_data(annual: list[dict]) -> bool:
    return any(v is not None for series in _values(annual) for v in series)


def trend_chart(annual: list[dict], kit: Kit, width: float, height: float = 150,
                pending=()) -> Drawing:
    """Line chart of the window's annual results (``annual`` from the snapshot), then the
    ``pending`` years (待考核) without values."""
    font = kit.font.name
    annual = list(annual) + [{"year": p["year"], "pending": True} for p in pending]
    d = Drawing(width, height)
    x0, y0, legend_w = 34, 34, 92
    w, h = width - x0 - legend_w - 8, height - y0 - 12
    values = _values(annual)
    present = [v for s in values for v in s if v is not None]
    lo = max(0, math.floor((min(present, default=60) - 5) / 10) * 10)
    lo = min(lo, 80)
    span = 100 - lo

    def y_of(v):
        return y0 + (min(max(v, lo), 100) - lo) / span * h

    d.add(Rect(x0, y0, w, h, strokeColor=LINE, strokeWidth=0.6, fillColor=None))
    for t in range(lo, 101, 10):
        y = y_of(t)
        if t not in (lo, 100):
            d.add(Line(x0, y, x0 + w, y, strokeColor=colors.HexColor("#D9DDE3"), strokeWidth=0.4))
        d.add(String(x0 - 4, y - 3, str(t), fontName=font, fontSize=7, fillColor=GREY,
                     textAnchor="end"))
    n = len(annual)
    step = w / n
    xs = [x0 + step * (i + 0.5) for i in range(n)]
    for i, a in enumerate(annual):
        d.add(String(xs[i], y0 - 11, f"{a['year']}", fontName=font, fontSize=8, fillColor=INK,
                     textAnchor="middle"))
        if a.get("pending"):
            label = PENDING
        elif a.get("absent"):
            label = "未参加考核"
        else:
            label = MISSING if a.get("missing") else kit.text(a.get("grade_label"))
        low = ((a.get("missing") and not a.get("absent"))
               or a.get("grade") in ("basically_competent", "incompetent"))
        d.add(String(xs[i], y0 - 22, label, fontName=font, fontSize=8,
                     fillColor=RED if low else GREY, textAnchor="middle"))
    for (name, color, dash), series in zip(SERIES, values):
        run: list[float] = []
        for i, v in enumerate(series + [None]):
            if v is not None:
                run += [xs[i], y_of(v)]
                continue
            if len(run) >= 4:
                d.add(PolyLine(run, strokeColor=color, strokeWidth=1.4, strokeDashArray=dash))
            run = []
    for (name, color, _dash), series in zip(SERIES, values):
        for i, v in enumerate(series):
            if v is not None:
                d.add(Circle(xs[i], y_of(v), 2.2, fillColor=color, strokeColor=colors.white,
                             strokeWidth=0.5))
    for name in LABELLED:  # of score and public rating, the higher one is labelled above
        k = [s[0] for s in SERIES].index(name)
        for i, v in enumerate(values[k]):
            if v is None:
                continue
            other = values[1 - k][i]
            y = y_of(v) + (5 if other is None or v >= other else -10)
            text = score(v)
            tw = kit.width(text, 7)
            d.add(Rect(xs[i] - tw / 2 - 1, y - 1.5, tw + 2, 8, fillColor=colors.white,
                       strokeColor=None))
            d.add(String(xs[i], y, text, fontName=font, fontSize=7, fillColor=SERIES[k][1],
                         textAnchor="middle"))
    lx, ly = x0 + w + 12, y0 + h - 8
    for k, (name, color, dash) in enumerate(SERIES):
        y = ly - k * 16
        d.add(Line(lx, y + 3, lx + 16, y + 3, strokeColor=color, strokeWidth=1.4,
                   strokeDashArray=dash))
        d.add(String(lx + 20, y, name, fontName=font, fontSize=7.5, fillColor=INK))
    return d
