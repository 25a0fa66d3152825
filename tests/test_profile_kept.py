"""The profile page's body kept between views (kaohe.officials.profile_page, issue 17):
always the page a fresh rendering gives.

A committed write of anything the body shows (the official, a post, a unit's name, a
result, a review, a note, a finding, an exemption, an opinion, a setting) renders it
again; sign-ins and downloads keep it; each day and set of permissions has its own
body; the CSRF token of its forms is the viewer's own; the watched tables cover every
statement the body reads. Also what the page reads besides the body, kept the same way:
the recusal set and the session limits.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event

from kaohe.audit.services import record_event
from kaohe.auth import links
from kaohe.auth import services as auth_services
from kaohe.core import clock
from kaohe.extensions import db
from kaohe.interop.models import AppointmentSheet
from kaohe.officials import profile_page
from tests import discipline_support as ds
from tests import factories
from tests.helpers import text

D = dt.date
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')


@pytest.fixture
def rendered(monkeypatch):
    """The official ids whose body was rendered (not answered from what was kept)."""
    seen = []
    real = profile_page._kept.get

    def get(key, compute, now, checked=None):
        return real(key, lambda: seen.append(key[0]) or compute(), now, checked)

    monkeypatch.setattr(profile_page._kept, "get", get)
    return seen


@pytest.fixture
def official(make):
    profile_page.clear()
    unit = make.unit(name="缓存测试区")
    o = make.official(name="缓存甲", unit_obj=unit)
    make.post(o, unit, start=D(2020, 1, 1))
    make.result(o, 2024, grade="excellent")
    make.review(o, date=D(2024, 6, 1))
    make.note(o, date=D(2024, 3, 1))
    make.commit()  # audit entries join the chain at commit: bodies are kept from then
    yield o
    profile_page.clear()


def page(client, o) -> str:
    response = client.get(f"/officials/{o.id}")
    assert response.status_code == 200
    return text(response)


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrf_token" value=""', html)


def test_a_second_view_is_the_kept_body(client, auth, official, rendered):
    auth.as_role("organization")
    first, second = page(client, official), page(client, official)
    assert rendered == [official.id]
    assert without_tokens(first) == without_tokens(second)
    assert "缓存甲" in first and "2024 年" in first and "缓存测试区" in first


def _result(o):
    factories.result(o, 2025, grade="excellent", comment="新录入的年度评语")
    return "新录入的年度评语"


def _review(o):
    factories.review(o, date=D(2025, 5, 1), summary="新研判的综合意见")
    return "新研判的综合意见"


def _note(o):
    factories.note(o, date=D(2025, 2, 1), content="新掌握的情况")
    return "新掌握的情况"


def _rename(o):
    o.name = "缓存乙"  # an ORM update: audited at flush like every service's
    db.session.flush()
    return "缓存乙"


def _post(o):
    factories.post(o, o.unit, start=D(2010, 1, 1), end=D(2012, 1, 1), title="新任职务名")
    return "新任职务名"


def _unit(o):
    o.unit.name = "改名后的区"
    db.session.flush()
    return "改名后的区"


def _finding(o):
    ds.finding(o, summary="新的纪律情况")
    return "共 1 条记录"


def _opinion(o):
    ds.opinion(o, requested=clock.today(), outcome=1, answered=clock.today())
    return "有效期至"


def _sheet(o):
    db.session.add(AppointmentSheet(official_id=o.id, health="健康状况良好"))
    db.session.flush()
    return "健康状况良好"


@pytest.mark.parametrize("write", [_result, _review, _note, _rename, _post, _unit, _finding,
                                   _opinion, _sheet])
def test_a_write_the_body_shows_is_seen(client, auth, official, rendered, write):
    auth.as_role("organization")
    page(client, official)
    shown = write(official)
    db.session.commit()
    assert shown in page(client, official)
    assert rendered == [official.id, official.id]


def test_sign_ins_and_downloads_keep_the_body(client, auth, official, rendered):
    auth.as_role("organization")
    page(client, official)
    record_event("download", "official", official.id, {"what": "dossier"})
    db.session.commit()
    auth.logout()
    auth.as_role("organization")  # a login event (entity "user")
    page(client, official)
    assert rendered == [official.id]


def test_a_setting_written_renders_again(client, auth, official, rendered):
    auth.as_role("organization")
    page(client, official)
    ds.set_setting("security.idle_timeout_minutes", 45)
    db.session.commit()
    page(client, official)
    assert rendered == [official.id, official.id]


def test_each_set_of_permissions_has_its_own_body(client, auth, official, rendered):
    auth.as_role("organization")
    assert "修改</a>" in page(client, official)
    auth.logout()
    auth.as_role("discipline")
    shown = page(client, official)
    assert "修改</a>" not in shown and "/delete" not in shown and "缓存甲" in shown
    assert rendered == [official.id, official.id]


def test_each_day_has_its_own_body(client, auth, official, rendered, monkeypatch):
    auth.as_role("organization")
    today = clock.today()
    assert f'value="{today.isoformat()}"' in page(client, official)
    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    shown = page(client, official)
    assert f'value="{tomorrow.isoformat()}"' in shown
    assert f'value="{today.isoformat()}"' not in shown
    assert rendered == [official.id, official.id]


def test_a_deleted_official_is_not_found(client, auth, official):
    auth.as_role("organization")
    page(client, official)
    assert client.post(f"/officials/{official.id}/delete").status_code == 302
    assert client.get(f"/officials/{official.id}").status_code == 404


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _login(client, username: str) -> None:
    token = TOKEN.search(text(client.get("/login"))).group(1)
    response = client.post("/login", data={"username": username, "csrf_token": token,
                                           "password": "test-password-123"})
    assert response.status_code == 302


def test_the_forms_of_a_kept_body_carry_the_viewers_own_token(app, official, rendered,
                                                               csrf_on):
    auth_services.create_user("organization2", "organization", "test-password-123")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    _login(first, "organization")
    tokens_first = set(TOKEN.findall(page(first, official)))
    _login(second, "organization2")
    shown = page(second, official)
    tokens_second = set(TOKEN.findall(shown))
    assert rendered == [official.id]  # the second user was shown the kept body
    assert "kaohe-csrf-token" not in shown
    assert len(tokens_second) == 1 and tokens_second.isdisjoint(tokens_first)
    result_delete = re.search(r'action="(/officials/\d+/results/\d+/delete)"', shown).group(1)
    response = second.post(result_delete, data={"csrf_token": tokens_second.pop()})
    assert response.status_code == 302  # accepted: the token is this session's
    assert "grade-excellent" not in page(second, official)


def test_the_watched_tables_cover_what_the_body_reads(client, auth, official, monkeypatch):
    finding = ds.finding(official)
    ds.exempt(finding)
    ds.opinion(official, requested=clock.today(), outcome=1, answered=clock.today())
    db.session.add(AppointmentSheet(official_id=official.id, health="健康"))
    db.session.commit()
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    real = profile_page._kept.get

    def get(key, compute, now, checked=None):
        def listened():
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                return compute()
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
        return real(key, listened, now, checked)

    monkeypatch.setattr(profile_page._kept, "get", get)
    for role in ("organization", "discipline"):
        auth.as_role(role)
        page(client, official)
        auth.logout()
    tables = {t for stmt in seen
              for t in re.findall(r'(?:FROM|JOIN)\s+"?([a-z_]+)"?', stmt, re.IGNORECASE)}
    assert {"official", "assessment_result", "discipline_finding", "integrity_opinion"} <= tables
    assert tables <= profile_page.TABLES, tables - profile_page.TABLES


def test_a_relative_declared_later_is_recused_at_once(client, auth, official):
    auth.as_role("organization")
    assert client.get(f"/officials/{official.id}").status_code == 200
    links.add_relative(ds.user("organization"), official.id, "配偶")
    db.session.commit()
    assert client.get(f"/officials/{official.id}").status_code == 403


def _seen_minutes_ago(client, minutes: int) -> None:
    with client.session_transaction() as s:
        s["_kaohe_seen_at"] -= minutes * 60
        s["_kaohe_login_at"] -= minutes * 60


def test_a_shorter_idle_timeout_applies_to_open_sessions(client, auth, official):
    auth.as_role("organization")
    _seen_minutes_ago(client, 10)
    page(client, official)  # within the 30 minutes allowed (the limits read and kept)
    _seen_minutes_ago(client, 10)
    ds.set_setting("security.idle_timeout_minutes", 5)
    db.session.commit()
    response = client.get(f"/officials/{official.id}")
    assert response.status_code == 302 and "/login" in response.location


def test_a_kept_page_reads_the_position_with_the_signed_in_user(client, auth, official,
                                                                  rendered):
    """A kept page costs one statement: the user by session token, with the audit
    position (kaohe.audit.kept.with_position); a write by another request is still seen."""
    auth.as_role("organization")
    page(client, official)
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page(client, official)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert rendered == [official.id]
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    assert re.search(r'FROM\s+"?user"?\b', reads[0]) and "audit_log" in reads[0]
    _rename(official)
    db.session.commit()
    assert "缓存乙" in page(client, official)
    assert rendered == [official.id, official.id]
