"""Server-side SVG charts (no JavaScript): a unit's scores over rounds/years; a group's spread."""
from __future__ import annotations

from html import escape

from flask import Response

from kaohe.extensions import db
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.services import data
from kaohe.unitassess.services.ranking import GRADES, distribution
from kaohe.unitassess.views import bp, round_or_404, scheme_or_404
from kaohe.units.models import Unit

W, H, PAD = 640, 260, 44
FONT = 'font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" font-size="12"'


def _svg(body: str, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
            f'height="{H}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<rect width="{W}" height="{H}" fill="#fff"/>{body}</svg>')


def line_chart(points: list[tuple[str, str, float]], title: str) -> str:
    """Scores over ``(year, round, score)`` points: each point in a slot of its own (away
    from the axis labels), its round under it (slanted when the slots are narrower than
    the names) and each year once, under its first round."""
    if not points:
        return _svg(f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" {FONT}>暂无考核数据</text>',
                    title)
    top = max(100.0, max(v for *_, v in points))
    low = min(0.0, min(v for *_, v in points))
    slot = (W - 20 - (PAD + 30)) / len(points)
    slanted = slot < 13 * max(len(r) for _, r, _ in points) + 6  # CJK at 12 px ≈ 13 px each
    x0, x1, y0, y1 = PAD + 30, W - 20, H - (78 if slanted else PAD + 14), 22

    def y(v):
        return y0 - (v - low) / (top - low) * (y0 - y1)

    parts = [f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#999"/>']
    for tick in range(int(low), int(top) + 1, 20):
        parts.append(f'<line x1="{x0}" y1="{y(tick):.1f}" x2="{x1}" y2="{y(tick):.1f}" '
                     f'stroke="#eee"/><text x="{x0 - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'{FONT}>{tick}</text>')
    coords = [(x0 + (i + 0.5) * slot, y(v)) for i, (*_, v) in enumerate(points)]
    parts.append('<polyline fill="none" stroke="#b91c1c" stroke-width="2" points="'
                 + " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords) + '"/>')
    shown_year = None
    for (year, round_, v), (cx, cy) in zip(points, coords):
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="#b91c1c"/>'
                     f'<text x="{cx:.1f}" y="{cy - 8:.1f}" text-anchor="middle" {FONT}>'
                     f'{v:.2f}</text>')
        below = y0 + 16
        if slanted:
            parts.append(f'<text x="{cx:.1f}" y="{below}" text-anchor="end" '
                         f'transform="rotate(-40 {cx:.1f} {below})" {FONT}>{escape(round_)}</text>')
        else:
            parts.append(f'<text x="{cx:.1f}" y="{below}" text-anchor="middle" {FONT}>'
                         f'{escape(round_)}</text>')
        if year != shown_year:
            shown_year = year
            parts.append(f'<text x="{cx - slot / 2 + 2:.1f}" y="{H - 6}" {FONT} '
                         f'font-weight="bold">{escape(year)} 年</text>')
    return _svg("".join(parts), title)


def bar_chart(bars: list[tuple[str, int]], title: str) -> str:
    top = max([v for _, v in bars] + [1])
    x0, y0, y1 = PAD, H - PAD, 20
    width = (W - x0 - 16) / max(len(bars), 1)
    parts = [f'<line x1="{x0}" y1="{y0}" x2="{W - 16}" y2="{y0}" stroke="#999"/>']
    for i, (label, v) in enumerate(bars):
        h = v / top * (y0 - y1)
        x = x0 + i * width + width * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{y0 - h:.1f}" width="{width * 0.7:.1f}" '
                     f'height="{h:.1f}" fill="#1d4ed8"/>'
                     f'<text x="{x + width * 0.35:.1f}" y="{y0 - h - 5:.1f}" text-anchor="middle" '
                     f'{FONT}>{v}</text><text x="{x + width * 0.35:.1f}" y="{y0 + 18}" '
                     f'text-anchor="middle" {FONT}>{escape(label)}</text>')
    return _svg("".join(parts), title)


def score_bins(scores: list[float]) -> list[tuple[str, int]]:
    edges = [(0, 60), (60, 70), (70, 80), (80, 90), (90, 100), (100, 1000)]
    labels = ["<60", "60–70", "70–80", "80–90", "90–100", "≥100"]
    return [(lab, sum(1 for s in scores if lo <= s < hi)) for lab, (lo, hi) in zip(labels, edges)]


def _svg_response(svg: str) -> Response:
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/units/<int:unit_id>/chart.svg")
def unit_chart(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    points = []
    for s in data.schemes_for_group(unit.kind):
        for r in data.rounds_with_data(s):
            row = data.load_round(s, r).row_for(unit.id)
            if row is not None and row.complete:  # no total of incomplete data
                points.append((str(s.year), ROUNDS[r], row.score.total))
    return _svg_response(line_chart(points, f"{unit.name} 历次目标责任考核得分"))


@bp.route("/schemes/<int:scheme_id>/<round_>/distribution.svg")
def distribution_chart(scheme_id: int, round_: str):
    s = scheme_or_404(scheme_id)
    rr = data.load_round(s, round_or_404(round_))
    return _svg_response(bar_chart(score_bins([r.score.total for r in rr.ranked]),
                                   f"{s.year} 年{s.group_label}{rr.round_label}得分分布"))


@bp.route("/schemes/<int:scheme_id>/<round_>/grades.svg")
def grades_chart(scheme_id: int, round_: str):
    s = scheme_or_404(scheme_id)
    rr = data.load_round(s, round_or_404(round_))
    counts = distribution(rr.rows)
    return _svg_response(bar_chart([(GRADES[g], counts[g]) for g in GRADES],
                                   f"{s.year} 年{s.group_label}{rr.round_label}等次分布"))
