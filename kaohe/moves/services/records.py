"""Writes of 谈/考/训 records of an agenda item.

When each may be written (a record of a kind may be created, changed or deleted only
while such a record may be made):

* 动议谈话 and 考 belong before the meeting: locked once it is held (the discussions'
  rule, :func:`kaohe.discussions.services.agenda.ensure_open`);
* 任前谈话 comes after a 同意 decision;
* 训 may be recorded before the meeting, or after a 同意 decision;
* everything after the decision is locked once the appointment (任职) is recorded.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.assessments.models import AssessmentResult
from kaohe.assessments.window import assessment_window
from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.discussions.services import agenda
from kaohe.extensions import db
from kaohe.moves import rules
from kaohe.moves.models import MoveAssessment, MoveTalk, MoveTraining
from kaohe.moves.services.query import appointment_of
from kaohe.moves.services.state import annual_conclusion

MAX_TEXT = 20000
APPOINTED_MESSAGE = "本议题已登记任职（任免发文），相关记录已锁定，不能修改。"


def ensure_after_decision(discussion: Discussion, item: AgendaItem, what: str,
                          field: str = "_") -> None:
    """Refuse unless the item was decided 同意 and no appointment is recorded yet."""
    db.session.refresh(discussion, with_for_update=True)
    if not discussion.is_held or item.decision != "approve":
        raise ValidationFailed(f"{what}在会议作出“同意”决定后、任职前进行；本议题尚未作出"
                               "“同意”决定，不能登记。", field)
    if appointment_of(item) is not None:
        raise ValidationFailed(APPOINTED_MESSAGE, field)


def _ensure_phase(discussion: Discussion, item: AgendaItem, phase: str, what: str,
                  field: str) -> None:
    if phase == rules.BEFORE:
        agenda.ensure_open(discussion, field)
    elif phase == rules.AFTER:
        ensure_after_decision(discussion, item, what, field)
    else:  # EITHER
        db.session.refresh(discussion)
        if discussion.is_held:
            ensure_after_decision(discussion, item, what, field)


def _text(errors: dict, data: dict, field: str, label: str, limit: int,
          required: bool = True) -> str:
    value = (data.get(field) or "").strip()
    if required and not value:
        errors[field] = f"请填写{label}。"
    elif len(value) > limit:
        errors[field] = f"{label}不能超过 {limit} 字（现有 {len(value)} 字）。"
    return value


def _date(errors: dict, data: dict, field: str, label: str) -> dt.date | None:
    value = data.get(field)
    if value is None:
        errors[field] = f"请填写{label}。"
    else:
        records.not_in_future(errors, field, value)
    return value


def talk_phase(kind: str | None) -> str:
    return rules.AFTER if kind == "pre_appointment" else rules.BEFORE


def save_talk(discussion: Discussion, item: AgendaItem, talk: MoveTalk | None,
              data: dict) -> MoveTalk:
    """谈: a 动议谈话 on or before the meeting day (before it is held), or a 任前谈话 on or
    after the meeting day, after a 同意 decision."""
    kind = data.get("kind")
    if talk is not None:
        _ensure_phase(discussion, item, talk_phase(talk.kind), talk.kind_label, "kind")
    if kind in rules.TALK_KINDS:
        _ensure_phase(discussion, item, talk_phase(kind), rules.TALK_KINDS[kind], "kind")
    errors: dict[str, str] = {}
    records.require_choice(errors, "kind", kind, rules.TALK_KINDS)
    on = _date(errors, data, "talked_on", "谈话日期")
    talker = _text(errors, data, "talker", "谈话人", 64)
    summary = _text(errors, data, "summary", "谈话要点", MAX_TEXT)
    if on is not None and "talked_on" not in errors:
        if kind == "motion" and on > discussion.date:
            errors["talked_on"] = (f"动议谈话应在会议（{discussion.date.isoformat()}）之前进行，"
                                   "不能晚于会议日期。")
        if kind == "pre_appointment" and on < discussion.date:
            errors["talked_on"] = (f"任前谈话在会议作出决定后进行，不能早于会议日期"
                                   f"（{discussion.date.isoformat()}）。")
    records.raise_if(errors)
    return records.save(MoveTalk, talk, {"kind": kind, "talked_on": on, "talker": talker,
                                         "summary": summary}, item_id=item.id)


def _annual_result(item: AgendaItem, discussion: Discussion, year, errors: dict):
    if not isinstance(year, int):
        errors["year"] = "年度考核请填写考核年度。"
        return None
    win = assessment_window(discussion.date)
    if year > win.years[-1]:
        errors["year"] = (f"{year} 年度考核在会议日期（{discussion.date.isoformat()}）尚未结束"
                          f"（{win.concludes(year).isoformat()} 结束），不能作为本次考核依据。")
        return None
    result = db.session.scalar(select(AssessmentResult).where(
        AssessmentResult.official_id == item.official_id, AssessmentResult.kind == "annual",
        AssessmentResult.year == year, AssessmentResult.deleted_at.is_(None)))
    if result is None:
        errors["year"] = (f"{item.official.name} {year} 年度考核结果尚未录入，请先在干部档案中"
                          "录入年度考核结果。")
    return result


def save_assessment(discussion: Discussion, item: AgendaItem, record: MoveAssessment | None,
                    data: dict) -> MoveAssessment:
    """考: a 考察 or 考核 done on or before the meeting day (before it is held). An annual
    考核 names a concluded year whose result is recorded: the record links that result
    and takes its date, grade and unit from it."""
    agenda.ensure_open(discussion, "kind")
    errors: dict[str, str] = {}
    kind = data.get("kind")
    records.require_choice(errors, "kind", kind, rules.ASSESS_KINDS)
    summary = _text(errors, data, "summary", "考察（考核）情况", MAX_TEXT, required=False)
    if kind == "annual":
        result = _annual_result(item, discussion, data.get("year"), errors)
        records.raise_if(errors)
        win = assessment_window(discussion.date)
        values = {"done_on": win.concludes(result.year), "result_id": result.id,
                  "assessor": (data.get("assessor") or "").strip()[:120] or "所在单位年度考核",
                  "conclusion": annual_conclusion(result)}
    else:
        on = _date(errors, data, "done_on", "考察（考核）日期")
        if on is not None and "done_on" not in errors and on > discussion.date:
            errors["done_on"] = f"考察（考核）应在会议（{discussion.date.isoformat()}）之前完成。"
        assessor = _text(errors, data, "assessor", "考察组（考核人）", 120)
        conclusion = _text(errors, data, "conclusion", "结论", 200)
        records.raise_if(errors)
        values = {"done_on": on, "result_id": None, "assessor": assessor,
                  "conclusion": conclusion}
    return records.save(MoveAssessment, record, {"kind": kind, "summary": summary, **values},
                        item_id=item.id)


def save_training(discussion: Discussion, item: AgendaItem, record: MoveTraining | None,
                  data: dict) -> MoveTraining:
    """训: 任职培训 attended (date not in the future) or planned (a planned date)."""
    _ensure_phase(discussion, item, rules.EITHER, "任职培训", "status")
    errors: dict[str, str] = {}
    status = data.get("status")
    records.require_choice(errors, "status", status, rules.TRAINING_STATUSES)
    course = _text(errors, data, "course", "培训班次（课程）", 200)
    provider = _text(errors, data, "provider", "举办单位", 120, required=False)
    note = _text(errors, data, "note", "备注", MAX_TEXT, required=False)
    attended = planned = None
    if status == "attended":
        attended = _date(errors, data, "attended_on", "参加培训日期")
    elif status == "planned":
        planned = data.get("planned_on")
        if planned is None:
            errors["planned_on"] = "请填写计划参加培训的日期。"
    records.raise_if(errors)
    return records.save(MoveTraining, record, {
        "status": status, "course": course, "provider": provider, "note": note,
        "attended_on": attended, "planned_on": planned}, item_id=item.id)


def delete_record(discussion: Discussion, item: AgendaItem, record) -> None:
    """Soft-delete a 谈/考/训 record while records of its kind may be written."""
    if isinstance(record, MoveTalk):
        _ensure_phase(discussion, item, talk_phase(record.kind), record.kind_label, "_")
    elif isinstance(record, MoveAssessment):
        agenda.ensure_open(discussion)
    else:
        _ensure_phase(discussion, item, rules.EITHER, "任职培训", "_")
    records.soft_delete(record)


