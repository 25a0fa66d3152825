"""Reminders of the unit target-responsibility assessment: rounds whose data are not
complete, units lagging on indicators, and interviews (约谈) due but not held.

A round is due once it has ended (06-30, 09-30, 12-31) and for a year after; its data
are expected within the setting's days after its end. Completeness, lagging and
interview flags are the unit-assessment services' own (the rankings of published
rounds are shared with the dossiers through their cache).
"""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import select

from kaohe.auth.permissions import P, can
from kaohe.extensions import db
from kaohe.todos import settings as cfg
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo, make
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import Interview, Scheme
from kaohe.unitassess.services import data, round_cache
from kaohe.unitassess.services.completeness import Completeness, missing_lines
from kaohe.unitassess.services.scoring import round_end
from kaohe.units.models import Unit


def _due_rounds(ctx: Ctx) -> list[tuple[Scheme, str, dt.date]]:
    """(scheme, round, end) of the rounds ended within the last year, newest first."""
    schemes = db.session.scalars(select(Scheme).where(
        Scheme.year.in_([ctx.today.year - 1, ctx.today.year])).order_by(Scheme.id))
    found = [(s, r, round_end(s.year, r)) for s in schemes for r in ROUNDS]
    return sorted(((s, r, end) for s, r, end in found
                   if ctx.today - dt.timedelta(days=366) < end < ctx.today),
                  key=lambda t: (-t[2].toordinal(), t[0].id))


def _ranked(scheme: Scheme, round_: str) -> round_cache.Ranked:
    def compute() -> round_cache.Ranked:
        return round_cache.ranked(data.load_round(scheme, round_))

    if not scheme.is_published:  # the cache keeps published rounds only
        return compute()
    return round_cache.kept(("ranking", scheme.id, round_), compute, round_cache.position())


def _label(scheme: Scheme, round_: str) -> str:
    return f"{scheme.year} 年{scheme.group_label}{ROUNDS[round_]}考核"


def _data_due(end: dt.date) -> dt.date:
    return end + dt.timedelta(days=cfg.value(cfg.ROUND_DATA_DAYS))


def rounds(ctx: Ctx) -> list[Todo]:
    """Ended rounds: data missing per unit, interviews due; units lagging in each
    scheme's latest ended round within the year (the full year's lag is its result)."""
    out, lag_seen = [], set()
    for scheme, round_, end in _due_rounds(ctx):
        ranked = _ranked(scheme, round_)
        names = dict(db.session.execute(select(Unit.id, Unit.name).where(
            Unit.id.in_(list(ranked.rows))).execution_options(include_deleted=True)).all())
        ids = {"scheme_id": scheme.id, "round": round_}
        incomplete = {uid: row.missing for uid, row in ranked.rows.items() if row.missing}
        if incomplete:
            gaps = Completeness(len(ranked.rows), 0, 0, incomplete)
            out.append(make(
                "round_data_missing",
                f"{_label(scheme, round_)}：{len(ranked.rows)} 个单位中 {len(incomplete)} 个"
                "数据未录齐", _data_due(end),
                url_for("unitassess.edit.entry_page", scheme_id=scheme.id, round=round_),
                {**ids, "unit_ids": sorted(incomplete)}, ctx.today,
                missing_lines(gaps, names)))
        lagging = {uid: row.score.lagging for uid, row in ranked.rows.items()
                   if not row.missing and row.score.lagging}
        if lagging and round_ != "full" and scheme.id not in lag_seen:  # the latest round
            out.append(make(
                "indicators_lagging",
                f"{_label(scheme, round_)}：{len(lagging)} 个单位指标进度滞后",
                None, url_for("unitassess.progress", scheme_id=scheme.id, round_=round_),
                {**ids, "unit_ids": sorted(lagging)}, ctx.today,
                [f"{names.get(uid, uid)}：{len(lag)} 项滞后（{'、'.join(lag[:5])}"
                 f"{'等' if len(lag) > 5 else ''}）" for uid, lag in lagging.items()],
                urgency=2))
        lag_seen.add(scheme.id)
        out += _interviews(ctx, scheme, round_, end, ranked, names)
    return out


def _interviews(ctx, scheme, round_, end, ranked, names) -> list[Todo]:
    due = [row for row in ranked.rows.values() if row.interview_due]
    if not due:
        return []
    # The organization holds interviews; the assessment office sees the unit's breakdown.
    endpoint = ("unitassess.interview.interview_form" if can(P.UNITASSESS_INTERVIEW, ctx.user)
                else "unitassess.breakdown")
    held = set(db.session.scalars(select(Interview.unit_id).where(
        Interview.scheme_id == scheme.id, Interview.round == round_)))
    return [make("interview_due",
                 f"约谈{names.get(row.unit_id, row.unit_id)}主要负责人（{_label(scheme, round_)}）",
                 _data_due(end) + dt.timedelta(days=cfg.value(cfg.ROUND_DATA_DAYS)),
                 url_for(endpoint, scheme_id=scheme.id, round_=round_, unit_id=row.unit_id),
                 {"scheme_id": scheme.id, "round": round_, "unit_id": row.unit_id}, ctx.today,
                 row.flags)
            for row in due if row.unit_id not in held]
