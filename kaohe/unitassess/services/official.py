"""Results of the units an official led as principal leader (dossier section 4).

Ranking a round scores the whole unit group, so a round is loaded once per
:class:`Rankings` however many years, posts and units ask for it: once per dossier,
or once per batch of dossiers inside :func:`shared_rankings` (a batch is built from
one database state), and kept between dossiers while nothing it reads changes
(:mod:`~kaohe.unitassess.services.round_cache`). The statements a dossier runs do not
grow with the number of units in the group or of the official's posts.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from typing import Iterator

from sqlalchemy import select, tuple_

from kaohe.extensions import db
from kaohe.officials.models import Post
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import Scheme
from kaohe.unitassess.services import data, round_cache
from kaohe.units.models import Unit


class Rankings:
    """Published schemes, their rounds with data and their rankings, each loaded once."""

    def __init__(self):
        self._schemes: dict[tuple[int, str], Scheme | None] = {}
        self._rounds: dict[int, list[str]] = {}
        self._rankings: dict[tuple[int, str], round_cache.Ranked] = {}
        self._position: tuple[int, str] | None = None
        self._positioned = False
        self._checked: dict = {}

    def begin(self) -> None:
        """Note the audit-log position before any data is read (see round_cache)."""
        if not self._positioned:
            self._position, self._positioned = round_cache.position(), True

    def schemes(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], Scheme | None]:
        """The published scheme of each (year, group) of ``keys`` (None where there is none)."""
        wanted = keys - self._schemes.keys()
        if wanted:
            found = db.session.scalars(select(Scheme).where(
                tuple_(Scheme.year, Scheme.group).in_(sorted(wanted)),
                Scheme.status == "published"))
            self._schemes.update(dict.fromkeys(wanted))
            self._schemes.update({(s.year, s.group): s for s in found})
        return {k: self._schemes[k] for k in keys}

    def round_of(self, scheme: Scheme) -> str | None:
        """The round a dossier shows: the full year, else the latest round with data."""
        if scheme.id not in self._rounds:
            self.begin()
            self._rounds[scheme.id] = round_cache.kept(
                ("rounds", scheme.id), lambda: data.rounds_with_data(scheme), self._position,
                self._checked)
        rounds = self._rounds[scheme.id]
        return None if not rounds else "full" if "full" in rounds else rounds[-1]

    def ranking(self, scheme: Scheme, round_: str) -> round_cache.Ranked:
        key = (scheme.id, round_)
        if key not in self._rankings:
            self.begin()
            self._rankings[key] = round_cache.kept(
                ("ranking", *key), lambda: round_cache.ranked(data.load_round(scheme, round_)),
                self._position, self._checked)
        return self._rankings[key]


_shared: contextvars.ContextVar[Rankings | None] = contextvars.ContextVar(
    "unitassess_shared_rankings", default=None)


@contextlib.contextmanager
def shared_rankings() -> Iterator[Rankings]:
    """Within the block, :func:`unit_results_for_official` reuses what it has loaded (for
    a batch of dossiers: the data must not change inside the block)."""
    token = _shared.set(Rankings())
    try:
        yield _shared.get()
    finally:
        _shared.reset(token)


def _line(x) -> dict:
    return {"label": x.label, "points": x.points, "detail": x.detail, "category": x.category}


def unit_results_for_official(official_id: int, years,
                              rankings: Rankings | None = None) -> list[dict]:
    """For each year (ascending), the published results of units the official led.

    A unit counts for a year when a principal post (Post.is_principal) there overlaps
    the year. The full-year round is used, or the latest round with data. Each dict:
    year, unit_id, unit_name, post_title, round, round_label, score, rank, size, grade,
    grade_label, eligible_top, bonus_lines, deduction_lines (each line: label, points,
    detail), flags. A unit whose data in that round is incomplete has score, rank and
    grade None and grade_label 数据未录齐. ``rankings``: what to reuse (default: the
    batch's, inside :func:`shared_rankings`, else a new one for this call).
    """
    years = sorted(set(years))
    if not years:
        return []
    rankings = rankings or _shared.get() or Rankings()
    rankings.begin()
    posts = db.session.execute(
        select(Post, Unit).join(Unit, Unit.id == Post.unit_id)
        .where(Post.official_id == official_id, Post.is_principal.is_(True))
        .order_by(Post.start_date, Post.id)).all()
    led = []  # (year, post, unit): a unit once a year, by its first post
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        seen = set()
        for post, unit in posts:
            if post.start_date > end or (post.end_date is not None and post.end_date < start):
                continue
            if unit.id not in seen:
                seen.add(unit.id)
                led.append((year, post, unit))
    schemes = rankings.schemes({(year, unit.kind) for year, _post, unit in led})
    out = []
    for year, post, unit in led:
        scheme = schemes[(year, unit.kind)]
        round_ = rankings.round_of(scheme) if scheme is not None else None
        if round_ is None:
            continue
        rr = rankings.ranking(scheme, round_)
        row = rr.rows.get(unit.id)
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
            "bonus_lines": [_line(x) for x in lines if x.kind == "bonus"],
            "deduction_lines": [_line(x) for x in lines
                                if x.kind in ("deduction", "party_conduct")],
        })
    return out
