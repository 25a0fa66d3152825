"""Saved member lists and how a discussion's members are chosen from them and from users.

A list is kept on its own page; on the discussion form the user applies a list and/or
ticks users, and may still type names (most committee members have no account). The
chosen names join the typed ones, in order and without repeats, before
:func:`.services.agenda.save_discussion` validates them as usual.
"""
from __future__ import annotations

from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.member_list_models import MemberList, MemberListEntry
from kaohe.discussions.services.agenda import MAX_MEMBERS, parse_members
from kaohe.extensions import db


def live_lists() -> list[MemberList]:
    return list(db.session.scalars(select(MemberList).where(MemberList.deleted_at.is_(None))
                                   .order_by(MemberList.name, MemberList.id)))


def active_users() -> list[User]:
    """Users whose names may be picked as members (active accounts, by name)."""
    return list(db.session.scalars(select(User).where(User.active.is_(True))
                                   .order_by(User.display_name, User.username)))


def _users(ids, errors: dict, field: str) -> list[User]:
    ids = list(dict.fromkeys(ids or []))
    found = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(ids), User.active.is_(True)))} if ids else {}
    if len(found) != len(ids):
        errors[field] = "所选用户不存在或已停用，请重新选择。"
    return [found[i] for i in ids if i in found]


def _check_names(names: list[str], errors: dict, field: str) -> None:
    if not names:
        errors[field] = "请至少填写或选择一名成员。"
    elif len(names) > MAX_MEMBERS:
        errors[field] = f"成员最多 {MAX_MEMBERS} 人。"
    elif any(len(n) > 64 for n in names):
        errors[field] = "成员姓名过长（每人不超过 64 字）。"


def save_list(member_list: MemberList | None, data: dict) -> MemberList:
    """Create or update a list: typed names (one a line) first, then the picked users;
    an entry is linked to the picked user of its name, else to nobody. Flush only."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写名单名称。"
    elif len(name) > 64:
        errors["name"] = "名单名称不超过 64 字。"
    else:
        same = select(MemberList.id).where(MemberList.name == name,
                                           MemberList.deleted_at.is_(None))
        if member_list is not None:
            same = same.where(MemberList.id != member_list.id)
        if db.session.scalar(same.limit(1)) is not None:
            errors["name"] = f"已有名为“{name}”的名单。"
    users = _users(data.get("user_ids"), errors, "user_ids")
    names = list(dict.fromkeys(parse_members(data.get("member_names")) + [u.name for u in users]))
    _check_names(names, errors, "member_names")
    records.raise_if(errors)
    saved = records.save(MemberList, member_list, {"name": name})
    linked = {u.name: u.id for u in reversed(users)}  # the first user of a name wins
    old = {e.name: e for e in saved.entries}
    saved.entries = [old.get(n) or MemberListEntry(name=n) for n in names]
    for i, entry in enumerate(saved.entries):
        entry.position, entry.user_id = i, linked.get(entry.name)  # unticked: unlinked
    db.session.flush()
    return saved


def delete_list(member_list: MemberList) -> None:
    records.soft_delete(member_list)


def list_or_none(list_id) -> MemberList | None:
    found = db.session.get(MemberList, list_id) if isinstance(list_id, int) else None
    return found if found is not None and found.deleted_at is None else None


def with_members(data: dict) -> dict:
    """The discussion form's data with the chosen list's and users' names joined to the
    typed members (typed first); refuses an unknown list or user."""
    errors: dict[str, str] = {}
    chosen: list[str] = []
    list_id = data.get("member_list_id")
    if list_id is not None:
        found = list_or_none(list_id)
        if found is None:
            errors["member_list_id"] = "所选成员名单不存在，请重新选择。"
        else:
            chosen += found.names
    chosen += [u.name for u in _users(data.get("member_user_ids"), errors, "member_user_ids")]
    if errors:
        raise ValidationFailed(errors)
    typed = parse_members(data.get("member_names"))
    return {**data, "member_names": "\n".join(dict.fromkeys(typed + chosen))}
