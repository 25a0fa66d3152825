"""Server-rendered SVG bar charts of the report (no script, no web font, no CDN).

The page's own CSS font stack draws the Chinese labels; every number is also in the
table beside the chart, so the chart only has to be readable, not authoritative.
"""
from __future__ import annotations

from markupsafe import Markup, escape

BAR_H, GAP, LABEL_W, WIDTH = 18, 8, 112, 460
ASCII_W, WIDE_W = 7.2, 12  # upper bounds of a character's advance at font-size 12


def text_width(text: str) -> float:
    """A generous estimate of ``text``'s width at font-size 12 (no font metrics here)."""
    return sum(ASCII_W if ord(ch) < 0x2E80 else WIDE_W for ch in text)


def _value(row: dict) -> str:
    return f'{row["count"]} 人（{row["share"]}%）'
COLORS = ("#2563eb", "#0891b2", "#7c3aed", "#db2777", "#ea580c", "#65a30d", "#64748b")


def bars(title: str, rows: list[dict]) -> Markup:
    """A horizontal bar chart of ``rows`` ({label, count, share}), bars scaled to the
    largest count; each bar is labelled with its count and share."""
    top = max((r["count"] for r in rows), default=0) or 1
    # Room after the bars for the widest value text: a fixed width cut off 「287 人（95.7%）」
    # beside the longest bar, and a count of six digits more.
    span = WIDTH - LABEL_W - 6 - max((text_width(_value(r)) for r in rows), default=0) - 4
    height = len(rows) * (BAR_H + GAP) + GAP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, row in enumerate(rows):
        y = GAP + i * (BAR_H + GAP)
        w = round(span * row["count"] / top, 1)
        color = COLORS[i % len(COLORS)]
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 4}" text-anchor="end" '
            f'font-size="12">{escape(row["label"])}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR_H}" fill="{color}" rx="2"/>'
            f'<text x="{LABEL_W + w + 6}" y="{y + BAR_H - 4}" font-size="12" fill="#334155">'
            f'{_value(row)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked(title: str, years: list[dict]) -> Markup:
    """One 100% stacked bar per year of grade rows ({year, rows}), with a legend."""
    labels = [r["label"] for r in years[0]["rows"]] if years else []
    span = WIDTH - 60
    height = len(years) * (BAR_H + GAP) + GAP + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, year in enumerate(years):
        y = GAP + i * (BAR_H + GAP)
        total = sum(r["count"] for r in year["rows"]) or 1
        parts.append(f'<text x="52" y="{y + BAR_H - 4}" text-anchor="end" font-size="12">'
                     f'{year["year"]}</text>')
        x = 60.0
        for j, row in enumerate(year["rows"]):
            w = span * row["count"] / total
            if w > 0:
                parts.append(f'<rect x="{round(x, 1)}" y="{y}" width="{round(w, 1)}" '
                             f'height="{BAR_H}" fill="{COLORS[j % len(COLORS)]}">'
                             f'<title>{escape(row["label"])} {row["count"]} 人</title></rect>')
            x += w
    legend_y = height - 8
    for j, label in enumerate(labels):
        x = 60 + j * 78
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" '
                     f'fill="{COLORS[j % len(COLORS)]}"/><text x="{x + 14}" y="{legend_y}" '
                     f'font-size="11">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
