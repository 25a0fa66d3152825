"""任前公示: publication on working days, the frozen notice, outcomes, and the appointment
(任职) refused until the 公示 ended without unresolved 异议 (services and pages)."""
from __future__ import annotations

import datetime as dt
import hashlib
import subprocess

import pytest
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.discussions.services.readiness import compute
from kaohe.extensions import db
from kaohe.moves import publicity_pdf
from kaohe.moves.models import Appointment, Holiday, Publicity, PublicityEntry
from kaohe.moves.publicity_pdf import education, politics
from kaohe.officials.education import level_of
from kaohe.moves.services import holidays
from kaohe.moves.services import publicity as pub
from tests import discussions_support as s
from tests import moves_support as ms
from tests.helpers import field_errors, form_alerts, input_value, live_count, text

D = dt.date
AFTER = D(2020, 4, 18)  # the day after the 公示 (13–17 April 2020)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_publish_freezes_the_notice(make, tmp_path):
    o = s.official(name="赵公示")
    o.edu_fulltime, o.degree_fulltime = "大学", "经济学学士"
    o.edu_inservice, o.degree_inservice = "研究生", "管理学硕士"
    d = s.discussion()
    it = s.ready_item(d, o, post="东城区委书记")
    p = s.official(name="钱继续")
    p.political_status, p.party_date, p.democratic_party = "民主党派", None, "民建"
    other = s.ready_item(d, p, action="further_use", post="市发展改革委主任")
    ms.held(d, it, other)
    made = ms.publish(d, contact="市委组织部干部监督科")
    assert (made.start_on, made.end_on, made.work_days) == (ms.START, ms.END, 5)
    assert made.sha256 == hashlib.sha256(made.pdf).hexdigest()
    assert [e.item_id for e in made.entries] == [it.id, other.id]
    body = "".join(pdf_text(made.pdf, tmp_path).split())  # lines joined, as read
    for needle in ("干部任前公示", "经市委常委会研究，拟提拔任用或进一步使用以下同志",
                   "1．赵公示，男，汉族，1975年3月生，浙江杭州人，在职研究生学历，管理学硕士学位，中共党员，"
                   "现任区委副书记，拟任东城区委书记。",
                   "2．钱继续，男，汉族，1975年3月生，浙江杭州人，民建会员，现任区委副书记，"
                   "拟任市发展改革委主任。",
                   "公示时间：2020年4月13日至2020年4月17日（5个工作日）。",
                   "监督电话：0912-1234567", "通信地址（电子邮箱）：市委组织部干部监督科",
                   "中共XX市委组织部2020年4月13日"):
        assert needle in body, needle
    # Frozen: later changes of the official do not touch the published text.
    o.name = "赵改名"
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Publicity, made.id).pdf == made.pdf
    assert pub.eligible_items(d) == []


def test_same_notice_same_bytes(make):
    d, it = ms.approved()
    data = pub.notice_data(d, [it], ms.START, ms.END, 5, "0912-1", "")
    assert publicity_pdf.render(data) == publicity_pdf.render(data)


@pytest.mark.parametrize("days,listed,end", [
    (5, [], D(2020, 4, 17)),
    (7, [], D(2020, 4, 21)),
    (5, [(D(2020, 4, 15), "holiday")], D(2020, 4, 20)),
    (5, [(D(2020, 4, 15), "holiday"), (D(2020, 4, 18), "workday")], D(2020, 4, 18)),
    (30, [], D(2020, 5, 22)),
])
def test_end_follows_the_admins_calendar(make, days, listed, end):
    for day, kind in listed:
        holidays.save_holiday({"day": day, "kind": kind, "name": "测试"})
    d, _it = ms.approved()
    assert ms.publish(d, days=days).end_on == end


@pytest.mark.parametrize("data,field,message", [
    ({"start_on": D(2020, 4, 11)}, "start_on", "2020-04-11 不是工作日（周末或节假日），公示应从工作日开始。"),
    ({"start_on": D(2020, 4, 9)}, "start_on", "公示在会议（2020-04-10）作出决定后进行，开始日期不能早于会议日期。"),
    ({"start_on": None}, "start_on", "请填写公示开始日期。"),
    ({"days": 4}, "work_days", "公示期应为 5–30 个工作日（条例：不少于五个工作日）。"),
    ({"days": 31}, "work_days", "公示期应为 5–30 个工作日（条例：不少于五个工作日）。"),
    ({"phone": " "}, "phone", "请填写监督电话。"),
    ({"phone": "1" * 65}, "phone", "监督电话不能超过 64 字。"),
    ({"contact": "址" * 201}, "contact", "通信地址（邮箱）不能超过 200 字。"),
])
def test_publish_refusals_save_nothing(make, data, field, message):
    d, _it = ms.approved()
    args = {"start_on": ms.START, "days": 5, "phone": "0912-1", "contact": "", **data}
    with pytest.raises(ValidationFailed) as exc:
        pub.publish(d, {"start_on": args["start_on"], "work_days": args["days"],
                        "phone": args["phone"], "contact": args["contact"]})
    assert exc.value.errors[field] == message
    assert live_count(Publicity) == 0


def test_holiday_start_is_refused(make):
    holidays.save_holiday({"day": D(2020, 4, 13), "kind": "holiday", "name": "测试"})
    d, _it = ms.approved()
    with pytest.raises(ValidationFailed, match="2020-04-13 不是工作日"):
        ms.publish(d)


@pytest.mark.parametrize("action,decision", [("promote", "reject"), ("promote", "defer"),
                                             ("exchange", "approve"), ("dismiss", "approve")])
def test_only_approved_promotions_are_published(make, action, decision):
    d = s.discussion()
    it = s.ready_item(d, s.official(), action=action,
                      post="" if action == "dismiss" else "东城区委书记")
    ms.held(d, it, decision=decision)
    with pytest.raises(ValidationFailed, match="没有待公示的议题"):
        ms.publish(d)


def test_not_before_the_meeting_is_held(make):
    d = s.discussion()
    s.ready_item(d, s.official())
    with pytest.raises(ValidationFailed, match="会议尚未召开"):
        ms.publish(d)


# ---------------------------------------------------------------- outcome

@pytest.mark.parametrize("today,ok", [(D(2020, 4, 17), False), (D(2020, 4, 18), True),
                                      (D(2020, 4, 13), False)])
def test_no_objection_only_after_the_period(make, today, ok):
    d, it = ms.approved()
    entry = ms.publish(d).entries[0]
    if ok:
        assert ms.no_objection(entry, today).outcome_label == "无异议"
    else:
        with pytest.raises(ValidationFailed, match="期满后才能登记“无异议”"):
            ms.no_objection(entry, today)


def test_nothing_is_recorded_before_the_start(make):
    d, it = ms.approved()
    entry = ms.publish(d).entries[0]
    with pytest.raises(ValidationFailed, match="尚未开始"):
        pub.record_outcome(entry, {"outcome": "objection", "objection": "x",
                                   "objection_state": "pending"}, today=D(2020, 4, 12))


@pytest.mark.parametrize("data,field,message", [
    ({"objection": ""}, "objection", "请写明反映的问题。"),
    ({"objection_state": ""}, "objection_state", "取值不在允许的范围内。"),
    ({"objection_state": "cleared", "handling": ""}, "handling", "请写明核查及处理情况。"),
    ({"outcome": "maybe"}, "outcome", "取值不在允许的范围内。"),
])
def test_objection_refusals(make, data, field, message):
    d, it = ms.approved()
    entry = ms.publish(d).entries[0]
    with pytest.raises(ValidationFailed) as exc:
        pub.record_outcome(entry, {"outcome": "objection", "objection": "反映其亲属经商",
                                   "objection_state": "pending", "handling": "", **data},
                           today=D(2020, 4, 14))
    assert exc.value.errors[field] == message
    db.session.refresh(entry)
    assert entry.outcome is None


# ---------------------------------------------------------------- appointment

APPOINT = {"appointed_on": D(2020, 4, 20), "doc_number": "X组任〔2020〕12号"}


@pytest.mark.parametrize("state,ok", [("pending", False), ("upheld", False), ("cleared", True)])
def test_objection_blocks_until_cleared(make, state, ok):
    d, it, made = ms.ready_to_appoint()
    entry = made.entries[0]
    pub.record_outcome(entry, {"outcome": "objection", "objection": "反映其亲属经商办企业",
                               "objection_state": state, "handling": "经核查，情况不属实。"},
                       today=AFTER)
    if ok:
        assert pub.record_appointment(it, APPOINT).doc_number == "X组任〔2020〕12号"
    else:
        with pytest.raises(ValidationFailed) as exc:
            pub.record_appointment(it, APPOINT)
        assert ("尚在核查" if state == "pending" else "影响任职，不能任职") in exc.value.errors["_"]
        assert live_count(Appointment) == 0


def test_appointment_needs_a_publicity(make):
    d, it = ms.approved()
    ms.after_moves(d, it)
    with pytest.raises(ValidationFailed) as exc:
        pub.record_appointment(it, APPOINT)
    assert exc.value.errors == {"_": "不能登记任职：提拔须先进行任前公示（公示期不少于五个工作日），尚未公示。"}


@pytest.mark.parametrize("on,today,message", [
    (D(2020, 4, 17), D(2020, 4, 20), "任前公示期至 2020-04-17 结束，期满后才能任职"),
    (D(2020, 4, 15), D(2020, 4, 16), "任前公示期至 2020-04-17 结束，期满后才能任职"),
])
def test_appointment_after_the_period(make, on, today, message):
    d, it = ms.approved()
    made = ms.publish(d)
    ms.after_moves(d, it, talked=D(2020, 4, 14))
    if today > made.end_on:
        ms.no_objection(made.entries[0], today)
    with pytest.raises(ValidationFailed) as exc:
        pub.record_appointment(it, {**APPOINT, "appointed_on": on}, today=today)
    assert message in exc.value.errors["_"]


def test_appointment_waits_for_the_outcome(make):
    d, it = ms.approved()
    ms.publish(d)
    ms.after_moves(d, it)
    with pytest.raises(ValidationFailed, match="尚未登记公示结果"):
        pub.record_appointment(it, APPOINT)


def test_appointment_before_the_talk_is_refused(make):
    d, it, _made = ms.ready_to_appoint()
    with pytest.raises(ValidationFailed, match="任职日期早于任前谈话日期"):
        pub.record_appointment(it, {**APPOINT, "appointed_on": D(2020, 4, 14)})


def test_appointment_once_and_locks_the_after_records(make):
    d, it, made = ms.ready_to_appoint()
    done = pub.record_appointment(it, APPOINT)
    assert (done.appointed_on, done.doc_number) == (D(2020, 4, 20), "X组任〔2020〕12号")
    with pytest.raises(ValidationFailed, match="已登记任职"):
        pub.record_appointment(it, APPOINT)
    with pytest.raises(ValidationFailed, match="已登记任职"):
        ms.after_moves(d, it)
    with pytest.raises(ValidationFailed, match="公示结果已锁定"):
        ms.no_objection(made.entries[0])


@pytest.mark.parametrize("action,needs_after", [("exchange", True), ("dismiss", False),
                                                ("retire", False), ("probation", False)])
def test_actions_without_publicity(make, action, needs_after):
    d, it = ms.approved(action=action, post="" if action in ("dismiss", "retire") else "某职务")
    if needs_after:
        with pytest.raises(ValidationFailed, match="未记录任前谈话"):
            pub.record_appointment(it, APPOINT)
        ms.after_moves(d, it)
    assert pub.record_appointment(it, APPOINT).item_id == it.id


@pytest.mark.parametrize("field,value,message", [
    ("appointed_on", None, "请填写任职日期。"),
    ("appointed_on", D(2099, 1, 1), "日期不能晚于今天。"),
    ("appointed_on", D(2020, 4, 9), "任职日期不能早于会议日期。"),
    ("doc_number", "", "请填写任免文号。"),
    ("doc_number", "号" * 65, "文号不能超过 64 字。"),
])
def test_appointment_field_refusals(make, field, value, message):
    _d, it, _made = ms.ready_to_appoint()
    with pytest.raises(ValidationFailed) as exc:
        pub.record_appointment(it, {**APPOINT, field: value})
    assert exc.value.errors[field] == message


# ---------------------------------------------------------------- holidays

@pytest.mark.parametrize("data,field,message", [
    ({"day": D(2025, 10, 9), "kind": "workday"}, "day",
     "2025-10-09 是周一至周五，本来就是工作日，不必登记为调休上班。"),
    ({"day": None, "kind": "holiday"}, "day", "请填写日期。"),
    ({"day": D(2025, 10, 1), "kind": "x"}, "kind", "取值不在允许的范围内。"),
    ({"day": D(2025, 10, 1), "kind": "holiday", "name": "节" * 33}, "name", "名称不能超过 32 字。"),
])
def test_holiday_refusals(make, data, field, message):
    with pytest.raises(ValidationFailed) as exc:
        holidays.save_holiday(data)
    assert exc.value.errors[field] == message


def test_holiday_once_per_day(make):
    holidays.save_holiday({"day": D(2025, 10, 1), "kind": "holiday", "name": "国庆节"})
    with pytest.raises(ValidationFailed, match="已登记"):
        holidays.save_holiday({"day": D(2025, 10, 1), "kind": "holiday"})
    cal = holidays.calendar()
    assert cal.holidays == {D(2025, 10, 1)} and cal.workdays == frozenset()


# ---------------------------------------------------------------- pages

def test_publish_through_the_page(make, auth, today):
    d, it = ms.approved()
    make.commit()
    c = auth.as_role("organization")
    show = text(c.get(f"/discussions/{d.id}"))
    assert "待公示：王建国" in show
    page = text(c.get(f"/discussions/{d.id}/publicity/new"))
    first = today  # the meeting is past: the first working day from today on
    while first.weekday() > 4:
        first += dt.timedelta(days=1)
    assert "东城区委书记" in page and f'value="{first.isoformat()}"' in page
    assert input_value(page, "work_days") == "5"
    response = c.post(f"/discussions/{d.id}/publicity/new", data={
        "start_on": "2020-04-13", "work_days": "5", "phone": "0912-1234567", "contact": ""})
    made = db.session.scalar(select(Publicity))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/publicity/{made.id}")
    page = text(c.get(f"/discussions/{d.id}/publicity/{made.id}"))
    assert "2020-04-13 至 2020-04-17" in page and made.sha256 in page and "王建国" in page
    pdf = c.get(f"/discussions/{d.id}/publicity/{made.id}.pdf")
    assert pdf.data == made.pdf and pdf.mimetype == "application/pdf"
    log = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert log.after["what"] == "任前公示" and log.after["sha256"] == made.sha256
    item_page = text(c.get(f"/discussions/{d.id}/items/{it.id}"))
    assert "公示期满，待登记结果" in item_page and "尚不能登记任职" in item_page


@pytest.mark.parametrize("form,field,message", [
    ({"start_on": "2020-04-11"}, "start_on", "2020-04-11 不是工作日（周末或节假日），公示应从工作日开始。"),
    ({"work_days": "3"}, "work_days", "公示期应为 5–30 个工作日（条例：不少于五个工作日）。"),
    ({"work_days": "abc"}, "work_days", "不是有效的整数。"),
    ({"phone": ""}, "phone", "请填写监督电话。"),
    ({"start_on": "2020-13-01"}, "start_on", "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
])
def test_publish_page_refusals(make, auth, form, field, message):
    d, it = ms.approved()
    make.commit()
    response = auth.as_role("organization").post(f"/discussions/{d.id}/publicity/new", data={
        "start_on": "2020-04-13", "work_days": "5", "phone": "0912-1", **form})
    assert field_errors(text(response), field) == [message]
    assert live_count(Publicity) == 0


def test_outcome_and_appointment_through_the_pages(make, auth):
    d, it = ms.approved()
    made = ms.publish(d)
    ms.after_moves(d, it)
    make.commit()
    c = auth.as_role("organization")
    entry = made.entries[0]
    url = f"/discussions/{d.id}/publicity/{made.id}/entries/{entry.id}"
    page = text(c.get(url))
    version = page.split('name="version"')[1].split('value="')[1].split('"')[0]
    response = c.post(url, data={"version": version, "outcome": "objection",
                                 "objection": "反映其在原单位作风霸道", "objection_state": "pending"})
    assert response.status_code == 302
    appoint = f"/discussions/{d.id}/items/{it.id}/appointment"
    response = c.post(appoint, data={"appointed_on": "2020-04-20", "doc_number": "X组任〔2020〕12号"})
    alerts = form_alerts(text(response))
    assert alerts and "公示中反映的问题尚在核查（反映其在原单位作风霸道），查清前不能任职" in alerts[0]
    assert live_count(Appointment) == 0
    page = text(c.get(url))
    version = page.split('name="version"')[1].split('value="')[1].split('"')[0]
    c.post(url, data={"version": version, "outcome": "objection",
                      "objection": "反映其在原单位作风霸道", "objection_state": "cleared",
                      "handling": "经核查，反映问题不属实。"})
    response = c.post(appoint, data={"appointed_on": "2020-04-20",
                                     "doc_number": "X组任〔2020〕12号"})
    assert response.status_code == 302
    page = text(c.get(f"/discussions/{d.id}/items/{it.id}"))
    assert "已任职：2020-04-20，X组任〔2020〕12号" in page
    assert c.get(appoint).status_code == 404
    entries = db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type.in_(("publicity_entry", "appointment")),
        AuditLog.actor_name == "organization")).all()
    assert {(e.entity_type, e.action) for e in entries} == {
        ("publicity_entry", "update"), ("appointment", "create")}


def test_holiday_page(make, auth):
    c = auth.as_role("admin")
    response = c.post("/admin/holidays/", data={"day": "2026-10-01", "kind": "holiday",
                                                "name": "国庆节"})
    assert response.status_code == 302
    page = text(c.get("/admin/holidays/?year=2026"))
    assert "2026-10-01" in page and "国庆节" in page and "放假（休息日）" in page
    response = c.post("/admin/holidays/", data={"day": "2026-10-09", "kind": "workday"})
    assert field_errors(text(response), "day") == [
        "2026-10-09 是周一至周五，本来就是工作日，不必登记为调休上班。"]
    row = db.session.scalar(select(Holiday))
    assert c.post(f"/admin/holidays/{row.id}/delete").status_code == 302
    assert db.session.scalar(select(Holiday)) is None
    assert [e.action for e in db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "holiday").order_by(AuditLog.id))] == ["create", "purge"]
    auth.logout()
    assert auth.as_role("organization").get("/admin/holidays/").status_code == 403


def test_entry_of_another_item_is_not_recorded(make):
    d, it, made = ms.ready_to_appoint()
    assert db.session.scalar(select(PublicityEntry).where(PublicityEntry.item_id == it.id)) \
        == made.entries[0]


def test_seed_demo_has_a_publicity_in_progress(app, runner, today):
    result = runner.invoke(args=["seed-demo", "--officials", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    made = db.session.scalars(select(Publicity)).one()
    d = made.discussion
    assert d.is_held and d.date < today and made.start_on <= today
    assert made.sha256 == hashlib.sha256(made.pdf).hexdigest()
    assert f"任前公示：{d.title}" in result.output
    outcomes = sorted((e.item.action, e.outcome, e.objection_state) for e in made.entries)
    assert outcomes == [("further_use", "objection", "pending"), ("promote", None, None)]
    appointed = db.session.scalars(select(Appointment)).one()
    assert db.session.get(AgendaItem, appointed.item_id).action == "exchange"
    assert pub.appointment_problems(made.entries[0].item, None) != []
    # The upcoming meeting's ready item carries its 动议谈话 and 考察.
    upcoming = db.session.scalars(select(Discussion).where(Discussion.status == "draft")).one()
    assert sum(compute(i).ready for i in upcoming.items) == 1
    cal = holidays.calendar()
    assert D(2026, 10, 1) in cal.holidays and D(2026, 10, 10) in cal.workdays


# ---------------------------------------------------------------- CLI

def test_cli_appoint_is_refused_then_recorded(make, runner):
    d, it = ms.approved()
    made = ms.publish(d)
    ms.after_moves(d, it)
    make.commit()
    args = ["moves", "appoint", str(it.id), "--on", "2020-04-20", "--doc", "X组任〔2020〕12号"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "不能登记任职：公示期已满，尚未登记公示结果（无异议或有异议）" in result.output
    assert live_count(Appointment) == 0
    ms.no_objection(made.entries[0])
    make.commit()
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "已登记王建国任职：2020-04-20，X组任〔2020〕12号" in result.output
    done = db.session.scalars(select(Appointment)).one()
    assert done.recorded_by_id is None
    log = db.session.scalar(select(AuditLog).where(AuditLog.entity_type == "appointment"))
    assert log.actor_name == "cli:moves-appoint"
    status = runner.invoke(args=["moves", "status", str(it.id)])
    assert status.exit_code == 0
    for needle in ("王建国 · 提拔", "✓ 凡动必谈", "任前谈话 2020-04-15 市委组织部部长",
                   "任前公示：2020-04-13 至 2020-04-17，无异议", "已任职：2020-04-20，X组任〔2020〕12号"):
        assert needle in status.output, needle


@pytest.mark.parametrize("args,code,message", [
    (["moves", "appoint", "999999", "--on", "2020-04-20", "--doc", "X"], 1, "议题不存在（编号 999999）"),
    (["moves", "appoint", "1", "--on", "2020-02-30", "--doc", "X"], 2, "日期格式不正确：2020-02-30"),
    (["moves", "status", "999999"], 1, "议题不存在"),
    (["moves", "publicity-pdf", "999999", "-o", "x.pdf"], 1, "任前公示不存在（编号 999999）"),
])
def test_cli_refusals(make, runner, args, code, message):
    result = runner.invoke(args=args)
    assert result.exit_code == code and message in result.output, result.output


def test_cli_writes_the_stored_notice(make, runner, tmp_path):
    d, _it = ms.approved()
    made = ms.publish(d)
    make.commit()
    out = tmp_path / "notice.pdf"
    result = runner.invoke(args=["moves", "publicity-pdf", str(made.id), "-o", str(out)])
    assert result.exit_code == 0 and made.sha256 in result.output
    assert out.read_bytes() == made.pdf
    status = runner.invoke(args=["moves", "status", str(made.entries[0].item_id)])
    assert "✗" not in status.output and "◷ 凡动必谈" in status.output
    assert "尚不能登记任职：" in status.output


def test_cli_status_before_the_meeting(make, runner):
    d = s.discussion()
    it = s.item(d, s.official())
    make.commit()
    status = runner.invoke(args=["moves", "status", str(it.id)])
    assert "✗ 凡动必谈" in status.output and "缺：未记录动议谈话（上会前须与本人谈话）" in status.output
    assert "✗ 凡动必核" in status.output and "缺：档案审核未完成（未核查）" in status.output


def _approved_on(day: dt.date):
    """A promotion decided 同意 at a meeting on ``day`` (an opinion valid then)."""
    o = s.official(opinion_outcome=None)
    s.ds.opinion(o, requested=day - dt.timedelta(days=40), outcome=1,
                 answered=day - dt.timedelta(days=30))
    d = s.discussion(date=day)
    it = s.ready_item(d, o)
    ms.held(d, it)
    return d, it


@pytest.mark.parametrize("meeting,start,listed,end", [
    # year turn over 元旦 2025
    (D(2024, 12, 27), D(2024, 12, 30), [(D(2025, 1, 1), "holiday")], D(2025, 1, 6)),
    # leap day
    (D(2024, 2, 28), D(2024, 2, 29), [], D(2024, 3, 6)),
    # 国庆 2025 with its 调休 Saturday
    (D(2025, 9, 26), D(2025, 9, 29),
     [(D(2025, 10, n), "holiday") for n in range(1, 9)] + [(D(2025, 10, 11), "workday")],
     D(2025, 10, 11)),
    # 春节 2025, starting on a Friday
    (D(2025, 1, 23), D(2025, 1, 24),
     [(D(2025, 1, 28) + dt.timedelta(days=n), "holiday") for n in range(8)]
     + [(D(2025, 1, 26), "workday"), (D(2025, 2, 8), "workday")], D(2025, 2, 6)),
])
def test_publication_over_holidays_year_turn_and_leap_day(make, meeting, start, listed, end):
    for day, kind in listed:
        holidays.save_holiday({"day": day, "kind": kind, "name": "假日"})
    d, it = _approved_on(meeting)
    made = ms.publish(d, start=start)
    assert made.end_on == end
    ms.after_moves(d, it, talked=meeting)
    with pytest.raises(ValidationFailed, match="期满后才能登记“无异议”"):
        ms.no_objection(made.entries[0], today=end)
    ms.no_objection(made.entries[0], today=end + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match=f"任前公示期至 {end.isoformat()} 结束"):
        pub.record_appointment(it, {**APPOINT, "appointed_on": end})
    assert pub.record_appointment(it, {**APPOINT, "appointed_on": end + dt.timedelta(days=1)})


@pytest.mark.parametrize("full,inservice,expected", [
    (("大学", "学士"), ("", ""), "大学学历，学士学位"),
    (("大学", "经济学学士"), ("研究生", "管理学硕士"), "在职研究生学历，管理学硕士学位"),
    (("研究生", "法学博士学位"), ("研究生", "无"), "研究生学历，法学博士学位"),
    (("大专", ""), ("省委党校研究生", ""), "在职省委党校研究生学历"),
    (("", ""), ("", ""), ""),
    (("中专学历", "无"), ("", ""), "中专学历"),
    # The level a text names, as the ZB64 table ranks it, whatever other word it holds:
    (("大学专科", ""), ("大学本科", "管理学学士"), "在职大学本科学历，管理学学士学位"),
    (("大学本科", "工学学士"), ("硕士", "工商管理硕士"), "在职硕士学历，工商管理硕士学位"),
    (("高中", ""), ("中等专科", ""), "在职中等专科学历"),
    (("大学专科", ""), ("中等专科", ""), "大学专科学历"),
    (("中央党校大学", ""), ("大学专科", ""), "中央党校大学学历"),
    (("省委党校研究生", ""), ("博士研究生", "经济学博士"), "省委党校研究生学历"),  # a tie
])
def test_education_as_a_notice_writes_it(make, full, inservice, expected):
    o = s.official()
    o.edu_fulltime, o.degree_fulltime = full
    o.edu_inservice, o.degree_inservice = inservice
    assert education(o) == expected


@pytest.mark.parametrize("text,level", [
    ("研究生", 0), ("在职研究生", 0), ("硕士", 0), ("博士后", 7), ("大学", 1), ("大学本科", 1),
    ("大学普通班", 1), ("大学专科", 2), ("大专", 2), ("高职", 2), ("中等专科", 3), ("中专", 3),
    ("技工学校", 3), ("中师", 3), ("高中", 4), ("职高", 4), ("初中", 5), ("小学", 6), ("", 7),
])
def test_education_levels(text, level):
    assert level_of(text) == level


@pytest.mark.parametrize("status,party,expected", [
    ("中共党员", "", "中共党员"), ("中共预备党员", "", "中共预备党员"),
    ("民主党派", "九三学社", "九三学社社员"), ("民主党派", "民盟", "民盟盟员"),
    ("无党派人士", "", "无党派人士"), ("群众", "", "群众"), ("", "", ""),
    ("中共党员", "民建", "中共党员"),
])
def test_politics_as_a_notice_writes_it(make, status, party, expected):
    o = s.official()
    o.political_status, o.democratic_party = status, party
    assert politics(o) == expected


@pytest.mark.parametrize("new_post_from, current", [
    (D(2020, 6, 1), "东城区区长"),   # a 公示 entered after the fact, the new post recorded since
    (D(2020, 4, 14), "东城区区长"),  # the new post begun during the 公示: not held on its start
    (D(2020, 4, 13), "东城区区长、东城区委书记"),  # the old post's last day is the start
])
def test_notice_states_the_post_held_on_its_start(make, tmp_path, new_post_from, current):
    """The notice, dated on its start, says 现任 the post held that day (as the dossier and
    the printed form of a day say it), not the post recorded since."""
    from kaohe.officials.services import save_post

    d, it = ms.approved(name="孙后补")
    o = it.official
    [old] = o.posts
    save_post(o, old, {"unit_id": old.unit_id, "title": old.title, "rank": old.rank,
                       "start_date": old.start_date,
                       "end_date": new_post_from - dt.timedelta(days=1)
                       if new_post_from > ms.START else ms.START,
                       "is_principal": True, "note": ""})
    make.post(o, old.unit, start=new_post_from, title="东城区委书记")
    o.current_post = "东城区委书记"
    db.session.flush()
    body = "".join(pdf_text(ms.publish(d).pdf, tmp_path).split())
    assert f"现任{current}，拟任东城区委书记。" in body, body
