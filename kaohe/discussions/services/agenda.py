"""Writes before the meeting: the discussion, its members, agenda items, four-must
checks, attached dossiers and reviewers. Each refuses with :class:`ValidationFailed`
(field → Chinese message) before anything is flushed; views commit once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from kaohe.core import clock
from kaohe.audit.services import current_actor
from kaohe.auth.models import User
from kaohe.auth.permissions import is_recused
from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.discussions import rules
from kaohe.discussions.models import (AgendaItem, Discussion, DiscussionMember,
                                      DiscussionReviewer, FourMustCheck, ItemDossier)
from kaohe.discussions.services import readiness
from kaohe.dossier import services as dossiers
from kaohe.extensions import db
from kaohe.interop.lrmx_spec import BY_NAME
from kaohe.officials.models import Official

MAX_MEMBERS = 60
POST_MAX = BY_NAME["NiRenZhiWu"].max  # 拟任职务 and 拟免职务 alike (324)


def ensure_open(discussion: Discussion, field: str = "_") -> None:
    """Refuse any change once the meeting is held (a fresh read, under a row lock)."""
    db.session.refresh(discussion, with_for_update=True)
    if discussion.is_held:
        raise ValidationFailed(rules.LOCKED_MESSAGE, field)


def _choice(errors: dict, field: str, value, choices: dict, what: str) -> None:
    if not value:
        errors[field] = f"请选择{what}。"
    elif value not in choices:
        errors[field] = f"未知的{what}“{str(value)[:20]}”，请从列表中选择。"


def parse_members(text: str | None) -> list[str]:
    """Names, one a line (or separated by 、，,；;), blanks and repeats dropped."""
    raw = (text or "").replace("\r", "\n")
    for sep in "、，,；;":
        raw = raw.replace(sep, "\n")
    return list(dict.fromkeys(n.strip() for n in raw.split("\n") if n.strip()))


def save_discussion(discussion: Discussion | None, data: dict) -> Discussion:
    errors: dict[str, str] = {}
    if discussion is not None:
        ensure_open(discussion, "title")
    _choice(errors, "kind", data.get("kind"), rules.KINDS, "会议类型")
    if data.get("date") is None:
        errors["date"] = "请填写会议日期。"
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "请填写会议名称。"
    names = parse_members(data.get("member_names"))
    if not names:
        errors["member_names"] = "请填写应到会成员，每行一人。"
    elif len(names) > MAX_MEMBERS:
        errors["member_names"] = f"应到会成员最多 {MAX_MEMBERS} 人。"
    elif any(len(n) > 64 for n in names):
        errors["member_names"] = "成员姓名过长（每人不超过 64 字）。"
    records.raise_if(errors)
    saved = records.save(Discussion, discussion,
                         {"kind": data["kind"], "date": data["date"], "title": title})
    old = {m.name: m for m in saved.members}
    if discussion is not None and list(old) != names:
        # Members are rows of their own: mark the discussion changed so its version
        # moves on and a concurrent edit of the member list is caught (optimistic lock).
        flag_modified(saved, "title")
    saved.members = [old.get(n) or DiscussionMember(name=n) for n in names]
    for i, m in enumerate(saved.members):
        m.position = i
    db.session.flush()
    return saved


def _official(value, errors: dict, field: str = "official_id") -> Official | None:
    """The official named by ``value``: an id (number) or an exact name (unique)."""
    text = str(value or "").strip()
    if not text:
        errors[field] = "请填写干部编号或姓名。"
        return None
    if text.isdigit():
        official = db.session.get(Official, int(text)) if len(text) < 10 else None
        if official is None or official.deleted_at is not None:
            errors[field] = f"编号为 {text} 的干部不存在。"
            return None
        return official
    found = list(db.session.scalars(select(Official).where(Official.name == text).limit(6)))
    if not found:
        errors[field] = f"没有名为“{text[:20]}”的干部，请核对姓名或填写干部编号。"
        return None
    if len(found) > 1:
        ids = "、".join(str(o.id) for o in found[:5])
        errors[field] = f"名为“{text}”的干部不止一人（编号 {ids}），请填写干部编号。"
        return None
    return found[0]


RECUSED_ITEM = "您需回避该干部（本人或近亲属），不能将其列入议程。"


def save_item(discussion: Discussion, item: AgendaItem | None, data: dict) -> AgendaItem:
    ensure_open(discussion, "action")
    errors: dict[str, str] = {}
    official = _official(data.get("official_id"), errors)
    if official is not None and is_recused(official.id):  # 回避, as for attaching dossiers
        errors["official_id"] = RECUSED_ITEM
        official = None
    _choice(errors, "action", data.get("action"), rules.ACTIONS, "任免事项")
    post = (data.get("proposed_post") or "").strip()
    removal = (data.get("proposed_removal") or "").strip()
    reason = (data.get("reason") or "").strip()
    for key, text in (("proposed_post", post), ("proposed_removal", removal)):
        if len(text) > POST_MAX:
            errors[key] = f"不能超过 {POST_MAX} 个字（现有 {len(text)} 个）。"
    if data.get("action") not in ("dismiss", "retire") and not post:
        errors["proposed_post"] = "请填写拟任职务（免职、退休可不填）。"
    if not reason:
        errors["reason"] = "请填写任免理由。"
    if official is not None:
        same = select(AgendaItem.id).where(AgendaItem.discussion_id == discussion.id,
                                           AgendaItem.official_id == official.id)
        if item is not None:
            same = same.where(AgendaItem.id != item.id)
        if db.session.scalar(same.limit(1)) is not None:
            errors["official_id"] = f"{official.name}已在本次会议议程中，每名干部只列一个议题。"
    if item is not None and official is not None and official.id != item.official_id \
            and item.dossiers:
        errors["official_id"] = "已附考评材料的议题不能更换干部；请删除本议题后重新添加。"
    records.raise_if(errors)
    fixed = {"discussion_id": discussion.id}
    if item is None:
        last = db.session.scalar(select(func.max(AgendaItem.position))
                                 .where(AgendaItem.discussion_id == discussion.id))
        fixed["position"] = (last or 0) + 1
    saved = records.save(AgendaItem, item, {"official_id": official.id,
                                            "action": data["action"], "proposed_post": post,
                                            "proposed_removal": removal,
                                            "reason": reason}, **fixed)
    db.session.expire(discussion, ["items"])
    return saved


def delete_item(discussion: Discussion, item: AgendaItem) -> None:
    ensure_open(discussion)
    records.soft_delete(item)
    db.session.expire(discussion, ["items"])


def save_check(discussion: Discussion, item: AgendaItem, kind: str, data: dict) -> FourMustCheck:
    ensure_open(discussion, "result")
    errors: dict[str, str] = {}
    if kind not in rules.MANUAL_CHECKS:
        raise ValidationFailed("纪检监察机关意见取自党风廉政意见回复，不在此录入。", "result")
    _choice(errors, "result", data.get("result"), rules.CHECK_RESULTS, "核查结果")
    who = (data.get("checked_by") or "").strip()
    if not who:
        errors["checked_by"] = "请填写核查人。"
    on = data.get("checked_on")
    if on is None:
        errors["checked_on"] = "请填写核查日期。"
    else:
        records.not_in_future(errors, "checked_on", on)
    note = (data.get("note") or "").strip()
    if data.get("result") in ("resolved", "pending", "adverse") and not note:
        errors["note"] = "发现问题的，请写明问题及核查情况。"
    records.raise_if(errors)
    check = item.check(kind)
    if check is None:
        check = FourMustCheck(item_id=item.id, kind=kind)
        item.checks.append(check)
    check.result, check.checked_by, check.checked_on, check.note = data["result"], who, on, note
    check.recorded_by_id = current_actor()[0]
    check.recorded_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    db.session.flush()
    return check


def attach(discussion: Discussion, official_id, reason: str | None,
           user_id: int | None) -> ItemDossier:
    """Freeze a dossier as of the discussion date onto the official's item, with the
    item's facts and four musts (:func:`.readiness.dossier_context`).

    The first attachment needs no reason; every later one is a refresh (version
    n + 1) and needs one. Earlier versions stay as they are.
    """
    ensure_open(discussion, "official_id")
    item = None
    if isinstance(official_id, int):
        item = db.session.scalar(select(AgendaItem).where(
            AgendaItem.discussion_id == discussion.id, AgendaItem.official_id == official_id))
    if item is None:
        raise ValidationFailed("该干部不在本次会议议程中，不能附考评材料；请先将其列入议程。",
                               "official_id")
    reason = (reason or "").strip()
    current = item.current_dossier
    if current is not None and not reason:
        raise ValidationFailed(f"已附第 {current.version} 版考评材料；重新生成须填写更新原因"
                               "（原版本保留）。", "reason")
    # The dossier is as of the discussion date; a meeting still ahead is prepared
    # with the data known today (refresh before the meeting if it changes).
    today = max(clock.today(), discussion.date)
    made = dossiers.generate(item.official_id, discussion.date, user_id,
                             readiness.dossier_context(discussion, item), today=today)
    link = ItemDossier(item_id=item.id, version=(current.version + 1) if current else 1,
                       dossier_id=made.id, reason=reason, attached_by_id=user_id)
    item.dossiers.append(link)
    db.session.flush()
    return link


def assign_reviewer(discussion: Discussion, user_id) -> DiscussionReviewer:
    ensure_open(discussion, "user_id")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise ValidationFailed("请选择审阅人。", "user_id")
    if user.role.name != "reviewer" or not user.active:
        raise ValidationFailed(f"{user.name}（{user.role.label}）不是可用的干部工作领导小组成员"
                               "账户，只能分配“干部工作领导小组成员”角色的用户为审阅人。",
                               "user_id")
    if any(r.user_id == user.id for r in discussion.reviewers):
        raise ValidationFailed(f"{user.name}已是本次会议的审阅人。", "user_id")
    link = DiscussionReviewer(discussion_id=discussion.id, user_id=user.id,
                              assigned_by_id=current_actor()[0])
    discussion.reviewers.append(link)
    db.session.flush()
    return link


def remove_reviewer(discussion: Discussion, link: DiscussionReviewer) -> None:
    ensure_open(discussion)
    db.session.delete(link)
    db.session.flush()
