"""任前公示 ending: publicities ending within the setting's days (or ended) whose
entries still have no recorded outcome, or an objection still being checked
(:mod:`kaohe.moves`: the appointment waits for both)."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import and_, or_, select

from kaohe.discussions.models import AgendaItem
from kaohe.extensions import db
from kaohe.moves.models import Publicity, PublicityEntry
from kaohe.officials.models import Official
from kaohe.todos import settings as cfg
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo, make


def publicity_ending(ctx: Ctx) -> list[Todo]:
    horizon = ctx.today + dt.timedelta(days=cfg.value(cfg.PUBLICITY_DAYS))
    rows = db.session.execute(
        select(Publicity, PublicityEntry, Official.name)
        .join(PublicityEntry, PublicityEntry.publicity_id == Publicity.id)
        .join(AgendaItem, AgendaItem.id == PublicityEntry.item_id)
        .join(Official, Official.id == AgendaItem.official_id)
        .where(Publicity.end_on <= horizon, ctx.visible(AgendaItem.official_id),
               or_(PublicityEntry.outcome.is_(None),
                   and_(PublicityEntry.outcome == "objection",
                        PublicityEntry.objection_state == "pending")))
        .order_by(Publicity.end_on, Publicity.id, PublicityEntry.position)).all()
    grouped: dict[int, tuple[Publicity, list[str], list[int]]] = {}
    for pub, entry, name in rows:
        _p, lines, ids = grouped.setdefault(pub.id, (pub, [], []))
        lines.append(f"{name}：{'异议正在核查' if entry.outcome else '公示结果待登记'}")
        ids.append(entry.item_id)
    out = []
    for pub, lines, ids in grouped.values():
        state = "已结束" if pub.end_on < ctx.today else "结束"
        out.append(make("publicity_ending",
                        f"任前公示 {pub.end_on.isoformat()} {state}（{pub.start_on.isoformat()} 起，"
                        f"{pub.work_days} 个工作日），{len(ids)} 人待登记或核查",
                        pub.end_on, url_for("moves.publicity_show",
                                            discussion_id=pub.discussion_id,
                                            publicity_id=pub.id),
                        {"publicity_id": pub.id, "discussion_id": pub.discussion_id,
                         "item_ids": ids}, ctx.today,
                        lines + ["公示期满无异议（或异议经核查不影响任职）后方可任职"]))
    return out
