"""Reminders about personnel discussions: items not ready (and why, from the readiness
service), integrity opinions not requested or expiring before the meeting, stale
dossiers (organization), and dossiers an assigned reviewer has not read yet."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kaohe.audit.models import AuditLog
from kaohe.discipline import services as discipline
from kaohe.discipline.models import IntegrityOpinion
from kaohe.discussions.models import AgendaItem, Discussion, DiscussionReviewer, ItemDossier
from kaohe.discussions.services import access
from kaohe.discussions.services.readiness import compute, read_together
from kaohe.extensions import db
from kaohe.todos import settings as cfg
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo, make


def _upcoming(ctx: Ctx, until: dt.date | None = None, reviewer_id: int | None = None):
    """Draft discussions from today (up to ``until``), with their live items loaded."""
    stmt = (select(Discussion).where(Discussion.status == "draft", Discussion.date >= ctx.today)
            .options(selectinload(Discussion.items).selectinload(AgendaItem.official),
                     selectinload(Discussion.items).selectinload(AgendaItem.dossiers)
                     .selectinload(ItemDossier.dossier))
            .order_by(Discussion.date, Discussion.id))
    if until is not None:
        stmt = stmt.where(Discussion.date <= until)
    if reviewer_id is not None:
        stmt = stmt.join(DiscussionReviewer, (DiscussionReviewer.discussion_id == Discussion.id)
                         & (DiscussionReviewer.user_id == reviewer_id))
    return list(db.session.scalars(stmt))


def _gone(item: AgendaItem) -> bool:
    """Whether the item's official was deleted after the item was put on the agenda."""
    return item.official is None or item.official.deleted_at is not None


def _name(item: AgendaItem) -> str:
    return f"（已删除的干部，编号 {item.official_id}）" if _gone(item) else item.official.name


def _missing(item: AgendaItem, state) -> list[str]:
    return (["干部档案已删除，请核实议题"] if _gone(item) else []) + state.missing


def _heading(d: Discussion) -> str:
    return f"{d.date.month}月{d.date.day}日{d.kind_label}（{d.title}）"


def discussions(ctx: Ctx) -> list[Todo]:
    """Discussions in the next N days (setting): items not ready with the reasons, and
    items whose dossier is out of date."""
    until = ctx.today + dt.timedelta(days=cfg.value(cfg.DISCUSSION_DAYS))
    out = []
    for d in _upcoming(ctx, until):
        items = [i for i in d.items if i.official_id not in ctx.recused]
        with read_together(items):
            states = {i.id: compute(i) for i in items}
        waiting = [i for i in items if _gone(i) or not states[i.id].ready]
        hidden = len(d.items) - len(items)
        show = url_for("discussions.show", discussion_id=d.id)
        if waiting:
            details = [f"{_name(i)}（{i.action_label}）：{'；'.join(_missing(i, states[i.id]))}"
                       for i in waiting]
            if hidden:
                details.append(f"另有 {hidden} 个议题您须回避，未列出")
            out.append(make("discussion_not_ready",
                            f"{_heading(d)}：{len(d.items)} 个议题中 {len(waiting)} 个未就绪",
                            d.date, show, {"discussion_id": d.id,
                                           "item_ids": [i.id for i in waiting]},
                            ctx.today, details))
        for i in items:
            if states[i.id].stale:
                out.append(make("dossier_stale",
                                f"{_name(i)}的考评材料须重新生成（{_heading(d)}）",
                                d.date, url_for("discussions.item", discussion_id=d.id,
                                                item_id=i.id),
                                {"discussion_id": d.id, "item_id": i.id,
                                 "official_id": i.official_id}, ctx.today, states[i.id].stale))
    return out


def opinions(ctx: Ctx) -> list[Todo]:
    """Agenda items of coming discussions whose official has no integrity opinion valid
    on the meeting date: not requested (nor waiting for an answer), or one valid today
    that expires before the meeting."""
    out = []
    for d in _upcoming(ctx):
        items = [i for i in d.items if i.official_id not in ctx.recused]
        waiting = dict(db.session.execute(  # official → the last request not yet answered
            select(IntegrityOpinion.official_id, func.max(IntegrityOpinion.requested_on))
            .where(IntegrityOpinion.official_id.in_([i.official_id for i in items]),
                   IntegrityOpinion.outcome.is_(None))
            .group_by(IntegrityOpinion.official_id)).all())
        with read_together(items):
            answers = {i.id: (discipline.valid_opinion(i.official_id, d.date),
                              discipline.valid_opinion(i.official_id, ctx.today))
                       for i in items}
        for i in items:
            then, now = answers[i.id]
            if _gone(i) or then is not None:
                continue  # a deleted official's item is listed as not ready instead
            ids = {"discussion_id": d.id, "item_id": i.id, "official_id": i.official_id}
            ask = url_for("discipline.request.request_opinion", official_id=i.official_id)
            if now is not None:
                expiry = discipline.opinion_expiry(now)
                asked = waiting.get(i.official_id)
                out.append(make(
                    "opinion_expiring",
                    f"{_name(i)}的党风廉政意见回复 {expiry.isoformat()} 到期，"
                    f"早于{_heading(d)}", expiry, ask, ids, ctx.today,
                    [f"回复日期 {now.answered_on.isoformat()}（{now.outcome_label}），"
                     + (f"已于 {asked.isoformat()} 重新征求，待纪委回复（须在会前收到）"
                        if asked else "须在会前重新征求")]))
            elif i.official_id not in waiting:
                out.append(make(
                    "opinion_missing", f"{_name(i)}尚未征求党风廉政意见（{_heading(d)}）",
                    d.date, ask, ids, ctx.today,
                    [f"议题：{i.motion}"]))
    return out


def unread(ctx: Ctx) -> list[Todo]:
    """Coming discussions assigned to the reviewer with dossiers (current versions) they
    have not downloaded yet (the reading register records every download)."""
    found = _upcoming(ctx, reviewer_id=ctx.user.id)
    if not found:
        return []
    read = {(row.entity_id, (row.after or {}).get("dossier_id"))
            for row in db.session.execute(
                select(AuditLog.entity_id, AuditLog.after).where(
                    AuditLog.entity_type == access.ENTITY, AuditLog.action == "download",
                    AuditLog.actor_id == ctx.user.id,
                    AuditLog.entity_id.in_([d.id for d in found])))}
    out = []
    for d in found:
        items = [i for i in d.items if i.official_id not in ctx.recused
                 and i.current_dossier is not None
                 and (d.id, i.current_dossier.dossier_id) not in read]
        if items:
            out.append(make(
                "dossier_unread", f"{_heading(d)}：{len(items)} 份考评材料未阅",
                d.date, url_for("discussions.show", discussion_id=d.id),
                {"discussion_id": d.id, "item_ids": [i.id for i in items]}, ctx.today,
                [f"{_name(i)}（{i.action_label}）：考评材料第 {i.current_dossier.version} 版"
                 f"（{i.current_dossier.dossier.number}）" for i in items]))
    return out
