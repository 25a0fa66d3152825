"""Load a round from the database and rank it; party-conduct lines from the discipline service.

A round is scored by the scheme's rule figures (frozen at publication, figures.py), over
the units of the round (the group's units, plus any unit with results in the scheme even
if it was later deleted or moved: a published ranking keeps its units), and says how
complete its data is (completeness.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass

from sqlalchemy import Float, cast, func, or_, select

from kaohe.auth.models import User
from kaohe.discipline import services as discipline
from kaohe.extensions import db
from kaohe.officials.models import Official, Post
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import (Indicator, IndicatorResult, Interview, PublicRating,
                                     Scheme, ScoreEvent)
from kaohe.unitassess.services import completeness, figures, ranking, scoring, totals
from kaohe.unitassess.services.scheme import parse_grade_map
from kaohe.units.models import Unit


# ---------------------------------------------------------------- party conduct
SELF_FOUND = {"self", "self_found", "unit", "自查", "自查发现", "本单位"}
FREE_STATUSES = {"exempted": "已容错免责", "cleared": "已了结（查否/澄清）", "免责": "已容错免责",
                 "了结": "已了结"}


def _get(item, *names, default=None):
    for n in names:
        value = item.get(n) if isinstance(item, dict) else getattr(item, n, None)
        if value is not None:
            return value
    return default


def normalise_party_item(unit_id: int, item) -> scoring.PartyConductRow:
    """Accept a dict or object from ``party_conduct_deductions`` and decide what it costs.

    Self-found cases, exempted (容错免责) and cleared cases cost nothing; the line is still
    shown with the reason it is free.
    """
    points = float(_get(item, "points", "deduction", "nominal_points", default=0) or 0)
    reason = str(_get(item, "reason", "description", "title", "summary", default="党风廉政问题"))
    found_by = str(_get(item, "found_by", "source", "discovered_by", default="") or "")
    status = str(_get(item, "status", default="") or "")
    why = ""
    if _get(item, "self_found", default=False) or found_by in SELF_FOUND:
        why = "本单位自查发现，不扣分"
    elif _get(item, "exempted", default=False) or status in ("exempted", "免责"):
        why = "已容错免责，不作负面评价"
    elif _get(item, "cleared", default=False) or status in ("cleared", "了结"):
        why = "已了结，不扣分"
    counted = _get(item, "counted_points", "effective_points")
    counted = 0.0 if why else float(points if counted is None else counted)
    if not why and counted == 0 and points:
        why = "不计扣分"
    date = _get(item, "date", "found_on", "decided_on")
    if isinstance(date, dt.datetime):
        date = date.date()
    return scoring.PartyConductRow(unit_id, points, counted, reason, why,
                                   date if isinstance(date, dt.date) else None,
                                   str(_get(item, "ref", "finding_id", "id", default="") or ""))


def party_conduct_source():
    """The discipline service's party-conduct deductions of many units (tests replace it).

    Imported, not looked up: a missing or renamed function fails loudly instead of
    silently dropping every deduction from the scores."""
    return discipline.party_conduct_deductions_of


def party_conduct_rows(unit_ids, start: dt.date, end: dt.date,
                       points: dict[str, float] | None = None) -> list[scoring.PartyConductRow]:
    """``points``: deduction per discipline category (the scheme's frozen figures)."""
    source = party_conduct_source()
    if source is None:
        return []
    return [normalise_party_item(_get(item, "unit_id"), item)
            for item in source(unit_ids, start, end, points_by_category=points) or []]


# ---------------------------------------------------------------- loading a round
def indicator_specs(scheme: Scheme) -> list[scoring.IndicatorSpec]:
    rows = db.session.scalars(select(Indicator).where(Indicator.scheme_id == scheme.id)
                              .order_by(Indicator.sort_order, Indicator.id))
    cats = {c.id: c.name for c in scheme.categories}
    return [scoring.IndicatorSpec(
        i.id, i.code or f"I{i.id}", i.name, cats.get(i.category_id, ""), float(i.max_points),
        i.method, i.higher_is_better, float(i.floor_ratio or 0), float(i.cap_ratio or 1),
        parse_grade_map(i.grade_map) if i.method == "grade" else {}) for i in rows]


@dataclass
class RoundRanking:
    scheme: Scheme
    round: str
    rows: list[ranking.RankRow]
    units: dict[int, Unit]
    interviews: dict[int, list[Interview]]
    completeness: completeness.Completeness | None = None
    # Units without a 民评官 rating in a scheme that weighs one: scored 0 for it (the rule),
    # which the ranking page says beside the completeness of the indicators.
    unrated: tuple[int, ...] = ()

    @property
    def unrated_names(self) -> list[str]:
        """Names of :attr:`unrated`, in the group's order."""
        return [self.units[u].name for u in self.unrated if u in self.units]

    @property
    def round_label(self) -> str:
        return ROUNDS[self.round]

    @property
    def ranked(self) -> list[ranking.RankRow]:
        """The rows with a rank (complete data); ``rows`` also holds the incomplete ones."""
        return [r for r in self.rows if r.complete]

    @property
    def size(self) -> int:
        """Number of ranked units (the N of "第 k/N 名")."""
        return sum(1 for r in self.rows if r.complete)

    @property
    def complete(self) -> bool:
        return self.completeness is not None and self.completeness.complete

    @property
    def refusal(self) -> str | None:
        """Why this round cannot be published (公示), or None."""
        if self.completeness is None:
            return "本轮考核数据完整性未知，不能公示。"
        return completeness.refusal(self.completeness, self._names())

    @property
    def missing_lines(self) -> list[str]:
        """「单位：缺 指标、…」per incomplete unit (capped, then a count of the rest)."""
        if self.completeness is None:
            return []
        return completeness.missing_lines(self.completeness, self._names())

    def _names(self) -> dict[int, str]:
        return {u.id: u.name for u in self.units.values()}

    def row_for(self, unit_id: int) -> ranking.RankRow | None:
        return next((r for r in self.rows if r.unit_id == unit_id), None)


def group_units(group: str) -> list[Unit]:
    """The group's current units (those data can be entered for)."""
    return list(db.session.scalars(select(Unit).where(Unit.kind == group)
                                   .order_by(Unit.sort_order, Unit.code)))


def round_units(scheme: Scheme) -> list[Unit]:
    """The units a scheme's rounds cover: the group's current units, and every unit with
    results in the scheme even if since deleted or moved to another group."""
    with_results = (select(IndicatorResult.unit_id)
                    .where(IndicatorResult.scheme_id == scheme.id,
                           IndicatorResult.deleted_at.is_(None)))
    return list(db.session.scalars(
        select(Unit).where(or_((Unit.kind == scheme.group) & Unit.deleted_at.is_(None),
                               Unit.id.in_(with_results)))
        .order_by(Unit.sort_order, Unit.code).execution_options(include_deleted=True)))


def _results(scheme: Scheme, round_: str) -> list[scoring.ResultRow]:
    """The round's results as the database rows themselves: named like a ResultRow's
    fields, in their order, with the values it holds (12 000 rows a round, no Python
    conversion of a value or a row)."""
    # The database casts to float and fills an empty grade. Core, not ORM execution (no
    # per-row ORM loading), hence the explicit soft-delete test; all() fetches the rows
    # at once instead of one by one.
    return db.session.connection().execute(
        select(IndicatorResult.unit_id, IndicatorResult.indicator_id,
               cast(IndicatorResult.target, Float).label("target"),
               cast(IndicatorResult.actual, Float).label("actual"),
               func.coalesce(IndicatorResult.grade, "").label("grade"))
        .where(IndicatorResult.scheme_id == scheme.id, IndicatorResult.round == round_,
               IndicatorResult.deleted_at.is_(None))).all()


@contextlib.contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector while a round is read and scored: its 12 000
    results are new objects that all survive and form no cycles, yet
    building them set off collections that walked them and the whole heap again and again
    (half the time of load_round; the next round's reads paid for the previous one's).
    Reference counting still frees what is dropped; the collector resumes right after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def round_completeness(scheme: Scheme, round_: str) -> completeness.Completeness:
    """How complete a round's data is, without scoring it."""
    return completeness.measure([u.id for u in round_units(scheme)], indicator_specs(scheme),
                                _results(scheme, round_))


def load_round(scheme: Scheme, round_: str) -> RoundRanking:
    """The round read, scored, checked for completeness and ranked."""
    with _no_cyclic_gc():
        return _load_round(scheme, round_)


def _load_round(scheme: Scheme, round_: str) -> RoundRanking:
    units = round_units(scheme)
    unit_ids = [u.id for u in units]
    values = figures.of(scheme)
    specs = indicator_specs(scheme)
    ratings = {u: float(s) for u, s in db.session.execute(
        select(PublicRating.unit_id, PublicRating.score)
        .where(PublicRating.scheme_id == scheme.id, PublicRating.round == round_))}
    E = ScoreEvent
    events = [scoring.EventRow(i, u, kind, day, float(points), reason, evidence,
                               name or uname or "")
              for i, u, kind, day, points, reason, evidence, name, uname in db.session.execute(
                  select(E.id, E.unit_id, E.kind, E.date, E.points, E.reason, E.evidence,
                         User.display_name, User.username)
                  .outerjoin(User, User.id == E.recorded_by_id)
                  .where(E.scheme_id == scheme.id))]
    end = scoring.round_end(scheme.year, round_)
    party = party_conduct_rows(unit_ids, dt.date(scheme.year, 1, 1), end,
                               figures.deduction_points(values))
    results = _results(scheme, round_)
    scores = totals.score_round(scheme.year, round_, unit_ids, specs, results,
                                float(scheme.public_weight), ratings, events, party,
                                figures.params(values))
    done = completeness.measure(unit_ids, specs, results)
    rows = ranking.rank_units(scores, {u.id: (u.code, u.name) for u in units},
                              figures.bands(values), done.missing)
    interviews: dict[int, list[Interview]] = {}
    for iv in db.session.scalars(select(Interview).where(
            Interview.scheme_id == scheme.id, Interview.round == round_).order_by(Interview.date)):
        interviews.setdefault(iv.unit_id, []).append(iv)
    unrated = tuple(u for u in unit_ids if u not in ratings) if scheme.public_weight else ()
    return RoundRanking(scheme, round_, rows, {u.id: u for u in units}, interviews, done, unrated)


def principal_leader(unit_id: int, on: dt.date) -> Official | None:
    """The unit's principal leader (主要负责人) on ``on``."""
    return db.session.scalar(
        select(Official).join(Post, Post.official_id == Official.id)
        .where(Post.unit_id == unit_id, Post.is_principal.is_(True), Post.start_date <= on,
               (Post.end_date.is_(None)) | (Post.end_date >= on))
        .order_by(Post.start_date.desc(), Post.id.desc()))


def schemes_for_group(group: str, published_only: bool = True) -> list[Scheme]:
    stmt = select(Scheme).where(Scheme.group == group).order_by(Scheme.year)
    if published_only:
        stmt = stmt.where(Scheme.status == "published")
    return list(db.session.scalars(stmt))


def rounds_with_data(scheme: Scheme) -> list[str]:
    present = set(db.session.scalars(select(IndicatorResult.round).distinct()
                                     .where(IndicatorResult.scheme_id == scheme.id)))
    return [r for r in ROUNDS if r in present]
