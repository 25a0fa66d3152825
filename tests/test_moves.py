"""凡动必核、凡动必谈、凡动必考、凡动必训 of every agenda item: rules per action, when
records may be written, readiness, the item page and the dossier context."""
from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.rules import LOCKED_MESSAGE
from kaohe.discussions.services.readiness import compute, dossier_context, stale_reasons
from kaohe.extensions import db
from kaohe.moves.models import MoveAssessment, MoveTalk, MoveTraining
from kaohe.moves.services import records as moves
from kaohe.moves.services.publicity import appointment_problems
from kaohe.moves.services.query import item_records
from tests import discussions_support as s
from tests import moves_support as ms
from tests.helpers import field_errors, live_count, select_options, text

D = dt.date
TALK = {"kind": "motion", "talked_on": D(2020, 3, 20), "talker": "组织部长",
        "summary": "本人表示服从组织安排。"}


def _item(action="promote", skip=("moves",), **kw):
    o = s.official(**kw)
    d = s.discussion()
    it = s.item(d, o, action=action, post="" if action in ("dismiss", "retire") else "东城区委书记")
    s.checks(d, it, skip=skip)
    return o, d, it


def _missing_moves(it) -> list[str]:
    return [m for m in compute(it).missing if m.startswith("凡动必")]


# What each action needs before the meeting, with no talk, assessment or training recorded.
BEFORE = {
    "promote": ["凡动必谈：未记录动议谈话（上会前须与本人谈话）", "凡动必考：未记录考察（上会前完成）"],
    "further_use": ["凡动必谈：未记录动议谈话（上会前须与本人谈话）", "凡动必考：未记录考察（上会前完成）"],
    "exchange": ["凡动必谈：未记录动议谈话（上会前须与本人谈话）",
                 "凡动必考：未记录考察、年度考核、专项考核（上会前完成）"],
    "dismiss": ["凡动必谈：未记录动议谈话（上会前须与本人谈话）",
                "凡动必考：未记录年度考核、专项考核、考察、离任考核（上会前完成）"],
    "retire": ["凡动必谈：未记录动议谈话（上会前须与本人谈话）",
               "凡动必考：未记录离任考核、年度考核（上会前完成）"],
    "probation": ["凡动必谈：未记录动议谈话（上会前须与本人谈话）",
                  "凡动必考：未记录试用期满考核（上会前完成）", "凡动必训：试用期内未参加任职培训"],
}


@pytest.mark.parametrize("action", sorted(BEFORE))
def test_each_action_lists_what_is_missing_before_the_meeting(make, action):
    _o, d, it = _item(action)
    s.agenda.attach(d, it.official_id, None, None)
    r = compute(it)
    assert _missing_moves(it) == BEFORE[action] and not r.ready
    s.moves(d, it)
    s.agenda.attach(d, it.official_id, "记录了谈话和考察", None)
    assert _missing_moves(it) == [] and compute(it).ready


# 凡动必核: the 凡提四必 checks each action needs (the rest are 不适用 when not recorded).
VERIFY = {
    "promote": {"file_audit", "personal_report", "integrity_opinion", "petition"},
    "further_use": {"file_audit", "personal_report", "integrity_opinion", "petition"},
    "exchange": {"file_audit", "personal_report", "integrity_opinion", "petition"},
    "dismiss": {"file_audit", "integrity_opinion"},
    "retire": {"file_audit"},
    "probation": {"integrity_opinion", "petition"},
}


@pytest.mark.parametrize("action", sorted(VERIFY))
def test_verification_is_the_subset_of_the_four_musts_the_action_needs(make, action):
    o = s.official(opinion_outcome=None)
    d = s.discussion()
    it = s.item(d, o, action=action, post="" if action in ("dismiss", "retire") else "某职务")
    s.moves(d, it)
    s.agenda.attach(d, o.id, None, None)
    r = compute(it)
    missing = {c.kind for c in r.checks if not c.done}
    assert missing == VERIFY[action]
    assert all(c.result == f"不适用（{it.action_label}不要求）"
               for c in r.checks if c.kind not in VERIFY[action])
    assert [m.split("未完成")[0] for m in r.missing] == [
        c.label for c in r.checks if c.kind in VERIFY[action]]


def test_a_recorded_check_counts_even_where_not_required(make):
    _o, d, it = _item("retire", opinion_outcome=None)
    s.check(d, it, "petition", result="pending", note="来信反映问题，正在核实。")
    states = {c.kind: c for c in compute(it).checks}
    assert states["petition"].result == "发现问题，尚在核查" and not states["petition"].done
    assert states["personal_report"].done  # recorded clear by s.checks


@pytest.mark.parametrize("day,ok", [(D(2020, 4, 10), True), (D(2020, 4, 11), False),
                                     (D(2020, 1, 1), True)])
def test_motion_talk_is_on_or_before_the_meeting_day(make, day, ok):
    _o, d, it = _item()
    data = {**TALK, "talked_on": day}
    if ok:
        assert moves.save_talk(d, it, None, data).talked_on == day
    else:
        with pytest.raises(ValidationFailed) as exc:
            moves.save_talk(d, it, None, data)
        assert exc.value.errors == {"talked_on": "动议谈话应在会议（2020-04-10）之前进行，不能晚于会议日期。"}


@pytest.mark.parametrize("field,value,message", [
    ("kind", "", "取值不在允许的范围内。"),
    ("kind", "chat", "取值不在允许的范围内。"),
    ("talker", "  ", "请填写谈话人。"),
    ("talker", "张" * 65, "谈话人不能超过 64 字（现有 65 字）。"),
    ("summary", "", "请填写谈话要点。"),
    ("summary", "要" * 20001, "谈话要点不能超过 20000 字（现有 20001 字）。"),
    ("talked_on", None, "请填写谈话日期。"),
    ("talked_on", D(2099, 1, 1), "日期不能晚于今天。"),
])
def test_talk_refusals_save_nothing(make, field, value, message):
    _o, d, it = _item()
    with pytest.raises(ValidationFailed) as exc:
        moves.save_talk(d, it, None, {**TALK, field: value})
    assert exc.value.errors[field] == message
    assert live_count(MoveTalk) == 0


def test_huge_talk_summary_at_the_limit_is_kept(make):
    _o, d, it = _item()
    talk = moves.save_talk(d, it, None, {**TALK, "summary": "要" * 20000})
    assert len(talk.summary) == 20000


@pytest.mark.parametrize("meeting,year,ok", [
    (D(2020, 3, 31), 2019, True),    # 2019 concludes on 31 March 2020: the day counts
    (D(2020, 3, 30), 2019, False),   # one day earlier it is still 待考核
    (D(2020, 3, 30), 2018, True),
    (D(2021, 1, 4), 2020, False),    # year turn: 2020 is not concluded in January 2021
    (D(2020, 4, 10), 2016, False),   # no result recorded for 2016
])
def test_annual_assessment_links_a_concluded_recorded_result(make, meeting, year, ok):
    o = s.official(grades=("competent", "excellent", "competent"))
    s.f.result(o, 2020, "excellent")
    d = s.discussion(date=meeting)
    it = s.item(d, o, action="exchange")
    data = {"kind": "annual", "year": year, "summary": "引用年度考核结果"}
    if ok:
        made = moves.save_assessment(d, it, None, data)
        assert made.result is not None and made.result.year == year
        grade = {2017: "称职", 2018: "优秀", 2019: "称职"}[year]
        assert made.conclusion == f"{year}年度考核{grade}"
        assert made.done_on == D(year + 1, 3, 31) and made.assessor == "所在单位年度考核"
    else:
        with pytest.raises(ValidationFailed) as exc:
            moves.save_assessment(d, it, None, data)
        assert list(exc.value.errors) == ["year"]
        assert ("尚未结束" if year != 2016 else "尚未录入") in exc.value.errors["year"]
        assert live_count(MoveAssessment) == 0


@pytest.mark.parametrize("field,value,message", [
    ("done_on", D(2020, 4, 11), "考察（考核）应在会议（2020-04-10）之前完成。"),
    ("done_on", None, "请填写考察（考核）日期。"),
    ("assessor", "", "请填写考察组（考核人）。"),
    ("conclusion", "", "请填写结论。"),
    ("conclusion", "好" * 201, "结论不能超过 200 字（现有 201 字）。"),
    ("kind", None, "取值不在允许的范围内。"),
])
def test_inspection_refusals(make, field, value, message):
    _o, d, it = _item()
    data = {"kind": "inspection", "done_on": D(2020, 4, 10), "assessor": "市委第二考察组",
            "conclusion": "德才兼备，群众公认", "summary": "", field: value}
    with pytest.raises(ValidationFailed) as exc:
        moves.save_assessment(d, it, None, data)
    assert exc.value.errors[field] == message


def test_records_before_the_meeting_are_locked_once_held(make):
    d, it = ms.approved()
    talk = item_records(it, MoveTalk)[0]
    for call in (lambda: moves.save_talk(d, it, None, TALK),
                 lambda: moves.save_talk(d, it, talk, TALK),
                 lambda: moves.delete_record(d, it, talk),
                 lambda: moves.save_assessment(d, it, None, {"kind": "annual", "year": 2019})):
        with pytest.raises(ValidationFailed) as exc:
            call()
        assert list(exc.value.errors.values()) == [LOCKED_MESSAGE]


@pytest.mark.parametrize("decision", ["reject", "defer", None])
def test_after_decision_records_need_an_approval(make, decision):
    d = s.discussion()
    it = s.ready_item(d, s.official())
    ms.held(d, *([it] if decision else []), decision=decision or "approve")
    with pytest.raises(ValidationFailed, match="尚未作出“同意”决定"):
        ms.after_moves(d, it)
    assert live_count(MoveTraining) == 0


def test_pre_appointment_talk_before_the_meeting_is_refused(make):
    _o, d, it = _item()
    with pytest.raises(ValidationFailed, match="尚未作出“同意”决定"):
        moves.save_talk(d, it, None, {**TALK, "kind": "pre_appointment"})


@pytest.mark.parametrize("day,ok", [(D(2020, 4, 9), False), (D(2020, 4, 10), True)])
def test_pre_appointment_talk_is_on_or_after_the_meeting_day(make, day, ok):
    d, it = ms.approved()
    data = {**TALK, "kind": "pre_appointment", "talked_on": day}
    if ok:
        assert moves.save_talk(d, it, None, data).kind_label == "任前谈话"
    else:
        with pytest.raises(ValidationFailed, match="不能早于会议日期"):
            moves.save_talk(d, it, None, data)


@pytest.mark.parametrize("status,data,field,message", [
    ("attended", {"attended_on": None}, "attended_on", "请填写参加培训日期。"),
    ("attended", {"attended_on": D(2099, 1, 1)}, "attended_on", "日期不能晚于今天。"),
    ("planned", {"planned_on": None}, "planned_on", "请填写计划参加培训的日期。"),
    ("", {}, "status", "取值不在允许的范围内。"),
    ("planned", {"course": ""}, "course", "请填写培训班次（课程）。"),
])
def test_training_refusals(make, status, data, field, message):
    _o, d, it = _item()
    base = {"status": status, "course": "任职培训班", "attended_on": D(2020, 1, 1),
            "planned_on": D(2020, 9, 1)}
    with pytest.raises(ValidationFailed) as exc:
        moves.save_training(d, it, None, {**base, **data})
    assert exc.value.errors[field] == message


def test_after_moves_gate_the_appointment_not_the_meeting(make):
    d, it = ms.approved()
    problems = appointment_problems(it, None, today=D(2020, 5, 1))
    assert "凡动必谈：未记录任前谈话（决定后、任职前进行）" in problems
    assert "凡动必训：未参加或安排任职培训（任职前登记）" in problems
    ms.after_moves(d, it)
    problems = appointment_problems(it, None, today=D(2020, 5, 1))
    assert not [p for p in problems if p.startswith("凡动必")]


def test_dossier_context_carries_the_moves_and_goes_stale(make):
    _o, d, it = _item(skip=())
    link = s.agenda.attach(d, it.official_id, None, None)
    frozen = link.dossier.snapshot["context"]["four_moves"]
    assert [m["label"] for m in frozen] == ["凡动必核", "凡动必谈", "凡动必考", "凡动必训"]
    talk = frozen[1]
    assert talk["records"] == [{"what": "动议谈话", "who": "组织部长", "when": "2020-03-20",
                                "text": "本人服从组织安排。"}]
    assert frozen[0]["records"] == []  # 核 is the four-musts table
    assert stale_reasons(link, dossier_context(d, it)) == []
    moves.save_talk(d, it, None, TALK)
    assert stale_reasons(link, dossier_context(d, it)) == [
        "考评材料第 1 版（%s）生成后凡动必谈的记录有变化，须重新生成" % link.dossier.number]
    assert not compute(it).ready


def test_dossier_without_the_moves_is_stale(make):
    _o, d, it = _item(skip=())
    link = s.agenda.attach(d, it.official_id, None, None)
    snap = dict(link.dossier.snapshot)
    snap["context"] = {k: v for k, v in snap["context"].items() if k != "four_moves"}
    link.dossier.snapshot = snap
    assert stale_reasons(link, dossier_context(d, it))[-1].endswith(
        "未载明本议题“凡动必核、必谈、必考、必训”情况，须重新生成")


# ---------------------------------------------------------------- pages

def test_item_page_shows_the_four_and_links_to_add(make, auth):
    _o, d, it = _item(skip=())
    moves.save_training(d, it, None, {"status": "planned", "course": "任职培训班",
                                      "planned_on": D(2020, 9, 1)})
    make.commit()
    page = text(auth.as_role("organization").get(f"/discussions/{d.id}/items/{it.id}"))
    for needle in ("凡动必核、凡动必谈、凡动必考、凡动必训", "凡提四必（档案审核、个人有关事项报告核查、",
                   "动议谈话", "本人服从组织安排。", "市委考察组", "考察合格", "任职培训班",
                   "已安排（计划参加）", "同意后、任职前进行任前谈话"):
        assert needle in page, needle
    for kind in ("talks", "assessments", "trainings"):
        assert f"/discussions/{d.id}/items/{it.id}/{kind}/new" in page


def test_reviewer_sees_the_moves_without_links(make, auth):
    _o, d, it = _item(skip=())
    s.agenda.attach(d, it.official_id, None, None)
    s.assign(d)
    make.commit()
    page = text(auth.as_role("reviewer").get(f"/discussions/{d.id}/items/{it.id}"))
    assert "本人服从组织安排。" in page and "/talks/new" not in page
    assert auth.as_role("reviewer").get(
        f"/discussions/{d.id}/items/{it.id}/talks/new").status_code == 403


def test_add_a_talk_through_the_page_is_audited(make, auth, client):
    _o, d, it = _item()
    make.commit()
    url = f"/discussions/{d.id}/items/{it.id}/talks/new"
    c = auth.as_role("organization")
    assert 'id="kind"' in text(c.get(url))
    response = c.post(url, data={"kind": "motion", "talked_on": "2020-04-01",
                                 "talker": "市委组织部 李部长", "summary": "听取本人意见。"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#moves")
    talk = db.session.scalar(select(MoveTalk).where(MoveTalk.item_id == it.id))
    assert (talk.talker, talk.talked_on) == ("市委组织部 李部长", D(2020, 4, 1))
    log = db.session.scalar(select(AuditLog).where(AuditLog.entity_type == "move_talk"))
    assert log.action == "create" and log.actor_name == "organization"


def test_a_new_talk_has_the_one_kind_allowed_chosen(make, auth):
    """Before the meeting only 动议谈话 may be recorded: a new talk offers it alone (what
    the browser submits, no 「请选择」 to pass); saved without choosing, it is one."""
    _o, d, it = _item()
    make.commit()
    url = f"/discussions/{d.id}/items/{it.id}/talks/new"
    client = auth.as_role("organization")
    assert select_options(text(client.get(url)), "kind") == [("motion", "动议谈话", False)]
    r = client.post(url, data={"kind": "motion", "talked_on": "2020-04-01", "talker": "李部长",
                               "summary": "要点"})
    assert r.status_code == 302
    talk = db.session.scalar(select(MoveTalk).where(MoveTalk.item_id == it.id))
    edit = text(client.get(f"/discussions/{d.id}/items/{it.id}/talks/{talk.id}/edit"))
    assert select_options(edit, "kind") == [("", "请选择", False), ("motion", "动议谈话", True)]


@pytest.mark.parametrize("data,field,message", [
    ({"talked_on": "2020-02-30"}, "talked_on", "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
    ({"kind": ""}, "kind", "请选择谈话类别。"),
    ({"talked_on": "2020-04-11"}, "talked_on", "动议谈话应在会议（2020-04-10）之前进行，不能晚于会议日期。"),
    ({"summary": ""}, "summary", "请填写谈话要点。"),
])
def test_bad_talk_input_is_shown_next_to_the_field(make, auth, data, field, message):
    _o, d, it = _item()
    make.commit()
    form = {"kind": "motion", "talked_on": "2020-04-01", "talker": "李部长", "summary": "要点",
            **data}
    response = auth.as_role("organization").post(
        f"/discussions/{d.id}/items/{it.id}/talks/new", data=form)
    assert response.status_code == 200
    assert field_errors(text(response), field) == [message]
    assert live_count(MoveTalk) == 0


def test_locked_item_refuses_through_the_page(make, auth):
    d, it = ms.approved()
    make.commit()
    response = auth.as_role("organization").post(
        f"/discussions/{d.id}/items/{it.id}/talks/new", data={k: str(v) for k, v in TALK.items()})
    assert field_errors(text(response), "kind") == [LOCKED_MESSAGE]
    page = text(auth.as_role("organization").get(f"/discussions/{d.id}/items/{it.id}"))
    assert "/talks/new" in page and "/assessments/new" not in page  # 任前谈话 may follow


def test_edit_and_delete_a_training_after_approval(make, auth):
    d, it = ms.approved()
    ms.after_moves(d, it)
    make.commit()
    training = item_records(it, MoveTraining)[0]
    c = auth.as_role("organization")
    url = f"/discussions/{d.id}/items/{it.id}/trainings/{training.id}/edit"
    page = text(c.get(url))
    assert "2020年新任县处级领导干部任职培训班" in page
    version = page.split('name="version"')[1].split('value="')[1].split('"')[0]
    response = c.post(url, data={"version": version, "status": "attended",
                                 "course": "任职培训班（春季）", "attended_on": "2020-04-16"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (training.status, training.attended_on) == ("attended", D(2020, 4, 16))
    response = c.post(f"/discussions/{d.id}/items/{it.id}/trainings/{training.id}/delete")
    assert response.status_code == 302
    assert live_count(MoveTraining) == 0


def test_unknown_kind_is_not_found(make, auth):
    _o, d, it = _item()
    make.commit()
    assert auth.as_role("organization").get(
        f"/discussions/{d.id}/items/{it.id}/chats/new").status_code == 404


@pytest.mark.parametrize("action,needles", [
    ("promote", ["（二）本议题“凡动必核、必谈、必考、必训”情况", "凡动必核", "见上表",
                 "动议谈话", "2020.03.20", "2020.03.25", "市委考察组",
                 "任职前须：未记录任前谈话（决定后、任职前进行）", "（三）组织掌握情况记录"]),
    ("retire", ["不适用：退休不任新职，不安排任职培训", "上会前完成其一：离任考核、年度考核"]),
])
def test_dossier_prints_the_four_moves(make, tmp_path, action, needles):
    _o, d, it = _item(action, skip=())
    link = s.agenda.attach(d, it.official_id, None, None)
    path = tmp_path / "dossier.pdf"
    path.write_bytes(link.dossier.pdf)
    body = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(body.split())
    for needle in needles:
        assert "".join(needle.split()) in flat, needle


def test_dossier_shows_missing_moves_in_red_words(make, tmp_path):
    _o, d, it = _item()
    link = s.agenda.attach(d, it.official_id, None, None)
    path = tmp_path / "dossier.pdf"
    path.write_bytes(link.dossier.pdf)
    flat = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout.split())
    assert "未完成：凡动必谈" in flat and "上会前缺：未记录动议谈话（上会前须与本人谈话）" in flat
    assert "未完成：凡动必考" in flat


@pytest.mark.parametrize("held,offered", [(False, "motion"), (True, "pre_appointment")])
def test_talk_form_offers_the_kind_of_the_phase(make, auth, held, offered):
    if held:
        d, it = ms.approved()
    else:
        _o, d, it = _item()
    make.commit()
    page = text(auth.as_role("organization").get(
        f"/discussions/{d.id}/items/{it.id}/talks/new"))
    assert [v for v, _label, _sel in select_options(page, "kind")] == [offered]


def test_annual_assessment_says_the_result_as_recorded_now(make):
    """考 citing an annual result states that result's grade as the record holds it (a
    corrected grade, not the one copied when the 考 was recorded); a deleted result no
    longer makes the 考 done."""
    from kaohe.assessments.models import AssessmentResult
    from kaohe.assessments.services import save_result
    from kaohe.discussions.services.readiness import check_states
    from kaohe.moves.services.state import move_states

    o = s.official(grades=("competent", "excellent", "competent"))
    d = s.discussion()
    it = s.item(d, o, action="exchange")
    moves.save_assessment(d, it, None, {"kind": "annual", "year": 2019, "summary": ""})
    result = db.session.scalar(select(AssessmentResult).where(
        AssessmentResult.official_id == o.id, AssessmentResult.year == 2019))

    def assess():
        return next(x for x in move_states(it, check_states(it, d.date)) if x.kind == "assess")

    assert [r["text"] for r in assess().records] == ["2019年度考核称职"] and assess().done
    data = {c: getattr(result, c) for c in ("year", "kind", "quarter", "task_name", "score",
                                            "unit_rank", "unit_size", "votes_total",
                                            "votes_excellent", "votes_competent",
                                            "votes_basically_competent", "votes_incompetent",
                                            "public_rating", "comment")}
    save_result(o, result, {**data, "grade": "basically_competent"}, check_quota=False)
    db.session.flush()
    assert [r["text"] for r in assess().records] == ["2019年度考核基本称职"]
    result.soft_delete()
    db.session.flush()
    state = assess()
    assert not state.done and state.before
    assert "已删除" in state.records[0]["text"]
