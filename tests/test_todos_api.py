"""The to-do list through the pages and GET /api/v1/todos (issue 14.1), and the demo
data giving every kind something to show."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.auth import tokens
from kaohe.auth.models import User
from kaohe.core import clock, records
from kaohe.discipline import services as discipline
from kaohe.discussions.services import agenda
from kaohe.extensions import db
from kaohe.todos import registry
from kaohe.unitassess.models import IndicatorResult, Scheme
from kaohe.unitassess.services import round_cache
from tests.helpers import text


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def test_api_lists_the_callers_todos(app, client, auth, make, today):
    o = make.official(name="待回复")
    discipline.request_opinion(o, {"purpose": "拟提拔", "requested_on": today - dt.timedelta(5)})
    make.commit()
    auth.as_role("discipline")
    data = client.get("/api/v1/todos").get_json()
    [item] = [i for i in data["items"] if i["kind"] == "opinion_waiting"]
    assert item["title"] == "待回复的党风廉政意见征求待回复，已等待 5 天"
    assert item["due"] == (today + dt.timedelta(days=5)).isoformat()
    assert item["ids"]["official_id"] == o.id and item["url"].startswith("/integrity-opinions/")
    assert data["kinds"] == {"opinion_waiting": "党风廉政意见待回复",
                             "finding_impact_ending": "处分影响期届满"}
    auth.logout()
    auth.as_role("organization")  # not the organization's kind
    assert all(i["kind"] != "opinion_waiting"
               for i in client.get("/api/v1/todos").get_json()["items"])


def test_api_with_a_token_and_anonymous(app, client, make):
    row, token = tokens.create(user("admin"), "监控", days=3)
    make.commit()
    data = client.get("/api/v1/todos", headers={"Authorization": f"Bearer {token}"}).get_json()
    [item] = [i for i in data["items"] if i["kind"] == "token_expiring"]
    assert item["ids"] == {"user_id": row.user_id, "token_id": row.id}
    assert item["urgency"] == 1 and "监控" in item["title"]
    response = client.get("/api/v1/todos")
    assert response.status_code == 401 and response.get_json()["error"]


def test_openapi_documents_todos(client, auth):
    auth.as_role("organization")
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/todos"]["get"]
    assert op["tags"] == ["todos"] and "most urgent first" in op["summary"]


def test_home_page_lists_todos_and_navigation_counts(app, client, auth, make, today):
    d = agenda.save_discussion(None, {"kind": "standing", "date": today + dt.timedelta(days=4),
                                      "title": "第九次常委会", "member_names": "甲\n乙\n丙"})
    o = make.official(name="赵未备")
    item = agenda.save_item(d, None, {"official_id": str(o.id), "action": "promote",
                                      "proposed_post": "区长", "reason": "拟提拔"})
    make.commit()
    auth.as_role("organization")
    page = text(client.get("/home"))
    assert "待办事项" in page and "第九次常委会" in page and "1 个议题中 1 个未就绪" in page
    assert "赵未备（提拔）：" in page and "未附三年考评材料" in page
    assert "赵未备尚未征求党风廉政意见" in page
    html = client.get("/units/").get_data(as_text=True)
    with app.test_request_context():
        todos = registry.compute(user("organization"))
    assert f'aria-label="{len(todos)} 项待办">{len(todos)}</span>' in html
    assert 'id="todos"' not in html  # the list itself is on the home page only
    assert item.id in [i for t in todos if t.kind == "discussion_not_ready"
                       for i in t.ids["item_ids"]]


def test_reviewer_unread_until_downloaded(app, client, auth, make, today):
    d = agenda.save_discussion(None, {"kind": "standing", "date": today + dt.timedelta(days=3),
                                      "title": "常委会", "member_names": "甲\n乙"})
    o = make.official(name="钱已附")
    make.post(o, make.unit())
    agenda.save_item(d, None, {"official_id": str(o.id), "action": "promote",
                               "proposed_post": "区长", "reason": "拟提拔"})
    link = agenda.attach(d, o.id, None, user("organization").id)
    agenda.assign_reviewer(d, user("reviewer").id)
    make.commit()
    auth.as_role("reviewer")
    [item] = client.get("/api/v1/todos").get_json()["items"]
    assert item["kind"] == "dossier_unread" and item["ids"]["item_ids"] == [link.item_id]
    assert "1 份考评材料未阅" in item["title"] and "钱已附（提拔）" in item["details"][0]
    assert client.get(f"/discussions/{d.id}/items/{link.item_id}/dossiers/1.pdf").status_code == 200
    assert client.get("/api/v1/todos").get_json()["items"] == []


def test_dossier_stale_after_a_check(app, make, today):
    """A check recorded after the dossier was attached: the dossier must be regenerated."""
    d = agenda.save_discussion(None, {"kind": "secretary", "date": today + dt.timedelta(days=8),
                                      "title": "书记专题会", "member_names": "甲\n乙"})
    o = make.official(name="孙待更")
    make.post(o, make.unit())
    agenda.save_item(d, None, {"official_id": str(o.id), "action": "further_use",
                               "proposed_post": "局长", "reason": "拟进一步使用"})
    link = agenda.attach(d, o.id, None, user("organization").id)
    with app.test_request_context():
        assert not [t for t in registry.compute(user("organization")) if t.kind == "dossier_stale"]
    agenda.save_check(d, link.item, "file_audit", {"result": "clear", "checked_by": "档案室",
                                                   "note": "", "checked_on": today})
    with app.test_request_context():
        [t] = [t for t in registry.compute(user("organization")) if t.kind == "dossier_stale"]
    assert t.ids == {"discussion_id": d.id, "item_id": link.item_id, "official_id": o.id}
    assert t.url == f"/discussions/{d.id}/items/{link.item_id}"
    assert "档案审核" in t.details[0] and "须重新生成" in t.details[0]
    assert t.due == d.date and t.urgency == 2


DEMO_KINDS = {
    "demo-org": {"discussion_not_ready", "opinion_missing", "opinion_expiring",
                 "publicity_ending", "probation",
                 "retirement", "rotation_must", "rotation", "impact_ending", "annual_missing",
                 "interview_due"},
    "demo-discipline": {"opinion_waiting", "finding_impact_ending"},
    "demo-assess": {"indicators_lagging", "interview_due"},
    "demo-reviewer": {"dossier_unread"},
    "demo-admin": {"user_idle", "token_expiring"},
}


def test_demo_data_show_every_kind(app, runner):
    """The README's demo city (default size and seed) has an example of each kind but
    round_data_missing and dossier_stale (see kaohe/demo/todos.py; tested here)."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        found = {name: {t.kind for t in registry.compute(user(name))} for name in DEMO_KINDS}
    for name, expected in DEMO_KINDS.items():
        assert expected <= found[name], (name, expected - found[name])
    shown = set().union(*found.values())
    assert set(registry.KINDS) - shown == {"round_data_missing", "dossier_stale"}


def test_round_with_missing_data(app, runner, today):
    result = runner.invoke(args=["seed-demo", "--officials", "30", "--seed", "3"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(select(IndicatorResult)
                            .join(Scheme, Scheme.id == IndicatorResult.scheme_id)
                            .where(Scheme.year == today.year, IndicatorResult.round == "half")
                            .order_by(IndicatorResult.id).limit(1))
    records.soft_delete(row)
    round_cache.clear()
    with app.test_request_context():
        [t] = [t for t in registry.compute(user("demo-assess")) if t.kind == "round_data_missing"
               and t.ids["scheme_id"] == row.scheme_id and t.ids["round"] == "half"]
    assert t.ids["unit_ids"] == [row.unit_id] and "1 个数据未录齐" in t.title
    assert f"缺 {row.indicator.name}" in t.details[0]
    assert t.url == f"/unit-assessment/schemes/{row.scheme_id}/entry?round=half"


def test_navigation_count_is_recomputed_after_a_write_only(auth, monkeypatch, make):
    client = auth.as_role("organization")
    calls = []
    real = registry.compute
    monkeypatch.setattr(registry, "compute", lambda user, *a, **kw: calls.append(1) or real(
        user, *a, **kw))
    registry._NAV_COUNTS.clear()
    client.get("/officials/")
    client.get("/units/")
    assert len(calls) == 1  # the second page read the count
    unit = make.unit(name="新区")
    make.post(make.official(name="试用甲", unit_obj=unit), unit, probation_months=12,
              start=clock.today() - dt.timedelta(days=360))
    make.commit()
    page = client.get("/units/").get_data(as_text=True)
    assert len(calls) == 2  # a write moved the audit chain: counted again
    total = client.get("/api/v1/todos").get_json()["total"]
    assert any(t["kind"] == "probation" for t in client.get("/api/v1/todos").get_json()["items"])
    assert f'aria-label="{total} 项待办"' in page
