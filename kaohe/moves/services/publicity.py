"""任前公示 of a discussion's approved promotions, its outcome, and the appointment (任职).

* A 公示 is made after the meeting for the items decided 同意 whose action needs one
  (:data:`kaohe.moves.rules.PUBLICITY_ACTIONS`: 提拔、进一步使用), each item once. It
  starts on a working day on or after the meeting (a start before today records a
  公示 entered after the fact) and lasts at least five working days (setting); the end
  is computed on the admin's calendar (:mod:`kaohe.moves.workdays`). Publishing freezes
  the notice: its PDF bytes and SHA-256 are stored, never rebuilt.
* Outcome per official: 有异议 may be recorded from the first day, with what was found
  and how it was handled (正在核查 / 经核查不影响任职 / 经核查影响任职); 无异议 only once the
  period has ended.
* The appointment of an approved item is refused unless every condition holds
  (:func:`appointment_problems`): a 公示 that ended before the appointment date with no
  unresolved 异议, and the moves needed after the decision (任前谈话, 任职培训).
"""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from kaohe.audit.services import current_actor
from kaohe.core import clock, records
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.discussions.services.readiness import check_states
from kaohe.dossier.services import font_spec
from kaohe.dossier.snapshot import post_at, posts_of
from kaohe.extensions import db
from kaohe.moves import rules
from kaohe.moves.models import Appointment, Publicity, PublicityEntry
from kaohe.moves.services.holidays import calendar
from kaohe.moves.services.query import appointment_of
from kaohe.moves.services.state import missing_after, move_states
from kaohe.moves.workdays import add_working_days, is_working_day, next_working_day
from kaohe.settings import services as settings
from kaohe.settings.registry import SettingDef, register

DAYS_KEY, ISSUER_KEY = "publicity.work_days", "publicity.issuer"
register(
    SettingDef(DAYS_KEY, "任前公示期（工作日）", rules.MIN_PUBLICITY_DAYS, unit="个工作日",
               min=rules.MIN_PUBLICITY_DAYS, max=rules.MAX_PUBLICITY_DAYS,
               help="新建任前公示时的默认公示期；条例规定不少于五个工作日"),
    SettingDef(ISSUER_KEY, "任前公示发布机关", "中共XX市委组织部", kind="text", min=None,
               help="印在公示落款处，也是公示中受理反映的机关"),
)


def entry_of(item: AgendaItem) -> PublicityEntry | None:
    return db.session.scalar(select(PublicityEntry).where(PublicityEntry.item_id == item.id))


def eligible_items(discussion: Discussion) -> list[AgendaItem]:
    """Items decided 同意 whose action needs a 公示 and that are in none yet."""
    taken = set(db.session.scalars(select(PublicityEntry.item_id).join(Publicity).where(
        Publicity.discussion_id == discussion.id)))
    return [i for i in discussion.items if i.decision == "approve"
            and i.action in rules.PUBLICITY_ACTIONS and i.id not in taken]


def publicities(discussion: Discussion) -> list[Publicity]:
    return list(db.session.scalars(select(Publicity).where(
        Publicity.discussion_id == discussion.id, Publicity.deleted_at.is_(None))
        .order_by(Publicity.id)))


def period_end(start: dt.date, work_days: int) -> dt.date:
    """The last day of a 公示 of ``work_days`` working days from ``start`` (admin's calendar)."""
    return add_working_days(start, work_days, calendar())


def default_days() -> int:
    return int(settings.get(DAYS_KEY))


def next_start(discussion: Discussion, today: dt.date) -> dt.date:
    """The form's default start: the first working day after the meeting, not before today."""
    return next_working_day(max(today, discussion.date + dt.timedelta(days=1)), calendar())


def notice_data(discussion: Discussion, items: list[AgendaItem], start: dt.date,
                end: dt.date, work_days: int, phone: str, contact: str) -> dict:
    """What the notice prints, as plain data (:func:`kaohe.moves.publicity_pdf.render`);
    现任 is the post held on ``start``, the notice's date (as a dossier of that day says it)."""
    # publicity_pdf (its wording and ReportLab drawing) is loaded with the first notice,
    # not by every process that imports the views (issue 17).
    from kaohe.moves import publicity_pdf

    return {"title": "干部任前公示", "meeting": discussion.kind_label,
            "verb": publicity_pdf.verb({i.action for i in items}),
            "issuer": str(settings.get(ISSUER_KEY)), "start": start.isoformat(),
            "end": end.isoformat(), "work_days": work_days, "phone": phone, "contact": contact,
            "entries": [publicity_pdf.entry_facts(
                i.official, post_at(i.official.current_post, posts_of(i.official_id), start),
                i.proposed_post) for i in items]}


def publish(discussion: Discussion, data: dict) -> Publicity:
    """Publish the 公示 of every eligible item of ``discussion``; the notice is frozen."""
    from kaohe.moves import publicity_pdf  # see notice_data

    db.session.refresh(discussion, with_for_update=True)
    if not discussion.is_held:
        raise ValidationFailed("会议尚未召开，不能发布任前公示。", "start_on")
    items = eligible_items(discussion)
    if not items:
        raise ValidationFailed("本次会议没有待公示的议题：任前公示用于决定“同意”的提拔、"
                               "进一步使用议题，已公示的不再公示。", "start_on")
    errors: dict[str, str] = {}
    start, days = data.get("start_on"), data.get("work_days")
    cal = calendar()
    if start is None:
        errors["start_on"] = "请填写公示开始日期。"
    elif start < discussion.date:
        errors["start_on"] = f"公示在会议（{discussion.date.isoformat()}）作出决定后进行，开始日期不能早于会议日期。"
    elif not is_working_day(start, cal):
        errors["start_on"] = f"{start.isoformat()} 不是工作日（周末或节假日），公示应从工作日开始。"
    if not isinstance(days, int):
        errors["work_days"] = "请填写公示期（工作日数）。"
    elif not rules.MIN_PUBLICITY_DAYS <= days <= rules.MAX_PUBLICITY_DAYS:
        errors["work_days"] = (f"公示期应为 {rules.MIN_PUBLICITY_DAYS}–{rules.MAX_PUBLICITY_DAYS}"
                               f" 个工作日（条例：不少于五个工作日）。")
    phone = (data.get("phone") or "").strip()
    contact = (data.get("contact") or "").strip()
    if not phone:
        errors["phone"] = "请填写监督电话。"
    elif len(phone) > 64:
        errors["phone"] = "监督电话不能超过 64 字。"
    if len(contact) > 200:
        errors["contact"] = "通信地址（邮箱）不能超过 200 字。"
    records.raise_if(errors)
    end = add_working_days(start, days, cal)
    pdf = publicity_pdf.render(notice_data(discussion, items, start, end, days, phone, contact),
                               font_spec())
    made = records.save(Publicity, None, {
        "start_on": start, "end_on": end, "work_days": days, "phone": phone,
        "contact": contact, "issuer": str(settings.get(ISSUER_KEY)), "pdf": pdf,
        "sha256": hashlib.sha256(pdf).hexdigest()}, discussion_id=discussion.id)
    for n, item in enumerate(items, 1):
        db.session.add(PublicityEntry(publicity_id=made.id, item_id=item.id, position=n))
    db.session.flush()
    db.session.expire(made, ["entries"])
    return made


def entry_status(entry: PublicityEntry, today: dt.date | None = None) -> str:
    """The entry's state in words (公示中 / 期满待登记 / its outcome)."""
    today = today or clock.today()
    p = entry.publicity
    if entry.outcome is not None:
        return entry.outcome_label
    if today < p.start_on:
        return f"未开始（{p.start_on.isoformat()} 起公示）"
    if today <= p.end_on:
        return f"公示中（至 {p.end_on.isoformat()}）"
    return "公示期满，待登记结果"


def record_outcome(entry: PublicityEntry, data: dict, today: dt.date | None = None
                   ) -> PublicityEntry:
    """无异议 (after the period) or 有异议 with what was found and how it was handled."""
    today = today or clock.today()
    p = entry.publicity
    if appointment_of(entry.item) is not None:
        raise ValidationFailed("本议题已登记任职，公示结果已锁定，不能修改。", "outcome")
    errors: dict[str, str] = {}
    outcome = data.get("outcome")
    records.require_choice(errors, "outcome", outcome, rules.OUTCOMES)
    objection = (data.get("objection") or "").strip()
    handling = (data.get("handling") or "").strip()
    state = data.get("objection_state") or None
    if today < p.start_on:
        errors["outcome"] = f"公示自 {p.start_on.isoformat()} 开始，尚未开始，不能登记结果。"
    elif outcome == "none":
        if today <= p.end_on:
            errors["outcome"] = (f"公示期至 {p.end_on.isoformat()} 结束，期满后才能登记"
                                 "“无异议”。")
        objection, handling, state = "", "", None
    elif outcome == "objection":
        if not objection:
            errors["objection"] = "请写明反映的问题。"
        records.require_choice(errors, "objection_state", state, rules.OBJECTION_STATES)
        if state in ("cleared", "upheld") and not handling:
            errors["handling"] = "请写明核查及处理情况。"
    records.raise_if(errors)
    entry.outcome, entry.objection, entry.handling = outcome, objection, handling
    entry.objection_state = state
    entry.recorded_on, entry.recorded_by_id = today, current_actor()[0]
    db.session.flush()
    return entry


def appointment_problems(item: AgendaItem, on: dt.date | None,
                         today: dt.date | None = None) -> list[str]:
    """Why ``item`` cannot be appointed on ``on`` (empty: it can)."""
    today = today or clock.today()
    if not item.discussion.is_held or item.decision != "approve":
        return ["只有会议决定“同意”的议题才能登记任职。"]
    out = []
    if item.action in rules.PUBLICITY_ACTIONS:
        entry = entry_of(item)
        if entry is None:
            out.append(f"{item.action_label}须先进行任前公示（公示期不少于五个工作日），尚未公示。")
        else:
            p = entry.publicity
            if today <= p.end_on or (on is not None and on <= p.end_on):
                out.append(f"任前公示期至 {p.end_on.isoformat()} 结束，期满后才能任职。")
            elif entry.outcome is None:
                out.append("公示期已满，尚未登记公示结果（无异议或有异议）。")
            elif entry.objection_state == "pending":
                out.append(f"公示中反映的问题尚在核查（{entry.objection[:60]}），查清前不能任职。")
            elif entry.objection_state == "upheld":
                out.append("公示中反映的问题经核查影响任职，不能任职。")
    states = move_states(item, check_states(item, item.discussion.date))
    out += missing_after(states)
    talk = next(s for s in states if s.kind == "talk")
    talks = [r for r in talk.records if r["what"] == rules.TALK_KINDS["pre_appointment"]]
    if on is not None and talks and all(r["when"] > on.isoformat() for r in talks):
        out.append("任前谈话应在任职之前进行，任职日期早于任前谈话日期。")
    return out


def record_appointment(item: AgendaItem, data: dict, today: dt.date | None = None
                       ) -> Appointment:
    """任职 (任免发文): date and 文号, refused while :func:`appointment_problems` lists any."""
    today = today or clock.today()
    errors: dict[str, str] = {}
    on = data.get("appointed_on")
    if on is None:
        errors["appointed_on"] = "请填写任职日期。"
    else:
        records.not_in_future(errors, "appointed_on", on, today)
        if on < item.discussion.date:
            errors["appointed_on"] = "任职日期不能早于会议日期。"
    number = (data.get("doc_number") or "").strip()
    if not number:
        errors["doc_number"] = "请填写任免文号。"
    elif len(number) > 64:
        errors["doc_number"] = "文号不能超过 64 字。"
    note = (data.get("note") or "").strip()
    records.raise_if(errors)
    problems = appointment_problems(item, on, today)
    if problems:
        raise ValidationFailed("不能登记任职：" + "；".join(p.rstrip("。") for p in problems) + "。",
                               "_")
    if appointment_of(item) is not None:
        raise ValidationFailed("本议题已登记任职。", "_")
    made = Appointment(item_id=item.id, appointed_on=on, doc_number=number, note=note,
                       recorded_by_id=current_actor()[0])
    db.session.add(made)
    db.session.flush()
    return made
