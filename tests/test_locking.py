"""Optimistic locking: a stale edit is refused with the newer values, never saved over them.

Each case opens an edit form, lets "another user" save a change to the same record,
then submits the stale form with a change of its own: the page must refuse it, show
the other user's value, keep the database as the other user left it, and accept the
same submission once re-sent with the version the refusal page carries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Callable

import pytest
from sqlalchemy import text as sql

from kaohe.core import locking
from kaohe.extensions import db
from tests import discipline_support as ds
from tests import discussions_support as dsup
from tests import factories
from tests import ua_helpers as ua
from tests.helpers import build_world, form_alerts, form_version, table_counts, text

NEWER = "他人刚保存的值"


class _FormValues(HTMLParser):
    """name → value of the first POST form's fields, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, object] = {}
        self._in_form = self._done = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and a.get("method", "").lower() == "post" and "logout" not in a.get("action", ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value", "y"))
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_values(client, url: str) -> dict:
    parser = _FormValues()
    parser.feed(client.get(url).get_data(as_text=True))
    return parser.values


@dataclass
class Case:
    role: str
    build: Callable[[], tuple[str, object]]  # → (edit url, record)
    field: str          # a field both users change
    theirs: object      # the other user's value (set on the record)
    mine: str           # this user's value (typed into the form)
    shown: str = NEWER  # how the other user's value is displayed


def _world_record(kind: str):
    def build():
        w = build_world()
        record = {"posts": w.post, "results": w.result, "reviews": w.review,
                  "notes": w.note}[kind]
        return f"/officials/{w.official.id}/{kind}/{record.id}/edit", record
    return build


def _official():
    w = build_world()
    return f"/officials/{w.official.id}/edit", w.official


def _unit():
    w = build_world()
    return f"/units/{w.district.id}/edit", w.district


def _finding():
    o = factories.official(name="王建国", unit_obj=factories.unit(name="东城区"))
    f = ds.finding(o)
    return f"/officials/{o.id}/discipline/findings/{f.id}/edit", f


def _scheme():
    s = ua.scheme(publish=False)
    return f"/unit-assessment/schemes/{s.id}/edit", s


def _indicator():
    s = ua.scheme(publish=False)
    ind = s.indicators[0]
    return f"/unit-assessment/schemes/{s.id}/indicators/{ind.id}/edit", ind


def _discussion():
    d = dsup.discussion()
    return f"/discussions/{d.id}/edit", d


def _item():
    d = dsup.discussion()
    it = dsup.item(d, dsup.official())
    return f"/discussions/{d.id}/items/{it.id}/edit", it


def _check():
    d = dsup.discussion()
    it = dsup.item(d, dsup.official())
    dsup.check(d, it, "file_audit", note="原核查情况")
    return f"/discussions/{d.id}/items/{it.id}/checks/file_audit", it.check("file_audit")


def _user():
    user = dsup.user("reviewer")
    return f"/admin/users/{user.id}/edit", user


CASES = {
    "official": Case("organization", _official, "current_post", NEWER, "我改的职务"),
    "post": Case("organization", _world_record("posts"), "title", NEWER, "我改的职务"),
    "result": Case("organization", _world_record("results"), "comment", NEWER, "我改的评语"),
    "review": Case("organization", _world_record("reviews"), "strengths", NEWER, "我改的优点"),
    "note": Case("organization", _world_record("notes"), "content", NEWER, "我改的内容"),
    "unit": Case("admin", _unit, "leader_in_charge", NEWER, "我改的分管领导"),
    "finding": Case("discipline", _finding, "summary", NEWER, "我改的摘要"),
    "scheme": Case("assessment", _scheme, "name", NEWER, "我改的方案名"),
    "indicator": Case("assessment", _indicator, "name", NEWER, "我改的指标名"),
    "discussion": Case("organization", _discussion, "title", NEWER, "我改的会议名"),
    "item": Case("organization", _item, "reason", NEWER, "我改的理由"),
    "check": Case("organization", _check, "note", NEWER, "我改的核查情况"),
    "user": Case("admin", _user, "display_name", NEWER, "我改的姓名"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_stale_edit_is_refused_with_the_newer_values(client, auth, make, name):
    case = CASES[name]
    url, record = case.build()
    make.commit()
    auth.login(case.role)
    stale = form_values(client, url)
    assert stale["version"] == str(record.version)

    setattr(record, case.field, case.theirs)  # another user saves first
    db.session.commit()
    newer_version = record.version
    assert newer_version == int(stale["version"]) + 1

    before = table_counts()
    response = client.post(url, data={**stale, case.field: case.mine})
    page = text(response)
    assert response.status_code == 200, page[:2000]
    [alert] = form_alerts(page)
    assert "该记录已被他人修改" in alert and "未保存您的修改" in alert
    # The newer value is shown in the conflict table and under the field.
    assert re.search(rf"<td>{re.escape(case.shown)}</td>", page), page[:3000]
    assert f"当前保存的值：{case.shown}" in page
    assert f'name="version" type="hidden" value="{newer_version}"' in page
    assert case.mine in page  # what the user typed is kept for them to reconcile
    assert table_counts() == before, "a refused edit saves nothing"
    db.session.expire_all()
    assert getattr(record, case.field) == case.theirs and record.version == newer_version

    # Re-sent with the version of the refusal page: a conscious decision, saved.
    response = client.post(url, data={**stale, case.field: case.mine,
                                      "version": str(newer_version)})
    assert response.status_code == 302, text(response)[:3000]
    db.session.expire_all()
    assert getattr(record, case.field) == case.mine and record.version == newer_version + 1


def test_change_by_another_user_to_fields_not_submitted_differently_is_no_conflict(
        client, auth, make):
    """The record moved on, but every submitted value already equals the stored one."""
    url, review = _world_record("reviews")()
    make.commit()
    auth.login()
    stale = form_values(client, url)
    review.strengths = NEWER
    db.session.commit()
    response = client.post(url, data={**stale, "strengths": NEWER})
    assert response.status_code == 302
    db.session.expire_all()
    assert review.strengths == NEWER


def test_missing_version_is_refused(client, auth, make):
    url, review = _world_record("reviews")()
    make.commit()
    auth.login()
    data = {k: v for k, v in form_values(client, url).items() if k != "version"}
    before = table_counts()
    page = text(client.post(url, data={**data, "strengths": "脚本改的"}))
    assert locking.MISSING_MESSAGE in " ".join(form_alerts(page))
    assert table_counts() == before


@pytest.mark.parametrize("version", ["abc", "-1", "0", "1.5", "99999999999", "１"])
def test_malformed_version_is_treated_as_missing(client, auth, make, version):
    url, review = _world_record("reviews")()
    make.commit()
    auth.login()
    data = {**form_values(client, url), "version": version, "strengths": "改了"}
    page = text(client.post(url, data=data))
    assert locking.MISSING_MESSAGE in " ".join(form_alerts(page))
    db.session.expire_all()
    assert review.strengths != "改了"


def test_write_racing_another_between_read_and_flush_is_refused(client, auth, make,
                                                                 monkeypatch):
    """A concurrent commit after the version check still cannot be overwritten
    (the UPDATE's version condition matches no row)."""
    from kaohe.core import records

    url, review = _world_record("reviews")()
    make.commit()
    auth.login()
    data = form_values(client, url)
    original = records.save

    def racing(model, obj, values, **fixed):
        # Another request commits its change between our version check and our flush.
        db.session.execute(sql("UPDATE review SET version = version + 1, strengths = :s "
                               "WHERE id = :id"), {"s": NEWER, "id": obj.id})
        return original(model, obj, values, **fixed)

    monkeypatch.setattr(records, "save", racing)
    before = table_counts()
    response = client.post(url, data={**data, "strengths": "我改的"})
    page = text(response)
    assert response.status_code == 200
    assert locking.RACE_MESSAGE in " ".join(form_alerts(page))
    assert table_counts() == before
    db.session.expire_all()
    assert review.strengths != "我改的"


def test_settings_page_is_locked_by_its_revision(client, auth, make):
    auth.login("admin")
    stale = form_values(client, "/admin/settings")
    ds.set_setting("dossier.window_years", 4)  # another admin saves first
    db.session.commit()
    response = client.post("/admin/settings", data={**stale, "dossier__window_years": "5"})
    page = text(response)
    assert "该记录已被他人修改" in " ".join(form_alerts(page))
    assert re.search(r"<td>4</td>", page)
    from kaohe.settings import services as settings

    assert settings.get("dossier.window_years") == 4


# ---- JSON API ------------------------------------------------------------------------

def _bearer(make, role="organization") -> dict:
    from kaohe.auth import services as auth_services

    token = auth_services.create_token(dsup.user(role))
    make.commit()
    return {"Authorization": f"Bearer {token}"}


def test_api_put_requires_the_version_and_refuses_stale_writes(client, make):
    w = build_world()
    o = w.official
    headers = _bearer(make)
    url = f"/api/v1/officials/{o.id}"
    read = client.get(url, headers=headers).get_json()
    assert read["version"] == o.version

    response = client.put(url, json={"current_post": "脚本改的"}, headers=headers)
    assert response.status_code == 400
    assert "version" in response.get_json()["fields"]

    o.current_post = NEWER  # another user saves first
    db.session.commit()
    before = table_counts()
    response = client.put(url, json={"current_post": "我改的", "version": read["version"]},
                          headers=headers)
    body = response.get_json()
    assert response.status_code == 409, body
    assert body["version"] == read["version"] + 1
    assert body["changes"] == {"current_post": NEWER}
    assert "已被他人修改" in body["error"]
    assert table_counts() == before

    response = client.put(url, json={"current_post": "我改的", "version": body["version"]},
                          headers=headers)
    assert response.status_code == 200 and response.get_json()["version"] == body["version"] + 1
    db.session.expire_all()
    assert o.current_post == "我改的"


def test_versions_start_at_one_and_count_updates(make):
    w = build_world()
    assert w.review.version == 1
    w.review.strengths = "一"
    db.session.flush()
    w.review.strengths = "二"
    db.session.flush()
    assert w.review.version == 3
    w.review.soft_delete()
    db.session.flush()
    assert w.review.version == 4


def test_the_audit_log_leaves_the_counter_out(make):
    from sqlalchemy import select

    from kaohe.audit.models import AuditLog

    w = build_world()
    w.review.strengths = "改了"
    db.session.commit()  # audit entries join the chain at commit
    row = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "review")
                             .order_by(AuditLog.id.desc())).first()
    assert row.after == {"strengths": "改了"}


def test_discussion_member_change_moves_the_version(make):
    from kaohe.discussions.services import agenda

    d = dsup.discussion()
    db.session.flush()
    v = d.version
    agenda.save_discussion(d, {"kind": d.kind, "date": d.date, "title": d.title,
                               "member_names": "甲\n乙"})
    assert d.version == v + 1
