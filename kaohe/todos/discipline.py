"""Reminders from the discipline commission's records: opinion requests waiting for an
answer (discipline), and impact periods (影响期) ending soon (organization: the official
may be considered again; discipline: the finding's period runs out)."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import selectinload

from kaohe.discipline import impact, rules
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.todos import settings as cfg
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo, make, url_maker


def waiting_opinions(ctx: Ctx) -> list[Todo]:
    """Integrity-opinion requests not answered yet, oldest first, with the days waited."""
    answer_days = cfg.value(cfg.OPINION_ANSWER_DAYS)
    rows = db.session.execute(
        select(IntegrityOpinion.id, IntegrityOpinion.official_id, IntegrityOpinion.purpose,
               IntegrityOpinion.requested_on, Official.name)
        .join(Official, Official.id == IntegrityOpinion.official_id)
        .where(IntegrityOpinion.outcome.is_(None), ctx.visible(IntegrityOpinion.official_id))
        .order_by(IntegrityOpinion.requested_on, IntegrityOpinion.id)).all()
    return [make("opinion_waiting",
                 f"{name}的党风廉政意见征求待回复，已等待 {(ctx.today - asked).days} 天",
                 asked + dt.timedelta(days=answer_days),
                 url_for("integrity.answer.answer", opinion_id=oid),
                 {"opinion_id": oid, "official_id": official_id}, ctx.today,
                 [f"{asked.isoformat()} 征求：{purpose}"])
            for oid, official_id, purpose, asked, name in rows]


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def _may_end_between(today: dt.date, horizon: dt.date):
    """SQL condition: a finding whose period may end between ``today`` and ``horizon``.
    A kind's own period ends ``base_months`` after the decision (a month's margin each
    side for the month arithmetic); only administrative sanctions are chained or given
    a combined period, never beyond the cap from their decision."""
    cap = impact.admin_cap()
    conditions = []
    for kind in rules.TIMED_KINDS:
        months = impact.base_months(kind) or 0
        if rules.KINDS[kind][0] == "administrative":
            conditions.append(and_(DisciplineFinding.kind == kind,
                                   DisciplineFinding.decision_date
                                   >= _month_start(today, max(months, cap) + 1)))
        elif months:
            conditions.append(and_(DisciplineFinding.kind == kind,
                                   DisciplineFinding.decision_date.between(
                                       _month_start(today, months + 1),
                                       _month_start(horizon, months - 2))))
    return or_(false(), *conditions)


def ending_periods(ctx: Ctx) -> list[tuple[DisciplineFinding, impact.ImpactPeriod]]:
    """(finding, period) of the counting findings whose impact period ends within the
    setting's days from today. Only officials (not deleted) with a finding decided
    recently enough to be running are loaded; their findings are chained by the
    discipline service."""
    horizon = ctx.today + dt.timedelta(days=cfg.value(cfg.IMPACT_DAYS))
    candidates = (select(DisciplineFinding.official_id)
                  .join(Official, Official.id == DisciplineFinding.official_id)
                  .where(DisciplineFinding.status == "closed",
                         _may_end_between(ctx.today, horizon), Official.deleted_at.is_(None),
                         ctx.visible(DisciplineFinding.official_id)))
    findings = list(db.session.scalars(
        select(DisciplineFinding).where(DisciplineFinding.official_id.in_(candidates))
        .options(selectinload(DisciplineFinding.exemptions),
                 # the name and unit the lines show: thousands of officials at a
                 # province's scale, each of some forty columns otherwise
                 selectinload(DisciplineFinding.official).load_only(Official.name,
                                                                    Official.unit_id))
        .order_by(DisciplineFinding.official_id, DisciplineFinding.id)))
    by_official: dict[int, list[DisciplineFinding]] = {}
    for f in findings:
        by_official.setdefault(f.official_id, []).append(f)
    out = []
    for group in by_official.values():
        periods = impact.periods(group)
        out += [(f, periods[f.id]) for f in group
                if f.counts and periods[f.id] is not None and not periods[f.id].permanent
                and ctx.today <= periods[f.id].end <= horizon]
    return out


def impact_ending(ctx: Ctx) -> list[Todo]:
    """Organization: officials whose impact period ends soon (may be considered again)."""
    profile = url_maker("officials.profile", "official_id")
    return [make("impact_ending",
                 f"{f.official.name}的影响期 {period.end.isoformat()} 届满（{f.kind_label}）",
                 period.end, profile(f.official_id),
                 {"official_id": f.official_id, "finding_id": f.id}, ctx.today,
                 [f"影响期 {period.label}；届满后方可提拔或重用"],
                 unit_id=f.official.unit_id or 0)
            for f, period in ending_periods(ctx)]


def finding_impact_ending(ctx: Ctx) -> list[Todo]:
    """Discipline: findings whose impact period ends soon."""
    return [make("finding_impact_ending",
                 f"{f.official.name}：{f.kind_label}影响期 {period.end.isoformat()} 届满",
                 period.end, url_for("discipline.finding", official_id=f.official_id,
                                     finding_id=f.id),
                 {"official_id": f.official_id, "finding_id": f.id}, ctx.today,
                 [f"{f.decision_date.isoformat()} 决定；{period.basis}"])
            for f, period in ending_periods(ctx)]
