"""Holding the meeting and recording a decision per item.

* Held only when every item is ready and the quorum holds: at least 2/3 of the
  members who should attend are present (3 × present ≥ 2 × members).
* Decision by majority of the members who should attend (应到会成员过半数): 同意
  needs more than half of them voting for; 不同意 is recorded when the for-votes
  fall short of that; 暂缓 (deferral) may be decided either way. Votes cast cannot
  exceed those present. Each item is decided once.
"""
from __future__ import annotations

import datetime as dt

from kaohe.core import clock
from kaohe.audit.services import current_actor
from kaohe.auth.permissions import is_recused
from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.discussions import rules
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.discussions.services.readiness import compute
from kaohe.extensions import db


def quorum_needed(members: int) -> int:
    """Smallest number present that makes 2/3 of ``members``."""
    return -(-2 * members // 3)


def majority_needed(members: int) -> int:
    """Smallest number of for-votes that is more than half of ``members``."""
    return members // 2 + 1


def hold(discussion: Discussion, present_ids: list[int], today: dt.date | None = None) -> None:
    db.session.refresh(discussion, with_for_update=True)
    if discussion.is_held:
        raise ValidationFailed("会议已标记为已召开，不能重复标记。", "present")
    today = today or clock.today()
    errors: dict[str, str] = {}
    members = discussion.members
    known = {m.id for m in members}
    present = set(present_ids or ()) & known
    if discussion.date > today:
        errors["_"] = f"会议日期（{discussion.date.isoformat()}）尚未到，不能标记为已召开。"
    need = quorum_needed(len(members))
    if len(present) < need:
        errors["present"] = (f"到会 {len(present)} 人，不足应到会成员 {len(members)} 人的三分之二"
                             f"（至少 {need} 人），不能开会。")
    items = discussion.items
    if not items:
        errors.setdefault("_", "议程中没有议题，不能标记为已召开。")
    states = {item.id: compute(item) for item in items}
    unready = [(item, states[item.id]) for item in items if not states[item.id].ready]
    if unready:
        # 回避: the reasons tell of the official's records; not to a recused user.
        lines = "；".join(f"{item.official.name}（需回避，原因不予显示）"
                         if is_recused(item.official_id)
                         else f"{item.official.name}（{'、'.join(r.missing)}）"
                         for item, r in unready)
        errors["items"] = f"有 {len(unready)} 个议题尚未具备上会条件：{lines}。"
    records.raise_if(errors)
    for m in members:
        m.present = m.id in present
    for item in items:
        item.readiness_at_held = states[item.id].as_dict()
    discussion.status = "held"
    discussion.held_at = utcnow()
    discussion.held_by_id = current_actor()[0]
    db.session.flush()


def decide(discussion: Discussion, item: AgendaItem, data: dict) -> AgendaItem:
    db.session.refresh(item, with_for_update=True)
    if not discussion.is_held:
        raise ValidationFailed("会议尚未召开（未标记为已召开），不能记录决定。", "decision")
    if item.decision is not None:
        raise ValidationFailed(f"本议题已于 {item.decided_at:%Y-%m-%d %H:%M} 作出“{item.decision_label}”"
                               "决定，不能重复决定。", "decision")
    errors: dict[str, str] = {}
    decision = data.get("decision")
    if not decision:
        errors["decision"] = "请选择决定（同意、不同意或暂缓）。"
    elif decision not in rules.DECISIONS:
        errors["decision"] = "未知的决定，请从列表中选择。"
    votes = {k: data.get(k) for k in ("votes_for", "votes_against", "votes_abstain")}
    for k, v in votes.items():
        if v is None:
            errors[k] = "请填写票数（没有填 0）。"
        elif v < 0:
            errors[k] = "票数不能为负数。"
    records.raise_if(errors)
    members, present = len(discussion.members), discussion.present_count
    if sum(votes.values()) > present:
        raise ValidationFailed(f"赞成、反对、弃权合计 {sum(votes.values())} 票，超过到会成员 "
                               f"{present} 人。", "votes_for")
    need = majority_needed(members)
    if decision == "approve" and votes["votes_for"] < need:
        raise ValidationFailed(f"同意票 {votes['votes_for']} 票，未超过应到会成员 {members} 人"
                               f"的半数（至少 {need} 票），不能作出“同意”决定。", "decision")
    if decision == "reject" and votes["votes_for"] >= need:
        raise ValidationFailed(f"同意票 {votes['votes_for']} 票已超过应到会成员半数（{need} 票），"
                               "不能记录为“不同意”。", "decision")
    item.decision = decision
    item.votes_for, item.votes_against = votes["votes_for"], votes["votes_against"]
    item.votes_abstain = votes["votes_abstain"]
    item.decided_at, item.decided_by_id = utcnow(), current_actor()[0]
    db.session.flush()
    return item
