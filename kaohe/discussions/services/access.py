"""Who may read which discussion, recusal (回避), and the reading register (查阅登记).

* ``discussions.manage`` (organization) reads and edits every discussion;
* ``discussions.review`` (reviewer) reads only the discussions assigned to them;
* nobody opens an item about themselves or a declared relative: decided by
  :func:`kaohe.auth.permissions.is_recused` (the same rule as every official page).

Reading register: a reviewer's view of a discussion or item page and everyone's
download of a dossier or bundle is an audit event (``entity_type`` =
``discussion_access``, ``entity_id`` = the discussion) with what was read.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, select

from kaohe.audit.models import AuditLog
from kaohe.audit.services import record_event
from kaohe.auth.permissions import P, can, is_recused
from kaohe.discussions.models import AgendaItem, Discussion, DiscussionReviewer
from kaohe.extensions import db

ENTITY = "discussion_access"
ACTIONS = {"view": "查阅", "download": "下载"}


def manages(user=None) -> bool:
    return can(P.DISCUSSIONS_MANAGE, user)


def is_assigned(discussion_id: int, user=None) -> bool:
    user = current_user if user is None else user
    return db.session.scalar(select(DiscussionReviewer.id).where(
        DiscussionReviewer.discussion_id == discussion_id,
        DiscussionReviewer.user_id == user.id).limit(1)) is not None


def may_read(discussion: Discussion, user=None) -> bool:
    if manages(user):
        return True
    return can(P.DISCUSSIONS_REVIEW, user) and is_assigned(discussion.id, user)


def visible_discussions(user=None) -> list[Discussion]:
    user = current_user if user is None else user
    query = select(Discussion).order_by(Discussion.date.desc(), Discussion.id.desc())
    if not manages(user):
        if not can(P.DISCUSSIONS_REVIEW, user):
            return []
        query = query.join(DiscussionReviewer, and_(
            DiscussionReviewer.discussion_id == Discussion.id,
            DiscussionReviewer.user_id == user.id))
    return list(db.session.scalars(query))


def discussion_or_403(discussion_id: int) -> Discussion:
    discussion = db.get_or_404(Discussion, discussion_id)
    if not may_read(discussion):
        abort(403)
    return discussion


def recused(official_id: int, user=None) -> bool:
    """回避: the user is this official or a declared relative of them (the shared rule)."""
    return is_recused(official_id, user)


def recused_ids(items: list[AgendaItem], user=None) -> set[int]:
    return {i.id for i in items if recused(i.official_id, user)}


def item_or_403(discussion: Discussion, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.discussion_id != discussion.id or item.deleted_at is not None:
        abort(404)
    if recused(item.official_id):
        abort(403)
    return item


def bundle_or_403(discussion: Discussion) -> None:
    """The agenda bundle (议程材料汇编) carries every item's dossier: it is for managers only,
    and not for one who must recuse themselves from any of the items (回避)."""
    if not manages() or recused_ids(discussion.items):
        abort(403)


def log(action: str, discussion: Discussion, what: str, **extra) -> None:
    """One row of the reading register (committed by the caller)."""
    record_event(action, ENTITY, discussion.id, {"what": what, **extra})


def register(discussion: Discussion) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == ENTITY, AuditLog.entity_id == discussion.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())))
