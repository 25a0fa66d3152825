"""Results of the units an official led as principal leader (dossier section 4)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.extensions import db
from kaohe.officials.models import Post
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import Scheme
from kaohe.unitassess.services import data
from kaohe.units.models import Unit


def unit_results_for_official(official_id: int, years) -> list[dict]:
    """For each year (ascending), the published results of units the official led.

    A unit counts for a year when a principal post (Post.is_principal) there overlaps
    the year. The full-year round is used, or the latest round with data. Each dict:
    year, unit_id, unit_name, post_title, round, round_label, score, rank, size, grade,
    grade_label, eligible_top, bonus_lines, deduction_lines (each line: label, points,
    detail), flags. A unit whose data in that round is incomplete has score, rank and
    grade None and grade_label 数据未录齐.
    """
    years = sorted(set(years))
    if not years:
        return []
    posts = db.session.scalars(select(Post).where(
        Post.official_id == official_id, Post.is_principal.is_(True))
        .order_by(Post.start_date, Post.id)).all()
    out = []
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        seen = set()
        for post in posts:
            if post.start_date > end or (post.end_date is not None and post.end_date < start):
                continue
            unit = db.session.get(Unit, post.unit_id)
            if unit is None or unit.id in seen:
                continue
            seen.add(unit.id)
            scheme = db.session.scalar(select(Scheme).where(
                Scheme.year == year, Scheme.group == unit.kind, Scheme.status == "published"))
            if scheme is None:
                continue
            rounds = data.rounds_with_data(scheme)
            if not rounds:
                continue
            round_ = "full" if "full" in rounds else rounds[-1]
            rr = data.load_round(scheme, round_)
            row = rr.row_for(unit.id)
            if row is None:
                continue
            lines = row.score.lines
            out.append({
                "year": year, "unit_id": unit.id, "unit_name": unit.name,
                "post_title": post.title, "round": round_, "round_label": ROUNDS[round_],
                # data incomplete: no score, rank or grade (grade_label 数据未录齐)
                "score": row.score.total if row.complete else None, "rank": row.rank,
                "size": rr.size, "grade": row.grade or None, "grade_label": row.grade_label,
                "eligible_top": row.score.eligible_top, "flags": list(row.flags),
                "bonus_lines": [{"label": x.label, "points": x.points, "detail": x.detail,
                                 "category": x.category} for x in lines if x.kind == "bonus"],
                "deduction_lines": [{"label": x.label, "points": x.points, "detail": x.detail,
                                     "category": x.category}
                                    for x in lines if x.kind in ("deduction", "party_conduct")],
            })
    return out
