"""Reminders from the discipline commission's records: opinion requests waiting for an
answer (discipline), and impact periods (影响期) ending soon (organization: the official
may be considered again; discipline: the finding's period runs out)."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kaohe.discipline import impact, rules
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.todos import settings as cfg
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo, make


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


def _lookback(today: dt.date) -> dt.date:
    """No period of a finding decided before this day can still be running: the longest
    configured period and the combined cap bound every chained end."""
    longest = max([impact.admin_cap()] + [impact.base_months(k) or 0 for k in rules.TIMED_KINDS])
    index = today.year * 12 + today.month - 1 - longest - 1
    return dt.date(index // 12, index % 12 + 1, 1)


def ending_periods(ctx: Ctx) -> list[tuple[DisciplineFinding, impact.ImpactPeriod]]:
    """(finding, period) of the counting findings whose impact period ends within the
    setting's days from today. Only officials with a finding decided recently enough to
    be running are loaded; their findings are chained by the discipline service."""
    horizon = ctx.today + dt.timedelta(days=cfg.value(cfg.IMPACT_DAYS))
    candidates = (select(DisciplineFinding.official_id).where(
        DisciplineFinding.status == "closed", DisciplineFinding.kind.in_(rules.TIMED_KINDS),
        DisciplineFinding.decision_date >= _lookback(ctx.today),
        ctx.visible(DisciplineFinding.official_id)))
    findings = list(db.session.scalars(
        select(DisciplineFinding).where(DisciplineFinding.official_id.in_(candidates))
        .options(selectinload(DisciplineFinding.exemptions),
                 selectinload(DisciplineFinding.official))
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
    return [make("impact_ending",
                 f"{f.official.name}的影响期 {period.end.isoformat()} 届满（{f.kind_label}）",
                 period.end, url_for("officials.profile", official_id=f.official_id),
                 {"official_id": f.official_id, "finding_id": f.id}, ctx.today,
                 [f"影响期 {period.label}；届满后方可提拔或重用"])
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
