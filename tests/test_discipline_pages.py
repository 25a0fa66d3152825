"""Pages: who may do what, Chinese errors next to the fields with nothing saved,
exemption and opinion flows, and the details field on every page."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kaohe.audit.models import AuditLog
from kaohe.core import clock
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db
from tests import discipline_support as ds
from tests.helpers import form_version, input_value, select_options

FORM = {"found_date": "2020-01-10", "source": "media", "kind": "party_warning",
        "status": "closed", "decision_date": "2020-03-01", "period_months": "",
        "summary": "违规收受礼品", "details": ds.SECRET}


@pytest.fixture
def world(make):
    unit = make.unit(name="东城区")
    official = make.official(unit_obj=unit)
    make.post(official, unit, start=dt.date(2016, 1, 1), principal=True)
    finding = ds.finding(official)
    opinion = ds.opinion(official, requested=dt.date(2021, 1, 5))
    make.commit()
    return official, finding, opinion


def urls(world):
    o, f, op = world
    base = f"/officials/{o.id}/discipline"
    return {
        "index": f"{base}/", "finding": f"{base}/findings/{f.id}",
        "new": f"{base}/findings/new", "edit": f"{base}/findings/{f.id}/edit",
        "exempt": f"{base}/findings/{f.id}/exemption",
        "revoke": f"{base}/findings/{f.id}/exemption/revoke",
        "request": f"{base}/opinions/new", "queue": "/integrity-opinions/",
        "answer": f"/integrity-opinions/{op.id}/answer",
    }


READ = {"index", "finding", "queue"}
WRITE = {"new", "edit", "exempt", "revoke", "answer"}
ALLOWED = {
    "discipline": READ | WRITE,
    "organization": READ | {"request"},
    "reviewer": set(), "assessment": set(), "admin": set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_who_reaches_which_page(client, auth, world, role):
    auth.login(role)
    for name, url in urls(world).items():
        r = client.get(url)
        if name == "revoke" and role == "discipline":
            assert r.status_code == 200  # the form renders; the service refuses without exemption
            continue
        assert r.status_code == (200 if name in ALLOWED[role] else 403), (role, name)


def test_anonymous_is_sent_to_login(client, world):
    for url in urls(world).values():
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_recusal(client, auth, world):
    o = world[0]
    ds.user("discipline").official_id = o.id
    ds.user("organization").official_id = o.id
    db.session.commit()
    for role in ("discipline", "organization"):
        auth.login(role)
        for name, url in urls(world).items():
            if name != "queue":
                assert client.get(url).status_code == 403, (role, name)
        assert o.name not in client.get("/integrity-opinions/").get_data(as_text=True)
        auth.logout()


def test_new_finding_through_the_page(client, auth, world):
    auth.login("discipline")
    o = world[0]
    r = client.post(urls(world)["new"], data=FORM)
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "2020-03-01 至 2021-03-01" in page and ds.SECRET in page and "东城区" in page
    assert "党纪警告 12 个月" not in page  # the basis names the category
    assert "党纪处分·警告 12 个月（规则参数）" in page
    assert db.session.scalar(select(func.count(DisciplineFinding.id)).where(
        DisciplineFinding.official_id == o.id)) == 2


BAD_FORMS = [
    ({"source": ""}, "source", "请选择问题来源。"),
    ({"kind": ""}, "kind", "请选择处理方式。"),
    ({"status": ""}, "status", "请选择办理状态。"),
    ({"kind": "xx"}, "kind", "未知的处理方式“xx”，请从列表中选择。"),
    ({"decision_date": "2020-01-01"}, "decision_date", "决定日期不能早于发现日期。"),
    ({"status": "cleared"}, "kind", "了结澄清的问题不产生处分和影响期：处理方式只能是“尚未定性/未作处理”"
                                     "或谈话函询类；确有处分的请将状态选为“已结案”。"),
    ({"found_date": "去年"}, "found_date", "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
    ({"summary": ""}, "summary", "请填写情况摘要。"),
    ({"period_months": "5", "kind": "admin_warning"}, "period_months",
     "合并确定的处分期应在 6 到 48 个月之间。"),
]


@pytest.mark.parametrize("change, field, message", BAD_FORMS,
                         ids=[c[1] for c in BAD_FORMS])
def test_bad_finding_form_shows_the_error_next_to_the_field(client, auth, world, change,
                                                            field, message):
    auth.login("discipline")
    before = ds.counts(), db.session.scalar(select(func.count(AuditLog.id)))
    r = client.post(urls(world)["new"], data={**FORM, **change})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert ds.field_errors(page, field) == [message]
    assert "未保存任何内容" in page
    assert (ds.counts(), db.session.scalar(select(func.count(AuditLog.id)))) == before


def test_edit_refused_keeps_the_record(client, auth, world):
    auth.login("discipline")
    f = world[1]
    r = client.post(urls(world)["edit"], data={**FORM, "status": "cleared", "summary": "改了",
                                               **form_version(client, urls(world)["edit"])})
    assert r.status_code == 200 and ds.field_errors(r.get_data(as_text=True), "kind")
    db.session.expire_all()
    assert db.session.get(DisciplineFinding, f.id).summary == "违规收受礼品"


def test_exemption_grant_and_revoke_through_pages(client, auth, world):
    auth.login("discipline")
    u, f = urls(world), world[1]
    r = client.post(u["exempt"], data={"reason": "", "approver": "市纪委", "approved_on": "2020-04-01"})
    assert ds.field_errors(r.get_data(as_text=True), "reason") == ["请填写容错免责理由。"]
    assert ds.counts()[1] == 0
    r = client.post(u["exempt"], data={"reason": "改革创新中的失误", "approver": "市纪委常委会",
                                       "approved_on": "2020-04-01"})
    assert r.status_code == 302
    page = client.get(u["finding"]).get_data(as_text=True)
    assert "已容错免责" in page and "市纪委常委会" in page and "生效" in page
    r = client.post(u["revoke"], data={"revoke_reason": ""})
    assert ds.field_errors(r.get_data(as_text=True), "revoke_reason") == ["请填写撤销容错免责的理由。"]
    r = client.post(u["revoke"], data={"revoke_reason": "经复查不符合容错条件"})
    assert r.status_code == 302
    page = client.get(u["finding"]).get_data(as_text=True)
    assert "已撤销" in page and "经复查不符合容错条件" in page and "改革创新中的失误" in page
    assert db.session.get(DisciplineFinding, f.id).exemption is None


def test_exemption_refused_on_cleared_finding_shows_form_error(client, auth, make, world):
    o = world[0]
    cleared = ds.finding(o, kind="talk_inquiry", status="cleared", decided=dt.date(2020, 2, 1))
    make.commit()
    auth.login("discipline")
    r = client.post(f"/officials/{o.id}/discipline/findings/{cleared.id}/exemption",
                    data={"reason": "x", "approver": "y", "approved_on": "2020-04-01"})
    assert "只能对已结案的问题认定容错免责" in "".join(ds.form_alerts(r.get_data(as_text=True)))
    assert ds.counts()[1] == 0


def test_opinion_request_answer_and_second_answer(client, auth, make):
    o = make.official()
    make.commit()
    auth.login("organization")
    url = f"/officials/{o.id}/discipline/opinions/new"
    r = client.post(url, data={"purpose": "", "requested_on": "2021-01-05"})
    assert ds.field_errors(r.get_data(as_text=True), "purpose") == ["请填写征求事由。"]
    assert ds.counts()[2] == 0
    assert client.post(url, data={"purpose": "拟提拔", "requested_on": "2021-01-05"}).status_code == 302
    r = client.post(url, data={"purpose": "再次", "requested_on": "2021-01-06"})
    assert "请勿重复征求" in "".join(ds.form_alerts(r.get_data(as_text=True)))
    op = db.session.scalar(select(IntegrityOpinion).where(IntegrityOpinion.official_id == o.id))
    answer = f"/integrity-opinions/{op.id}/answer"
    assert client.post(answer, data={"outcome": "1"}).status_code == 403  # organization
    auth.logout()
    auth.login("discipline")
    assert client.post(url, data={"purpose": "x", "requested_on": "2021-01-05"}).status_code == 403
    r = client.post(answer, data={"outcome": "9", "answered_on": "2021-01-04", "answer_text": ""})
    page = r.get_data(as_text=True)
    assert ds.field_errors(page, "outcome") == ["未知的回复结论“9”，请从列表中选择。"]
    assert ds.field_errors(page, "answer_text") == ["请填写回复意见。"]
    r = client.post(answer, data={"outcome": "1", "answered_on": "2021-01-04", "answer_text": "无",
                                  **form_version(client, answer)})
    assert ds.field_errors(r.get_data(as_text=True), "answered_on") == [
        "回复日期不能早于征求日期（2021-01-05）。"]
    assert client.post(answer, data={"outcome": "5", "answered_on": "2021-01-20",
                                     "answer_text": "建议暂缓",
                                     **form_version(client, answer)}).status_code == 302
    r = client.post(answer, data={"outcome": "1", "answered_on": "2021-01-21", "answer_text": "改",
                                  **form_version(client, answer)})
    assert "不能重复回复" in "".join(ds.form_alerts(r.get_data(as_text=True)))
    db.session.expire_all()
    assert db.session.get(IntegrityOpinion, op.id).outcome == 5


def test_withdraw_only_unanswered(client, auth, world):
    op = world[2]
    auth.login("organization")
    assert client.post(f"/integrity-opinions/{op.id}/withdraw").status_code == 302
    assert db.session.scalar(select(func.count(IntegrityOpinion.id))) == 0
    assert client.get(f"/integrity-opinions/{op.id}/answer").status_code == 403
    auth.logout()
    auth.login("discipline")
    assert client.get(f"/integrity-opinions/{op.id}/answer").status_code == 404


def test_details_never_on_pages_for_organization(client, auth, world):
    o = world[0]
    auth.login("organization")
    pages = [client.get(u).get_data(as_text=True) for n, u in urls(world).items()
             if n in READ] + [client.get(f"/officials/{o.id}").get_data(as_text=True)]
    for page in pages:
        assert ds.SECRET not in page and "详细情况" not in page
    assert "违规收受礼品" in pages[0] and "违规收受礼品" in pages[1]


def test_details_not_in_audit_rows(make):
    f = ds.finding(make.official())
    db.session.commit()  # audit entries join the chain at commit
    rows = db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "discipline_finding")).all()
    assert rows and all(ds.SECRET not in str(r.before) + str(r.after) for r in rows)
    assert [r.action for r in rows] == ["create", "details_changed"]
    assert rows[1].entity_id == f.id


def test_profile_section(client, auth, world):
    o = world[0]
    auth.login("organization")
    page = client.get(f"/officials/{o.id}").get_data(as_text=True)
    assert "纪委了解的情况与党风廉政意见" in page and "未回复" in page
    assert "征求党风廉政意见" in page and "录入纪委了解的情况" not in page
    auth.logout()
    auth.login("discipline")
    page = client.get(f"/officials/{o.id}").get_data(as_text=True)
    assert "录入纪委了解的情况" in page and ds.SECRET not in page


# --- nothing is asserted by default (issue 12, item 9) -------------------------------

def _chosen(page, field):
    """What a browser submits untouched: the selected option, else the first one."""
    options = select_options(page, field)
    selected = [value for value, _label, chosen in options if chosen]
    assert len(selected) <= 1
    return selected or [options[0][0]]


def test_answer_page_preselects_no_outcome_and_offers_today(client, auth, world):
    auth.login("discipline")
    before = clock.today().isoformat()
    page = client.get(urls(world)["answer"]).get_data(as_text=True)
    options = select_options(page, "outcome")
    assert options[0] == ("", "请选择", True)
    assert [v for v, *_ in options[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert _chosen(page, "outcome") == [""]  # 「1. 未收到问题线索」 is not selected
    assert input_value(page, "answered_on") in {before, clock.today().isoformat()}


@pytest.mark.parametrize("outcome", ["", None], ids=["blank", "missing"])
def test_answer_without_an_outcome_is_refused(client, auth, world, outcome):
    auth.login("discipline")
    url, op = urls(world)["answer"], world[2]
    data = {"answered_on": "2021-01-20", "answer_text": "经查，未发现问题。",
            **form_version(client, url)}
    if outcome is not None:
        data["outcome"] = outcome
    before = ds.counts(), db.session.scalar(select(func.count(AuditLog.id)))
    r = client.post(url, data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and ds.field_errors(page, "outcome") == ["请选择回复结论。"]
    assert _chosen(page, "outcome") == [""]
    assert (ds.counts(), db.session.scalar(select(func.count(AuditLog.id)))) == before
    db.session.expire_all()
    assert db.session.get(IntegrityOpinion, op.id).outcome is None


def test_request_page_offers_today(client, auth, make):
    o = make.official()
    make.commit()
    auth.login("organization")
    before = clock.today().isoformat()
    page = client.get(f"/officials/{o.id}/discipline/opinions/new").get_data(as_text=True)
    assert input_value(page, "requested_on") in {before, clock.today().isoformat()}


def test_new_finding_page_preselects_no_source_kind_or_status(client, auth, world):
    auth.login("discipline")
    page = client.get(urls(world)["new"]).get_data(as_text=True)
    for field in ("source", "kind", "status"):
        assert select_options(page, field)[0][:2] == ("", "请选择"), field
        assert _chosen(page, field) == [""], field
    # Editing shows the stored values.
    page = client.get(urls(world)["edit"]).get_data(as_text=True)
    assert [_chosen(page, f) for f in ("source", "kind", "status")] == [
        ["media"], ["party_warning"], ["closed"]]


# --- the last day of a period, on the pages (issue 12, item 4) -----------------------

@pytest.mark.parametrize("today, blocked", [
    (dt.date(2020, 3, 1), True),   # the decision day
    (dt.date(2021, 3, 1), True),   # 2020-03-01 + 12 months: the last day
    (dt.date(2021, 3, 2), False),
])
def test_pages_block_through_the_last_day(client, auth, world, monkeypatch, today, blocked):
    monkeypatch.setattr(clock, "today", lambda: today)
    auth.login("organization")
    o = world[0]
    for url in (urls(world)["index"], f"/officials/{o.id}"):
        page = client.get(url).get_data(as_text=True)
        assert ("影响期2020-03-01 至 2021-03-01，期内不得提拔。" in page) is blocked, url
        assert ("纪委监委记录中没有影响提拔的情形。" in page) is not blocked, url


@pytest.mark.parametrize("today, valid", [
    (dt.date(2021, 2, 28), True),   # 2020-11-30 + 3 months: no 30 February → the 28th
    (dt.date(2021, 3, 1), False),
])
def test_opinion_valid_through_its_last_day_on_the_pages(client, auth, make, monkeypatch,
                                                         today, valid):
    o = make.official()
    ds.opinion(o, requested=dt.date(2020, 11, 20), outcome=1, answered=dt.date(2020, 11, 30))
    make.commit()
    monkeypatch.setattr(clock, "today", lambda: today)
    auth.login("organization")
    page = client.get(f"/officials/{o.id}/discipline/").get_data(as_text=True)
    assert ("有效期 3 个月，至 2021-02-28" in page) is valid
    assert ("2021-02-28 <span class=\"muted\">（已过期）</span>" in page) is not valid
    profile = client.get(f"/officials/{o.id}").get_data(as_text=True)
    assert ("未收到问题线索（2020-11-30 回复，有效期至 2021-02-28）" in profile) is valid
    queue = client.get("/integrity-opinions/").get_data(as_text=True)
    assert ("（已过期）" in queue) is not valid
