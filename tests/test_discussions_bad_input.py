"""Bad input on the discussion pages: a clear Chinese error next to the field, nothing saved."""
from __future__ import annotations

import pytest

from kaohe.core import clock
from kaohe.discussions.services import decisions
from tests import discussions_support as s
from tests.helpers import (field_errors, form_version, input_value, select_options,
                           table_counts, text)


def _setup():
    d = s.discussion()
    it = s.ready_item(d, s.official(name="王建国"))
    outsider = s.official(name="孙立新")
    return d, it, outsider


def _post(auth, url, data):
    client = auth.as_role("organization")
    data = {**data, **form_version(client, url, optional=True)}  # as the browser sends it
    before = table_counts()
    response = client.post(url, data=data)
    assert response.status_code == 200
    after = table_counts()
    assert after == before, "a refused request changed the database"
    return text(response)


def test_attach_for_an_official_not_on_the_agenda(make, auth):
    d, _it, outsider = _setup()
    make.commit()
    page = _post(auth, f"/discussions/{d.id}/attach", {"official_id": outsider.id})
    assert field_errors(page, "official_id") == [
        "该干部不在本次会议议程中，不能附考评材料；请先将其列入议程。"]


@pytest.mark.parametrize("data,field,message", [
    ({"official_id": "987654", "action": "promote", "proposed_post": "x", "reason": "y"},
     "official_id", "编号为 987654 的干部不存在。"),
    ({"official_id": "查无此人", "action": "promote", "proposed_post": "x", "reason": "y"},
     "official_id", "没有名为“查无此人”的干部，请核对姓名或填写干部编号。"),
    ({"official_id": "王建国", "action": "promote", "proposed_post": "x", "reason": "y"},
     "official_id", "王建国已在本次会议议程中，每名干部只列一个议题。"),
    ({"official_id": "孙立新", "action": "coronation", "proposed_post": "x", "reason": "y"},
     "action", "未知的任免事项“coronation”，请从列表中选择。"),
    ({"official_id": "孙立新", "action": "promote", "proposed_post": "", "reason": "y"},
     "proposed_post", "请填写拟任职务（免职、退休可不填）。"),
    ({"official_id": "孙立新", "action": "promote", "proposed_post": "x", "reason": ""},
     "reason", "请填写任免理由。"),
])
def test_bad_agenda_items(make, auth, data, field, message):
    d, _it, _outsider = _setup()
    make.commit()
    page = _post(auth, f"/discussions/{d.id}/items/new", data)
    assert field_errors(page, field) == [message]


def test_same_name_needs_the_id(make, auth):
    d, _it, _outsider = _setup()
    twin_a, twin_b = s.f.official(name="刘洋"), s.f.official(name="刘洋")
    make.commit()
    page = _post(auth, f"/discussions/{d.id}/items/new",
                 {"official_id": "刘洋", "action": "promote", "proposed_post": "x",
                  "reason": "y"})
    [error] = field_errors(page, "official_id")
    assert "不止一人" in error and str(twin_a.id) in error and str(twin_b.id) in error


@pytest.mark.parametrize("data,field,message", [
    ({"kind": "party", "date": "2020-04-10", "title": "t", "member_names": "甲"}, "kind",
     "未知的会议类型“party”，请从列表中选择。"),
    ({"kind": "standing", "date": "2020-13-01", "title": "t", "member_names": "甲"}, "date",
     "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
    ({"kind": "standing", "date": "2020-04-10", "title": "t", "member_names": " \n、 "},
     "member_names", "请填写应到会成员，每行一人。"),
    ({"kind": "standing", "date": "2020-04-10", "title": "", "member_names": "甲"}, "title",
     "请填写会议名称。"),
])
def test_bad_discussions(make, auth, data, field, message):
    make.commit()
    page = _post(auth, "/discussions/new", data)
    assert field_errors(page, field) == [message]


@pytest.mark.parametrize("data,field,message", [
    ({"result": "pending", "checked_by": "刘科长", "checked_on": "2020-04-01", "note": ""},
     "note", "发现问题的，请写明问题及核查情况。"),
    ({"result": "clear", "checked_by": "刘科长", "checked_on": "2999-01-01", "note": ""},
     "checked_on", "日期不能晚于今天。"),
    ({"result": "perfect", "checked_by": "刘科长", "checked_on": "2020-04-01", "note": ""},
     "result", "未知的核查结果“perfect”，请从列表中选择。"),
])
def test_bad_checks(make, auth, data, field, message):
    d, it, _outsider = _setup()
    make.commit()
    page = _post(auth, f"/discussions/{d.id}/items/{it.id}/checks/file_audit", data)
    assert field_errors(page, field) == [message]


def test_a_new_check_is_proposed_as_done_today_by_the_user(make, auth):
    """A check not yet recorded: 核查人 and 核查日期 filled with the signed-in user's name and
    today (editable), 核查结果 left to choose; a recorded one shows what was saved."""
    d = s.discussion()
    it = s.item(d, s.official(name="王建国"))
    make.commit()
    client = auth.as_role("organization")
    url = f"/discussions/{d.id}/items/{it.id}/checks/file_audit"
    page = text(client.get(url))
    name = input_value(page, "checked_by")
    assert name and f"<span>{name}（" in page  # the signed-in user, as the header names them
    assert input_value(page, "checked_on") == clock.today().isoformat()
    assert [o for o in select_options(page, "result") if o[2]] in ([], [("", "请选择", True)])
    r = client.post(url, data={"result": "clear", "checked_by": "刘科长",
                               "checked_on": "2020-04-01", "note": ""})
    assert r.status_code == 302
    page = text(client.get(url))
    assert (input_value(page, "checked_by"), input_value(page, "checked_on")) == (
        "刘科长", "2020-04-01")


def test_integrity_opinion_is_not_entered_by_hand(make, auth):
    d, it, _outsider = _setup()
    make.commit()
    client = auth.as_role("organization")
    assert client.get(f"/discussions/{d.id}/items/{it.id}/checks/integrity_opinion"
                      ).status_code == 404


@pytest.mark.parametrize("data,field,message", [
    ({"decision": "approve", "votes_for": "-1", "votes_against": "0", "votes_abstain": "0"},
     "votes_for", None),
    ({"decision": "approve", "votes_for": "", "votes_against": "0", "votes_abstain": "0"},
     "votes_for", "请填写票数（没有填 0）。"),
    ({"decision": "maybe", "votes_for": "1", "votes_against": "0", "votes_abstain": "0"},
     "decision", "未知的决定，请从列表中选择。"),
])
def test_bad_decisions(make, auth, data, field, message):
    d, it, _outsider = _setup()
    decisions.hold(d, [m.id for m in d.members])
    make.commit()
    page = _post(auth, f"/discussions/{d.id}/items/{it.id}/decide", data)
    errors = field_errors(page, field)
    assert errors and (message is None or errors == [message])


def test_decide_before_held(make, auth):
    d, it, _outsider = _setup()
    make.commit()
    page = _post(auth, f"/discussions/{d.id}/items/{it.id}/decide",
                 {"decision": "approve", "votes_for": "6", "votes_against": "0",
                  "votes_abstain": "0"})
    assert field_errors(page, "decision") == ["会议尚未召开（未标记为已召开），不能记录决定。"]


def test_unknown_ids_are_404(make, auth):
    d, it, _outsider = _setup()
    make.commit()
    client = auth.as_role("organization")
    assert client.get("/discussions/999999").status_code == 404
    assert client.get(f"/discussions/{d.id}/items/999999").status_code == 404
    assert client.get(f"/discussions/{d.id}/items/{it.id}/dossiers/7.pdf").status_code == 404
    assert client.get(f"/discussions/{d.id}/bundle.pdf").status_code == 404
