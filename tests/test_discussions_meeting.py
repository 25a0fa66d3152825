"""Freezing dossiers, quorum, majority, and everything read-only once held."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from kaohe.core import clock
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import AgendaItem, Discussion, DiscussionMember, ItemDossier
from kaohe.discussions.services import agenda, decisions
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from tests import discussions_support as s
from tests.dossier_support import flat, page_texts
from tests.helpers import field_errors, form_alerts, form_version, table_counts, text

D = dt.date


def _world(n_items=1):
    d = s.discussion()
    items = [s.ready_item(d, s.official(name=name))
             for name in ("王建国", "李海燕", "赵志强")[:n_items]]
    return d, items


def _present(d, n):
    return [m.id for m in d.members[:n]]


# ---- freezing -------------------------------------------------------------------------

def test_attach_freezes_dossier_as_of_discussion_date_with_context(make):
    d, [it] = _world()
    link = it.current_dossier
    dossier = link.dossier
    assert link.version == 1 and dossier.as_of == s.DAY
    assert dossier.snapshot["window"]["years"] == [2017, 2018, 2019]
    ctx = dossier.snapshot["context"]
    assert ctx["discussion_date"] == "2020-04-10" and ctx["proposed_action"] == "提拔"
    assert ctx["proposed_post"] == "东城区委书记" and ctx["agenda_item_id"] == it.id
    text = flat("".join(page_texts(dossier.pdf)))
    assert "东城区委书记" in text and "2020年第3次常委会" in text


def test_later_changes_do_not_alter_the_frozen_dossier_and_refresh_keeps_the_old(make):
    d, [it] = _world()
    o = it.official
    v1 = it.current_dossier.dossier
    pdf1, sha1 = v1.pdf, v1.sha256
    assert hashlib.sha256(pdf1).hexdigest() == sha1
    # Data change after attaching: 2019 becomes 不称职 (edit of the stored result).
    from kaohe.assessments.models import AssessmentResult
    r2019 = db.session.scalar(select(AssessmentResult).where(
        AssessmentResult.official_id == o.id, AssessmentResult.year == 2019))
    r2019.grade = "incompetent"
    r2019.comment = "新录入的评语"
    make.commit()
    db.session.expire_all()
    stored = db.session.get(Dossier, v1.id)
    assert stored.pdf == pdf1 and stored.sha256 == sha1
    assert "新录入的评语" not in flat("".join(page_texts(stored.pdf)))
    # A refresh needs a reason and adds version 2; version 1 stays as it was.
    with pytest.raises(ValidationFailed) as exc:
        agenda.attach(d, o.id, "  ", None)
    assert "须填写更新原因" in exc.value.errors["reason"]
    v2 = agenda.attach(d, o.id, "2019 年度考核结果更正", None)
    make.commit()
    item = db.session.get(AgendaItem, it.id)
    assert [(x.version, x.reason) for x in item.dossiers] == [(1, ""), (2, "2019 年度考核结果更正")]
    assert item.current_dossier.id == v2.id and v2.dossier.sha256 != sha1
    assert "新录入的评语" in flat("".join(page_texts(v2.dossier.pdf)))
    again = db.session.get(Dossier, v1.id)
    assert again.pdf == pdf1 and again.sha256 == sha1


def test_refresh_through_the_page(make, auth):
    d, [it] = _world()
    make.commit()
    client = auth.as_role("organization")
    page = client.post(f"/discussions/{d.id}/attach", data={"official_id": it.official_id})
    assert field_errors(page.get_data(as_text=True), "reason") == [
        "已附第 1 版考评材料；重新生成须填写更新原因（原版本保留）。"]
    response = client.post(f"/discussions/{d.id}/attach",
                           data={"official_id": it.official_id, "reason": "补充研判记录"})
    assert response.status_code == 302
    page = client.get(f"/discussions/{d.id}/items/{it.id}").get_data(as_text=True)
    assert "第 2 版" in page and "第 1 版" in page and "补充研判记录" in page


# ---- quorum and majority ----------------------------------------------------------------

@pytest.mark.parametrize("members,needed", [(1, 1), (3, 2), (6, 4), (7, 5), (9, 6), (10, 7)])
def test_quorum_is_two_thirds(members, needed):
    assert decisions.quorum_needed(members) == needed
    assert 3 * needed >= 2 * members and 3 * (needed - 1) < 2 * members


@pytest.mark.parametrize("members,needed", [(1, 1), (5, 3), (6, 4), (7, 4), (11, 6)])
def test_majority_of_members_who_should_attend(members, needed):
    assert decisions.majority_needed(members) == needed


@pytest.mark.parametrize("present,ok", [(3, False), (4, True), (6, True)])
def test_hold_needs_quorum(make, present, ok):
    d, _ = _world()
    if ok:
        decisions.hold(d, _present(d, present))
        assert d.is_held and d.present_count == present
    else:
        with pytest.raises(ValidationFailed) as exc:
            decisions.hold(d, _present(d, present))
        assert exc.value.errors["present"] == (
            "到会 3 人，不足应到会成员 6 人的三分之二（至少 4 人），不能开会。")
        assert not d.is_held


@pytest.mark.parametrize("decision,votes,error", [
    ("approve", (4, 0, 0), None),            # 4 of 6 members: a majority
    ("approve", (3, 1, 0), "未超过应到会成员 6 人的半数（至少 4 票）"),  # half is not more than half
    ("reject", (3, 1, 0), None),
    ("reject", (4, 1, 0), "已超过应到会成员半数"),
    ("defer", (4, 0, 1), None),
    ("approve", (4, 1, 1), "超过到会成员 5 人"),  # 6 votes, 5 present
])
def test_decision_by_majority_of_members(make, decision, votes, error):
    d, [it] = _world()
    decisions.hold(d, _present(d, 5))
    data = dict(zip(("votes_for", "votes_against", "votes_abstain"), votes), decision=decision)
    if error is None:
        decisions.decide(d, it, data)
        assert (it.decision, it.votes_for) == (decision, votes[0])
    else:
        with pytest.raises(ValidationFailed) as exc:
            decisions.decide(d, it, data)
        assert error in " ".join(exc.value.errors.values())
        assert it.decision is None


# ---- held: read-only everywhere ---------------------------------------------------------

def _held(make):
    d, items = _world(2)
    s.assign(d)
    decisions.hold(d, _present(d, 6))
    make.commit()
    return d, items


def _posts(d, it):
    base = f"/discussions/{d.id}"
    return [
        (f"{base}/edit", {"kind": "standing", "date": "2020-04-10", "title": "改名",
                          "member_names": "甲\n乙"}, "title"),
        (f"{base}/items/new", {"official_id": str(it.official_id), "action": "promote",
                               "proposed_post": "x", "reason": "y"}, "action"),
        (f"{base}/items/{it.id}/edit", {"official_id": str(it.official_id),
                                        "action": "exchange", "proposed_post": "新职务",
                                        "reason": "改理由"}, "action"),
        (f"{base}/items/{it.id}/checks/file_audit", {"result": "clear", "checked_by": "某人",
                                                     "checked_on": "2020-04-01"}, "result"),
        (f"{base}/attach", {"official_id": str(it.official_id), "reason": "更新"},
         "official_id"),
        (f"{base}/reviewers", {"user_id": str(s.user("reviewer").id)}, "user_id"),
    ]


def test_held_discussion_refuses_every_edit_next_to_the_field(make, auth):
    d, [it, _other] = _held(make)
    client = auth.as_role("organization")
    for url, data, field in _posts(d, it):
        data = {**data, **form_version(client, url, optional=True)}  # the edit forms have one
        before = table_counts()
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert field_errors(page, field) == ["会议已召开，议程、核查和材料均已锁定，不能修改。"], url
        after = table_counts()
        assert {k: v for k, v in after.items() if k != "audit_log"} == {
            k: v for k, v in before.items() if k != "audit_log"}, url


def test_held_discussion_refuses_deletes_and_hold_again(make, auth):
    d, [it, _other] = _held(make)
    client = auth.as_role("organization")
    before = table_counts()
    client.post(f"/discussions/{d.id}/items/{it.id}/delete")
    client.post(f"/discussions/{d.id}/reviewers/{s.user('reviewer').id}/remove")
    page = client.post(f"/discussions/{d.id}/hold", data={"present": _present(d, 6)})
    assert field_errors(page.get_data(as_text=True), "present") == ["会议已标记为已召开，不能重复标记。"]
    after = table_counts()
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"}
    page = client.get(f"/discussions/{d.id}").get_data(as_text=True)
    assert "会议已召开，议程、核查和材料均已锁定" in page
    assert "添加议题" not in page and "附材料</button>" not in page and "移出" not in page
    assert "记录决定" in page
    item_page = client.get(f"/discussions/{d.id}/items/{it.id}").get_data(as_text=True)
    assert "修改议题" not in item_page and "重新生成" not in item_page and ">录入<" not in item_page


def test_readiness_is_frozen_when_held(make):
    d, [it, _other] = _held(make)
    from kaohe.discussions.services.readiness import readiness
    from tests import discipline_support as ds
    ds.finding(it.official, status="closed", kind="party_warning", decided=D(2020, 3, 1))
    assert readiness(it).ready  # as it stood when the meeting was held
    assert it.readiness_at_held["ready"] is True


def test_decide_twice_is_refused(make, auth):
    d, [it, _other] = _held(make)
    client = auth.as_role("organization")
    data = {"decision": "approve", "votes_for": 5, "votes_against": 1, "votes_abstain": 0}
    decide = f"/discussions/{d.id}/items/{it.id}/decide"
    assert client.post(decide, data={**data, **form_version(client, decide)}).status_code == 302
    before = table_counts()
    page = client.post(decide, data={**data, "decision": "reject", "votes_for": 0,
                                     **form_version(client, decide)}).get_data(as_text=True)
    [error] = field_errors(page, "decision")
    assert "作出“同意”决定，不能重复决定" in error
    assert table_counts() == before
    db.session.expire_all()
    item = db.session.get(AgendaItem, it.id)
    assert (item.decision, item.votes_for, item.votes_against) == ("approve", 5, 1)


def test_hold_with_unready_items_lists_them(make, auth):
    d = s.discussion()
    ready = s.ready_item(d, s.official(name="王建国"))
    unready = s.item(d, s.official(name="李海燕"))
    make.commit()
    client = auth.as_role("organization")
    before = table_counts()
    page = client.post(f"/discussions/{d.id}/hold",
                       data={"present": _present(d, 6),
                             **form_version(client, f"/discussions/{d.id}/hold")}
                       ).get_data(as_text=True)
    [alert] = form_alerts(page)
    assert "有 1 个议题尚未具备上会条件" in alert and "李海燕" in alert and "王建国（" not in alert
    assert "未附三年考评材料" in alert and "档案审核未完成" in alert
    assert table_counts() == before
    db.session.expire_all()
    assert db.session.get(Discussion, d.id).status == "draft"
    assert ready.readiness_at_held is None and unready.readiness_at_held is None
    assert not any(m.present for m in db.session.scalars(select(DiscussionMember)))


def test_hold_refused_before_the_meeting_date(make):
    d = s.discussion(date=clock.today() + dt.timedelta(days=3))
    with pytest.raises(ValidationFailed) as exc:
        decisions.hold(d, _present(d, 6))
    assert "尚未到，不能标记为已召开" in exc.value.errors["_"]


def test_future_meeting_dossier_is_as_of_its_date(make):
    day = clock.today() + dt.timedelta(days=10)
    d = s.discussion(date=day)
    o = s.official()
    s.item(d, o)
    link = agenda.attach(d, o.id, None, None)
    assert link.dossier.as_of == day
    assert db.session.scalar(select(ItemDossier.version)) == 1


# ---- an official on an agenda ---------------------------------------------------------

def test_an_official_on_an_agenda_is_not_deleted(make, auth):
    """Deleting an official named by an agenda item is refused with the discussion named
    (the item's pages, frozen dossier and 公示 need them); once the item is removed from
    the agenda the official may go."""
    o = s.official()
    d = s.discussion()
    it = s.item(d, o)
    make.commit()
    client = auth.as_role("organization")
    page = client.post(f"/officials/{o.id}/delete", follow_redirects=True)
    assert page.status_code == 200
    assert "王建国是2020-04-10「2020年第3次常委会」的议题人选，不能删除" in text(page)
    db.session.expire_all()
    assert db.session.get(type(o), o.id).deleted_at is None
    assert client.get(f"/discussions/{d.id}/items/{it.id}").status_code == 200
    agenda.delete_item(db.session.get(Discussion, d.id), db.session.get(AgendaItem, it.id))
    make.commit()
    page = client.post(f"/officials/{o.id}/delete", follow_redirects=True)
    assert "干部已删除" in text(page)
    db.session.expire_all()
    assert db.session.get(type(o), o.id).deleted_at is not None
