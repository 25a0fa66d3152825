"""Members of a discussion chosen from saved member lists and from users (issue 14.4);
typed names stay possible (most committee members have no account)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.discussions.member_list_models import MemberList
from kaohe.discussions.models import Discussion
from kaohe.extensions import db
from tests import discussions_support as s
from tests.helpers import field_errors, form_version, select_options, table_counts, text


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_list_from_names_and_users_in_order(make, auth):
    client = auth.as_role("organization")
    reviewer = _user("reviewer")
    r = client.post("/discussions/member-lists/new", data={
        "name": "常委会组成人员", "member_names": "李书记\n张市长、王部长\n李书记",
        "user_ids": [str(reviewer.id)]})
    assert r.status_code == 302
    saved = db.session.scalar(select(MemberList))
    assert saved.names == ["李书记", "张市长", "王部长", reviewer.name]
    assert [e.user_id for e in saved.entries] == [None, None, None, reviewer.id]
    page = text(client.get("/discussions/member-lists/"))
    assert f'李书记、张市长、王部长、{reviewer.name}<span class="muted">（reviewer）</span>' in page
    # Edit: the user unticked stays as a name, unlinked; order follows the text.
    url = f"/discussions/member-lists/{saved.id}/edit"
    edit = text(client.get(url))
    assert "李书记\n张市长\n王部长</textarea>" in edit
    assert re.search(r'<input checked[^>]*name="user_ids"[^>]*value="%d"' % reviewer.id, edit)
    r = client.post(url, data={"name": "常委会组成人员", "member_names": f"王部长\n{reviewer.name}\n李书记",
                               **form_version(client, url)})
    assert r.status_code == 302
    db.session.expire_all()
    saved = db.session.get(MemberList, saved.id)
    assert saved.names == ["王部长", reviewer.name, "李书记"]
    assert [e.user_id for e in saved.entries] == [None, None, None]


@pytest.mark.parametrize("data,field,message", [
    ({"name": "", "member_names": "甲"}, "name", "请填写名单名称。"),
    ({"name": "名" * 65, "member_names": "甲"}, "name", None),
    ({"name": "空名单", "member_names": " \n、"}, "member_names", "请至少填写或选择一名成员。"),
    ({"name": "过多", "member_names": "\n".join(f"成员{i}" for i in range(61))},
     "member_names", "成员最多 60 人。"),
    ({"name": "六十人", "member_names": "\n".join(f"成员{i}" for i in range(60)) + "\n" + "长" * 65},
     "member_names", "成员最多 60 人。"),
    ({"name": "长名", "member_names": "长" * 65}, "member_names", "成员姓名过长（每人不超过 64 字）。"),
    ({"name": "常委会组成人员", "member_names": "甲"}, "name", "已有名为“常委会组成人员”的名单。"),
    ({"name": "坏用户", "member_names": "甲", "user_ids": ["999999"]}, "user_ids",
     "所选用户不存在或已停用，请重新选择。"),
])
def test_bad_lists_are_refused_with_nothing_saved(make, auth, data, field, message):
    from kaohe.discussions import member_lists

    member_lists.save_list(None, {"name": "常委会组成人员", "member_names": "李书记"})
    make.commit()
    client = auth.as_role("organization")
    before = table_counts()
    r = client.post("/discussions/member-lists/new", data=data)
    assert r.status_code == 200
    errors = field_errors(text(r), field)
    assert errors and (message is None or errors == [message])
    assert table_counts() == before


def test_sixty_members_is_the_limit(make):
    from kaohe.discussions import member_lists

    saved = member_lists.save_list(None, {"name": "大名单", "member_names": "\n".join(
        f"成员{i}" for i in range(60))})
    assert len(saved.entries) == 60 and saved.entries[-1].position == 59


def test_discussion_members_from_a_list_users_and_typed_names(make, auth):
    from kaohe.discussions import member_lists

    lst = member_lists.save_list(None, {"name": "常委会组成人员",
                                        "member_names": "李书记\n张市长\n王部长"})
    make.commit()
    client = auth.as_role("organization")
    page = text(client.get("/discussions/new"))
    options = select_options(page, "member_list_id")
    assert options[0][:2] == ("", "（不套用）") and not any(sel for *_, sel in options[1:])
    assert (str(lst.id), "常委会组成人员（3 人）", False) in options
    reviewer = _user("reviewer")
    r = client.post("/discussions/new", data={
        "kind": "standing", "date": "2020-02-29", "title": "2020年第2次常委会",
        "member_names": "赵秘书长\n张市长", "member_list_id": str(lst.id),
        "member_user_ids": [str(reviewer.id)]})
    assert r.status_code == 302
    d = db.session.scalar(select(Discussion))
    assert [m.name for m in d.members] == ["赵秘书长", "张市长", "李书记", "王部长", reviewer.name]
    # Free text alone still works; a list applied on edit adds its names.
    url = f"/discussions/{d.id}/edit"
    r = client.post(url, data={"kind": "standing", "date": "2020-02-29",
                               "title": "2020年第2次常委会", "member_names": "甲\n乙",
                               **form_version(client, url)})
    assert r.status_code == 302
    db.session.expire_all()
    assert [m.name for m in db.session.get(Discussion, d.id).members] == ["甲", "乙"]


@pytest.mark.parametrize("extra,field", [({"member_list_id": "999999"}, "member_list_id"),
                                         ({"member_list_id": "abc"}, "member_list_id"),
                                         ({"member_user_ids": ["999999"]}, "member_user_ids")])
def test_unknown_list_or_user_refused(make, auth, extra, field):
    client = auth.as_role("organization")
    before = table_counts()
    r = client.post("/discussions/new", data={"kind": "standing", "date": "2020-02-29",
                                              "title": "会", "member_names": "甲", **extra})
    assert r.status_code == 200 and field_errors(text(r), field)
    assert table_counts() == before


def test_deleted_list_is_no_longer_offered_and_members_stay(make, auth):
    from kaohe.discussions import member_lists

    lst = member_lists.save_list(None, {"name": "旧名单", "member_names": "李书记"})
    d = s.discussion(members=lst.names)
    make.commit()
    client = auth.as_role("organization")
    assert client.post(f"/discussions/member-lists/{lst.id}/delete").status_code == 302
    assert all("旧名单" not in label
               for _v, label, _s in select_options(text(client.get("/discussions/new")),
                                                   "member_list_id"))
    assert client.get(f"/discussions/member-lists/{lst.id}/edit").status_code == 404
    assert [m.name for m in db.session.get(Discussion, d.id).members] == ["李书记"]
