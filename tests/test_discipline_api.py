"""Integration API: discipline tokens only, validated exactly like the forms, nothing
saved on refusal, details only to the discipline role."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db
from tests import discipline_support as ds

GOOD = {"found_date": "2020-01-10", "source": "media", "kind": "party_warning",
        "status": "closed", "decision_date": "2020-03-01", "summary": "违规收受礼品",
        "details": ds.SECRET}


@pytest.fixture
def official(make):
    o = make.official()
    make.commit()
    return o


def bearer(role):
    token = auth_services.create_token(ds.user(role))
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def snapshot():
    # Refusals are audited (access_denied); any other audit row would be a write.
    return ds.counts(), db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action != "access_denied"))


def test_create_finding_happy_path(client, official):
    r = client.post(f"/api/v1/officials/{official.id}/discipline-findings", json=GOOD,
                    headers=bearer("discipline"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["kind"] == "party_warning" and body["kind_label"] == "党纪处分·警告"
    assert body["impact"]["end"] == "2021-03-01" and body["impact"]["months"] == 12
    assert body["details"] == ds.SECRET  # discipline token: the details come back
    f = db.session.get(DisciplineFinding, body["id"])
    assert f.official_id == official.id and f.recorded_by_id == ds.user("discipline").id


@pytest.mark.parametrize("kind, decided, end", [
    ("admin_warning", "2019-08-31", "2020-02-29"),   # no 31 February: its last day
    ("admin_warning", "2020-08-31", "2021-02-28"),
    ("admin_demerit", "2024-02-29", "2025-02-28"),
    ("admin_demerit", "2023-02-28", "2024-02-28"),
    ("party_serious_warning", "2020-12-31", "2022-06-30"),  # 1.5 years = 18 months
    ("admonishment", "2021-06-30", "2021-12-30"),
])
def test_impact_end_in_the_api_follows_the_civil_code(client, official, kind, decided, end):
    r = client.post(f"/api/v1/officials/{official.id}/discipline-findings",
                    json={**GOOD, "kind": kind, "found_date": "2019-01-01",
                          "decision_date": decided}, headers=bearer("discipline"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["impact"]["start"] == decided and r.get_json()["impact"]["end"] == end


def test_update_finding_when_the_case_closes(client, official):
    headers = bearer("discipline")
    opened = {**GOOD, "status": "investigation", "decision_date": None, "kind": "pending"}
    created = client.post(f"/api/v1/officials/{official.id}/discipline-findings", json=opened,
                          headers=headers).get_json()
    fid = created["id"]
    r = client.put(f"/api/v1/discipline-findings/{fid}",
                   json={**GOOD, "version": created["version"]}, headers=headers)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "closed" and r.get_json()["impact"]["end"] == "2021-03-01"
    assert client.put("/api/v1/discipline-findings/999999", json={**GOOD, "version": 1},
                      headers=headers).status_code == 404


BAD_FINDINGS = [
    ({"kind": "party_warnin"}, "kind", "未知的处理方式“party_warnin”，请从列表中选择。"),
    ({"source": "rumour"}, "source", "未知的问题来源“rumour”，请从列表中选择。"),
    ({"status": "done"}, "status", "未知的办理状态“done”，请从列表中选择。"),
    ({"kind": ""}, "kind", "请选择处理方式。"),
    ({"source": ""}, "source", "请选择问题来源。"),
    ({"status": None}, "status", "请选择办理状态。"),
    ({"decision_date": "2020-01-09"}, "decision_date", "决定日期不能早于发现日期。"),
    ({"status": "cleared"}, "kind", "了结澄清的问题不产生处分和影响期"),
    ({"status": "cleared", "kind": "talk_inquiry", "period_months": 12}, "period_months",
     "了结澄清的问题没有处分期。"),
    ({"kind": "admin_demerit", "period_months": 60}, "period_months",
     "合并确定的处分期应在 12 到 48 个月之间。"),
    ({"kind": "party_warning", "period_months": 18}, "period_months", "只有政务处分"),
    ({"status": "investigation"}, "decision_date", "问题尚在处置中，不能填写决定日期"),
    ({"decision_date": None}, "decision_date", "已结案的问题须填写决定日期。"),
    ({"kind": "pending"}, "kind", "已结案的问题须选择处理方式"),
    ({"found_date": "2020/01/10"}, "found_date", "日期格式不正确"),
    ({"found_date": None}, "found_date", "请填写发现日期。"),
    ({"found_date": "2999-01-01", "decision_date": None, "status": "clue"}, "found_date",
     "日期不能晚于今天。"),
    ({"summary": "  "}, "summary", "请填写情况摘要。"),
    ({"summary": ["a"]}, "summary", "取值应为字符串或数字。"),
    ({"decison_date": "2020-03-01"}, "decison_date", "未知字段"),
]


@pytest.mark.parametrize("change, field, message", BAD_FINDINGS,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(BAD_FINDINGS)])
def test_bad_finding_is_refused_with_a_chinese_message_and_nothing_saved(
        client, official, change, field, message):
    headers = bearer("discipline")
    before = snapshot()
    r = client.post(f"/api/v1/officials/{official.id}/discipline-findings",
                    json={**GOOD, **change}, headers=headers)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] and message in body["fields"][field]
    assert snapshot() == before


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null"])
def test_body_must_be_a_json_object(client, official, payload):
    headers = {**bearer("discipline"), "Content-Type": "application/json"}
    before = snapshot()
    r = client.post(f"/api/v1/officials/{official.id}/discipline-findings", data=payload,
                    headers=headers)
    assert r.status_code == 400 and "JSON 对象" in r.get_json()["error"]
    assert snapshot() == before


def test_answer_happy_path(client, official):
    op = ds.opinion(official, requested=dt.date(2021, 1, 5))
    db.session.commit()
    r = client.post(f"/api/v1/integrity-opinions/{op.id}/answer", headers=bearer("discipline"),
                    json={"outcome": 2, "answered_on": "2021-01-20", "answer_text": "线索已了结。"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["outcome"] == 2 and body["valid_until"] == "2021-04-20"
    assert body["outcome_label"] == "线索已了结，不持异议"
    assert db.session.get(IntegrityOpinion, op.id).answered_by_id == ds.user("discipline").id


def test_answer_to_a_never_requested_opinion(client, official):
    headers = bearer("discipline")
    before = snapshot()
    r = client.post("/api/v1/integrity-opinions/424242/answer", headers=headers,
                    json={"outcome": 1, "answered_on": "2021-01-20", "answer_text": "无"})
    assert r.status_code == 404 and "只能回复组织部门已发出的征求" in r.get_json()["error"]
    assert snapshot() == before


def test_second_answer_is_refused_and_the_first_kept(client, official):
    op = ds.opinion(official, requested=dt.date(2021, 1, 5), outcome=1,
                    answered=dt.date(2021, 1, 6))
    db.session.commit()
    headers = bearer("discipline")
    before = snapshot()
    r = client.post(f"/api/v1/integrity-opinions/{op.id}/answer", headers=headers,
                    json={"outcome": 6, "answered_on": "2021-01-20", "answer_text": "改变主意"})
    assert r.status_code == 400 and "不能重复回复" in r.get_json()["error"]
    assert snapshot() == before
    db.session.expire_all()
    assert db.session.get(IntegrityOpinion, op.id).outcome == 1


BAD_ANSWERS = [
    ({"outcome": 7}, "outcome", "未知的回复结论“7”，请从列表中选择。"),
    ({"outcome": "最好"}, "outcome", "未知的回复结论“最好”"),
    ({"outcome": None}, "outcome", "请选择回复结论。"),
    ({"outcome": ""}, "outcome", "请选择回复结论。"),
    ({"answered_on": None}, "answered_on", "请填写回复日期。"),  # no default date here
    ({"answered_on": "2021-01-04"}, "answered_on", "回复日期不能早于征求日期（2021-01-05）。"),
    ({"answered_on": "20210120"}, "answered_on", "日期格式不正确"),
    ({"answer_text": ""}, "answer_text", "请填写回复意见。"),
    ({"text": "x"}, "text", "未知字段"),
]


@pytest.mark.parametrize("change, field, message", BAD_ANSWERS,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(BAD_ANSWERS)])
def test_bad_answer_is_refused(client, official, change, field, message):
    op = ds.opinion(official, requested=dt.date(2021, 1, 5))
    db.session.commit()
    headers = bearer("discipline")
    before = snapshot()
    good = {"outcome": 1, "answered_on": "2021-01-20", "answer_text": "未收到问题线索。"}
    body = {k: v for k, v in {**good, **change}.items() if v is not None}  # None: left out
    r = client.post(f"/api/v1/integrity-opinions/{op.id}/answer", headers=headers, json=body)
    assert r.status_code == 400
    assert message in r.get_json()["fields"][field]
    assert snapshot() == before


def _endpoints(official):
    op = ds.opinion(official, requested=dt.date(2021, 1, 5))
    f = ds.finding(official)
    db.session.commit()
    return [("post", f"/api/v1/officials/{official.id}/discipline-findings", GOOD),
            ("put", f"/api/v1/discipline-findings/{f.id}", GOOD),
            ("post", f"/api/v1/integrity-opinions/{op.id}/answer",
             {"outcome": 1, "answered_on": "2021-01-20", "answer_text": "无"})]


@pytest.mark.parametrize("role", ["organization", "assessment", "reviewer", "admin"])
def test_non_discipline_tokens_get_403(client, official, role):
    endpoints = _endpoints(official)
    headers = bearer(role)
    before = snapshot()
    for method, url, body in endpoints:
        r = getattr(client, method)(url, json=body, headers=headers)
        assert r.status_code == 403, (role, url)
        assert "error" in r.get_json() and ds.SECRET not in r.get_data(as_text=True)
    assert snapshot() == before


def test_cookie_sessions_are_refused_even_for_discipline(client, auth, official):
    endpoints = _endpoints(official)
    auth.login("discipline")
    before = snapshot()
    for method, url, body in endpoints:
        r = getattr(client, method)(url, json=body)
        assert r.status_code == 403 and "API 令牌" in r.get_json()["error"]
    assert snapshot() == before


def test_anonymous_and_bad_tokens_get_401(client, official):
    for method, url, body in _endpoints(official):
        assert getattr(client, method)(url, json=body).status_code == 401
        r = getattr(client, method)(url, json=body, headers={"Authorization": "Bearer kh_nope"})
        assert r.status_code == 401


def test_recusal_applies_to_tokens(client, official):
    ds.user("discipline").official_id = official.id
    db.session.commit()
    for method, url, body in _endpoints(official):
        assert getattr(client, method)(url, json=body,
                                       headers=bearer("discipline")).status_code == 403


def test_read_api_never_carries_discipline_details(client, official):
    ds.finding(official)
    db.session.commit()
    for role in ("organization", "discipline"):
        r = client.get(f"/api/v1/officials/{official.id}", headers=bearer(role))
        assert r.status_code == 200 and ds.SECRET not in r.get_data(as_text=True)
