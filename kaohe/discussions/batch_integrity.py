"""Integrity opinions of a whole agenda: which items need one, their state as the
agenda shows it (「未征求」「待回复」 or the outcome), and one letter requesting all."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from kaohe.core.perkey import PerKey
from kaohe.discipline import letters
from kaohe.discipline import services as discipline
from kaohe.discipline.letter_models import IntegrityLetter
from kaohe.discipline.models import IntegrityOpinion
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.discussions.services import access
from kaohe.discussions.services.agenda import ensure_open
from kaohe.dossier.fmt import posts_phrase
from kaohe.extensions import db
from kaohe.moves.rules import needs

# 征求事由 by proposed action.
PURPOSES = {"promote": "拟提拔", "further_use": "拟进一步使用", "exchange": "拟交流任职",
            "dismiss": "拟免职", "retire": "拟退休", "probation": "试用期满考核"}
MAX_PURPOSE = 200


@dataclass(frozen=True)
class OpinionState:
    code: str  # not_needed / none / pending / answered
    label: str
    blocking: bool = False


def needed(item: AgendaItem) -> bool:
    """Whether the item's action needs the commission's opinion (凡动必核)."""
    return "integrity_opinion" in needs(item.action).verify


# The agenda shows the state of every item's opinion (kaohe.core.perkey).
_PENDING = PerKey(lambda: select(IntegrityOpinion).where(
    IntegrityOpinion.outcome.is_(None), IntegrityOpinion.deleted_at.is_(None))
    .order_by(IntegrityOpinion.id), lambda: IntegrityOpinion.official_id, first=True)


def pending(official_id: int) -> IntegrityOpinion | None:
    """The official's request waiting for an answer (one at most: a second is refused)."""
    return _PENDING(official_id)


def state(item: AgendaItem) -> OpinionState:
    """The opinion of the item's official on the discussion date, as the agenda shows it."""
    valid = discipline.valid_opinion(item.official_id, item.discussion.date)
    if valid is not None:
        return OpinionState("answered", valid.outcome_label, valid.is_blocking)
    if pending(item.official_id) is not None:
        return OpinionState("pending", "待回复")
    if not needed(item):
        return OpinionState("not_needed", "不适用")
    return OpinionState("none", "未征求")


def purpose(item: AgendaItem) -> str:
    text = PURPOSES.get(item.action, item.action_label)
    # The post alone when nothing is removed (「拟提拔（东城区委书记）」), else both verbs.
    posts = (posts_phrase(item.proposed_post, item.proposed_removal) if item.proposed_removal.strip()
             else item.proposed_post.strip())
    if posts:
        text += f"（{posts}）"
    return text[:MAX_PURPOSE]


def plan(discussion: Discussion) -> tuple[list[AgendaItem], list[tuple[AgendaItem, str]]]:
    """The items whose opinion a letter would request, and the others with why not
    (recused for the current user, not needed, waiting, or a valid answer on file)."""
    ask, skip = [], []
    for item in discussion.items:
        if access.recused(item.official_id):
            skip.append((item, "您需回避该干部"))
            continue
        s = state(item)
        if s.code == "none":
            ask.append(item)
        else:
            why = {"not_needed": f"{item.action_label}不要求", "pending": "已征求，待回复"}
            skip.append((item, why.get(s.code, f"已有有效回复：{s.label}")))
    return ask, skip


def request_all(discussion: Discussion, number: str, dated: dt.date | None) -> IntegrityLetter:
    """One 征求意见函 for every item of :func:`plan`; all or nothing, flush only."""
    ensure_open(discussion)
    ask, _skip = plan(discussion)
    return letters.request_many([letters.Request(i.official, purpose(i)) for i in ask],
                                number, dated, discussion.id)


def letters_of(discussion: Discussion) -> list[IntegrityLetter]:
    return list(db.session.scalars(select(IntegrityLetter).where(
        IntegrityLetter.discussion_id == discussion.id).order_by(IntegrityLetter.id)))
