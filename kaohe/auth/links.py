"""Recusal setup (回避) for real users: the official a user is, and declared relatives.

A user linked to an official (``User.official_id``) never sees that official nor anyone
their declared family links to (:func:`kaohe.auth.permissions.recused_official_ids`);
:class:`~kaohe.auth.models.UserRelative` adds relatives the admin declares for a user,
also for one who is no official. The admin's page and ``flask link-user`` call these
services; every change is an ORM write, hence audited.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kaohe.auth.models import User, UserRelative
from kaohe.core.errors import ValidationFailed
from kaohe.core.limits import MAX_INT
from kaohe.extensions import db
from kaohe.officials.models import Official

MAX_RELATION = 16
SEARCH_LIMIT = 20
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


@dataclass
class Links:
    """What decides a user's recusal, for display."""
    official: Official | None
    relatives: list[UserRelative]


def search_officials(q: str, limit: int = SEARCH_LIMIT) -> list[Official]:
    """Officials to link, found by name (part of it), full ID number or system number."""
    q = (q or "").strip()[:64]
    if not q:
        return []
    stmt = select(Official).options(selectinload(Official.unit))
    if _ID_NUMBER.match(q):
        stmt = stmt.where(Official.id_number == q.upper())
    elif q.isdigit() and q.isascii():
        number = int(q)
        if number > MAX_INT:
            return []
        stmt = stmt.where(Official.id == number)
    else:
        stmt = stmt.where(Official.name.contains(q, autoescape=True))
    return list(db.session.scalars(stmt.order_by(Official.name, Official.id).limit(limit)))


def _official(official_id, field: str) -> Official:
    if not isinstance(official_id, int) or isinstance(official_id, bool) \
            or not 1 <= official_id <= MAX_INT:
        raise ValidationFailed("请填写干部编号（可先按姓名或身份证号查找）。", field)
    found = db.session.scalar(select(Official).where(Official.id == official_id))
    if found is None:
        raise ValidationFailed(f"编号为 {official_id} 的干部不存在。", field)
    return found


def link_official(user: User, official_id: int) -> Official:
    """Link ``user`` to the official they are (replacing an earlier link)."""
    official = _official(official_id, "official_id")
    if user.official_id == official.id:
        raise ValidationFailed(f"用户已关联干部 {official.name}。", "official_id")
    if db.session.scalar(select(UserRelative.id).where(UserRelative.user_id == user.id,
                                                       UserRelative.official_id == official.id)):
        raise ValidationFailed(f"{official.name} 已登记为该用户的亲属，不能同时是本人；"
                               "如确属本人，请先删除该亲属记录。", "official_id")
    user.official_id = official.id
    db.session.flush()
    return official


def unlink_official(user: User) -> Official:
    """Remove the user's link to their own official record; returns that official."""
    if user.official_id is None:
        raise ValidationFailed("该用户未关联本人干部档案。")
    official = db.session.get(Official, user.official_id)
    user.official_id = None
    db.session.flush()
    return official


def add_relative(user: User, official_id: int, relation: str) -> UserRelative:
    """Declare an official as a relative of ``user``."""
    relation = (relation or "").strip()
    if not relation:
        raise ValidationFailed("请填写称谓，例如配偶、子女、父亲。", "relation")
    if len(relation) > MAX_RELATION:
        raise ValidationFailed(f"称谓不能超过 {MAX_RELATION} 个字。", "relation")
    official = _official(official_id, "official_id")
    if user.official_id == official.id:
        raise ValidationFailed(f"{official.name} 是该用户本人，不能登记为亲属。", "official_id")
    if db.session.scalar(select(UserRelative.id).where(UserRelative.user_id == user.id,
                                                       UserRelative.official_id == official.id)):
        raise ValidationFailed(f"{official.name} 已登记为该用户的亲属。", "official_id")
    row = UserRelative(user_id=user.id, official_id=official.id, relation=relation)
    db.session.add(row)
    db.session.flush()
    return row


def relative_of(user: User, relative_id: int) -> UserRelative | None:
    """The declared relative ``relative_id`` if it is ``user``'s (else None: another's)."""
    return db.session.scalar(select(UserRelative).where(UserRelative.id == relative_id,
                                                        UserRelative.user_id == user.id))


def relative_by_official(user: User, official_id: int) -> UserRelative | None:
    return db.session.scalar(select(UserRelative).where(UserRelative.user_id == user.id,
                                                        UserRelative.official_id == official_id))


def remove_relative(row: UserRelative) -> None:
    db.session.delete(row)
    db.session.flush()


def links_of(user: User) -> Links:
    official = None
    if user.official_id is not None:
        official = db.session.scalar(select(Official).options(selectinload(Official.unit))
                                     .where(Official.id == user.official_id)
                                     .execution_options(include_deleted=True))
    relatives = list(db.session.scalars(
        select(UserRelative).options(selectinload(UserRelative.official)
                                     .selectinload(Official.unit))
        .where(UserRelative.user_id == user.id).order_by(UserRelative.id)))
    return Links(official, relatives)


def links_by_user(users: list[User]) -> dict[int, Links]:
    """Every user's links in two queries, for the user list."""
    official_ids = {u.official_id for u in users if u.official_id is not None}
    officials = {o.id: o for o in db.session.scalars(
        select(Official).where(Official.id.in_(official_ids))
        .execution_options(include_deleted=True))} if official_ids else {}
    relatives: dict[int, list[UserRelative]] = {}
    for row in db.session.scalars(select(UserRelative).options(
            selectinload(UserRelative.official)).order_by(UserRelative.id)):
        relatives.setdefault(row.user_id, []).append(row)
    return {u.id: Links(officials.get(u.official_id), relatives.get(u.id, []))
            for u in users}
