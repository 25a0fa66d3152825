"""The demo city's saved member list 「常委会组成人员」 (issue 14.4) and its use on the
discussion form; the seed's bulk rows leave the audit chain valid."""
from __future__ import annotations

from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.demo.users import demo_logins
from kaohe.discussions.member_list_models import MemberList
from kaohe.discussions.models import Discussion
from kaohe.extensions import db
from tests.helpers import select_options, text

ARGS = ["seed-demo", "--officials", "40", "--seed", "7"]


def test_demo_has_the_committee_list_and_the_form_fills_members_from_it(app, runner, client):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    upcoming = db.session.scalar(select(Discussion).where(Discussion.status == "draft"))
    reviewer = db.session.scalar(select(User).where(User.username == "demo-reviewer"))
    lst = db.session.scalars(select(MemberList).where(MemberList.deleted_at.is_(None))).one()
    assert lst.name == "常委会组成人员"
    # The upcoming meeting's members, then the demo reviewer linked to the account.
    assert lst.names == [m.name for m in upcoming.members] + [reviewer.name]
    assert [e.user_id for e in lst.entries] == [None] * len(upcoming.members) + [reviewer.id]

    password = {u: p for u, _r, _l, p in demo_logins(7)}["demo-org"]
    assert client.post("/login", data={"username": "demo-org",
                                       "password": password}).status_code == 302
    assert "常委会组成人员" in text(client.get("/discussions/member-lists/"))
    options = select_options(text(client.get("/discussions/new")), "member_list_id")
    assert (str(lst.id), f"常委会组成人员（{len(lst.names)} 人）", False) in options
    r = client.post("/discussions/new", data={
        "kind": "standing", "date": upcoming.date.isoformat(), "title": "市委常委会（专题）",
        "member_names": "", "member_list_id": str(lst.id)})
    assert r.status_code == 302
    made = db.session.scalar(select(Discussion).where(Discussion.title == "市委常委会（专题）"))
    assert [m.name for m in made.members] == lst.names


def test_seed_leaves_the_audit_chain_valid(app, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "KAOHE_AUDIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    assert runner.invoke(args=ARGS).exit_code == 0
    anchor = tmp_path / "anchor.json"
    made = runner.invoke(args=["audit-anchor", "-o", str(anchor)])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(args=["audit-verify", "--anchor", str(anchor)])
    assert checked.exit_code == 0, checked.output
