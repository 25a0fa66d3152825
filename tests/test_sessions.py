"""Sessions and login (issue 7): timeouts, fresh session at login, password change,
「结束会话」, cookie flags, brute-force protection, password rules."""
from __future__ import annotations

import datetime
import time

import pytest
from flask import Flask
from sqlalchemy import select

from kaohe import create_app
from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.auth import sessions, throttle
from kaohe.auth.models import User
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.settings import services as settings_services
from tests.conftest import PASSWORD
from tests.helpers import field_errors, form_alerts, text


def _last_audit():
    return db.session.scalars(select(AuditLog).order_by(AuditLog.seq.desc())).first()


def _age_session(client, **seconds):
    with client.session_transaction() as s:
        for key, value in seconds.items():
            s[key] = s[key] - value


def test_login_starts_a_new_session(client, auth):
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    auth.login("organization")
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s[sessions.LOGIN_AT] and s[sessions.SEEN_AT]


def test_idle_timeout(client, auth):
    auth.login("organization")
    assert client.get("/home").status_code == 200
    _age_session(client, **{sessions.SEEN_AT: 31 * 60})
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "会话已超时" in text(client.get("/login"))
    assert client.get("/home").status_code == 302  # the session is gone


def test_absolute_timeout_even_when_active(client, auth):
    auth.login("organization")
    _age_session(client, **{sessions.LOGIN_AT: 8 * 3600 + 5})
    assert client.get("/home").status_code == 302


def test_timeouts_are_settings(client, auth, ctx):
    settings_services.set_value("security.idle_timeout_minutes", 120)
    db.session.commit()
    auth.login("organization")
    _age_session(client, **{sessions.SEEN_AT: 31 * 60})
    assert client.get("/home").status_code == 200


def test_activity_keeps_the_session(client, auth):
    auth.login("organization")
    _age_session(client, **{sessions.SEEN_AT: 20 * 60})
    assert client.get("/home").status_code == 200
    _age_session(client, **{sessions.SEEN_AT: 20 * 60})  # 20 min after the last request
    assert client.get("/home").status_code == 200


def test_copied_cookie_dies_with_logout(app, client, auth):
    auth.login("organization")
    cookie = client.get_cookie("session").value
    other = app.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/home").status_code == 200
    auth.logout()
    assert other.get("/home").status_code == 302


def test_admin_ends_sessions(app, client, auth):
    auth.login("organization")
    admin = app.test_client()
    admin.post("/login", data={"username": "admin", "password": PASSWORD})
    target = db.session.scalar(select(User).where(User.username == "organization"))
    assert "结束会话" in text(admin.get("/admin/users"))
    response = admin.post(f"/admin/users/{target.id}/end-sessions")
    assert response.status_code == 302
    assert "已结束用户 organization 的全部会话" in text(admin.get("/admin/users"))
    assert client.get("/home").status_code == 302
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "sessions_ended")).one()
    assert (log.entity_id, log.actor_name) == (target.id, "admin")


def test_password_change(app, client, auth):
    auth.login("organization")
    other = app.test_client()
    other.post("/login", data={"username": "organization", "password": PASSWORD})
    page = text(client.get("/account/password"))
    assert 'id="current_password"' in page
    r = client.post("/account/password", data={"current_password": "wrong-one-123",
                                               "new_password": "x", "confirm": "x"})
    assert field_errors(text(r), "current_password") == ["当前密码不正确。"]
    r = client.post("/account/password", data={"current_password": PASSWORD,
                                               "new_password": "password123",
                                               "confirm": "password123"})
    assert "过于常见" in field_errors(text(r), "new_password")[0]
    r = client.post("/account/password", data={"current_password": PASSWORD,
                                               "new_password": "一段足够长的新密码 2024",
                                               "confirm": "不一样"})
    assert field_errors(text(r), "confirm") == ["两次输入的新密码不一致。"]
    new = "一段足够长的新密码 2024"
    r = client.post("/account/password", data={"current_password": PASSWORD,
                                               "new_password": new, "confirm": new})
    assert r.status_code == 302
    assert client.get("/home").status_code == 200  # this browser continues
    assert other.get("/home").status_code == 302   # every other session ended
    assert _last_audit().action == "password_changed"
    user = db.session.scalar(select(User).where(User.username == "organization"))
    assert auth_services.verify_password(user, new)


def test_cookie_flags(client, auth):
    response = auth.login("organization")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "remember_token" not in str(response.headers)


def test_secure_cookie_over_https(tmp_path, monkeypatch):
    monkeypatch.setenv("KAOHE_HTTPS", "1")
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_account_lockout(client, auth):
    for _ in range(5):
        r = auth.login("organization", "wrong-password-x")
        assert "用户名或密码错误" in text(r)
    r = auth.login("organization")  # even the right password, while locked
    assert r.status_code == 429
    assert form_alerts(text(r)) == [
        "<p>登录失败次数过多，该账户或本机地址已被暂时锁定，请 15 分钟后再试；如需立即解除，请联系系统管理员。</p>"]
    assert _last_audit().action == "login_locked"
    assert client.get("/home").status_code == 302
    # Another account from the same address is not locked by five failures.
    assert auth.login("discipline").status_code == 302


def test_address_lockout(client, auth, ctx):
    settings_services.set_value("security.lockout_address_failures", 3)
    db.session.commit()
    for name in ("a1", "a2", "a3"):
        auth.login(name, "whatever-pass-1")
    assert auth.login("organization").status_code == 429


def test_lockout_expires(client, auth, ctx):
    for _ in range(5):
        auth.login("organization", "wrong-password-x")
    for row in db.session.scalars(select(throttle.LoginLimit)):
        row.window_start -= datetime.timedelta(minutes=16)
    db.session.commit()
    assert auth.login("organization").status_code == 302


def test_lockout_holds_across_processes(app, auth):
    """The counts live in the database: a second client (worker) sees them."""
    for _ in range(5):
        auth.login("organization", "wrong-password-x")
    other = app.test_client()
    assert other.post("/login", data={"username": "organization",
                                      "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize("password,ok", [
    ("short7!", False), ("12345678", False), ("Password", False), ("woaini1314", False),
    ("aaaaaaaaaaaa", False), ("organization", False), ("x" * 129, False),
    ("correct horse battery staple", True), ("考核系统的长密码短语", True), ("k" * 3 + "9Zq!x#2", True),
    ("p" + "a1b2" * 31 + "z", True),  # 126 characters
])
def test_password_rules(ctx, password, ok):
    if ok:
        auth_services.check_password_rules(password, "organization")
    else:
        with pytest.raises(ValidationFailed):
            auth_services.check_password_rules(password, "organization")


def test_common_list_is_shipped():
    words = auth_services.common_passwords()
    assert len(words) > 500 and "password" in words and "woaini1314" in words
