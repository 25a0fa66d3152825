"""The optional e-mail digest of the to-dos (issue 14.1): opt-in page, off by default,
one message a day per subscribed user with something to do, through an SMTP client
(here a local sink that keeps what it was given)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth.models import User
from kaohe.discipline import services as discipline
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.todos import digest
from kaohe.todos import settings as cfg
from kaohe.todos.models import TodoDigest
from tests.helpers import field_errors, text


class Sink:
    """An smtplib.SMTP stand-in that records the connection and every message."""
    sessions: list[dict] = []

    def __init__(self, host, port, timeout=None):
        self.session = {"host": host, "port": port, "tls": False, "login": None, "sent": []}
        Sink.sessions.append(self.session)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        self.session["tls"] = True

    def login(self, user, password):
        self.session["login"] = (user, password)

    def send_message(self, msg):
        self.session["sent"].append(msg)


@pytest.fixture
def smtp(app):
    Sink.sessions = []
    app.config.update(KAOHE_SMTP_HOST="mail.example.gov.cn", KAOHE_SMTP_PORT=587,
                      KAOHE_SMTP_FROM="kaohe@example.gov.cn", KAOHE_SMTP_STARTTLS=True,
                      KAOHE_SMTP_USER="kaohe", KAOHE_SMTP_PASSWORD="secret")
    yield Sink
    for key in ("KAOHE_SMTP_HOST", "KAOHE_SMTP_FROM", "KAOHE_SMTP_USER", "KAOHE_SMTP_PASSWORD"):
        app.config[key] = None
    app.config.update(KAOHE_SMTP_PORT=25, KAOHE_SMTP_STARTTLS=False)


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def waiting_request(make, today, days=6):
    o = make.official(name="待复甲")
    discipline.request_opinion(o, {"purpose": "拟提拔", "requested_on": today - dt.timedelta(days)})
    return o


def test_opt_in_on_the_account_page(client, auth):
    auth.as_role("discipline")
    page = text(client.get("/account/digest"))
    assert "待办邮件提醒" in page and "管理员尚未开启邮件提醒" in page
    page = text(client.post("/account/digest", data={"email": "zhangsan@", "active": "y"}))
    assert field_errors(page, "email") == ["请填写有效的电子邮件地址，如 zhangsan@example.gov.cn。"]
    assert db.session.scalar(select(TodoDigest)) is None
    response = client.post("/account/digest", data={"email": "", "active": "y"})
    assert "开启邮件提醒须填写电子邮件地址。" in text(response)
    response = client.post("/account/digest", data={"email": "ji@example.gov.cn", "active": "y"})
    assert response.status_code == 302
    row = db.session.scalar(select(TodoDigest))
    assert (row.user_id, row.email, row.active) == (user("discipline").id, "ji@example.gov.cn",
                                                    True)
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity_type == "todo_digest"))
    assert "待办邮件提醒已开启。" in text(client.get("/account/digest"))
    assert "/account/digest" in client.get("/account/tokens").get_data(as_text=True)


def test_off_by_default_then_one_message_a_day(app, make, smtp, today):
    waiting_request(make, today)
    digest.subscribe(user("discipline"), {"email": "ji@example.gov.cn", "active": True})
    digest.subscribe(user("admin"), {"email": "admin@example.gov.cn", "active": True})
    assert digest.send_all(today, smtp=smtp) == 0 and smtp.sessions == []  # setting off
    settings.set_value(cfg.DIGEST, "开启")
    settings.set_value(cfg.DIGEST_URL, "https://kaohe.example.gov.cn/")
    assert digest.send_all(today, smtp=smtp) == 1  # the admin has nothing to do
    [session] = smtp.sessions
    assert session["host"] == "mail.example.gov.cn" and session["port"] == 587
    assert session["tls"] and session["login"] == ("kaohe", "secret")
    [msg] = session["sent"]
    assert msg["To"].addresses[0].addr_spec == "ji@example.gov.cn"
    assert msg["From"] == "kaohe@example.gov.cn"
    assert msg["Subject"] == f"【考核】{today.isoformat()} 待办事项 1 项"
    body = msg.get_content()
    assert "1. [紧急] 党风廉政意见待回复：待复甲的党风廉政意见征求待回复，已等待 6 天" in body
    assert "https://kaohe.example.gov.cn/integrity-opinions/" in body and "注意保密" in body
    row = digest.subscription(user("discipline"))
    assert row.last_sent_on == today
    assert digest.send_all(today, smtp=smtp) == 0 and len(smtp.sessions) == 1  # once a day
    assert digest.send_all(today + dt.timedelta(days=1), smtp=smtp) == 1


def test_unsubscribed_and_inactive_users_get_nothing(app, make, smtp, today):
    waiting_request(make, today)
    settings.set_value(cfg.DIGEST, "开启")
    digest.subscribe(user("discipline"), {"email": "ji@example.gov.cn", "active": False})
    assert digest.send_all(today, smtp=smtp) == 0
    digest.subscribe(user("discipline"), {"email": "ji@example.gov.cn", "active": True})
    user("discipline").active = False
    db.session.flush()
    assert digest.send_all(today, smtp=smtp) == 0 and smtp.sessions == []


def test_no_smtp_server_sends_nothing(app, make, today):
    waiting_request(make, today)
    settings.set_value(cfg.DIGEST, "开启")
    digest.subscribe(user("discipline"), {"email": "ji@example.gov.cn", "active": True})
    Sink.sessions = []
    assert digest.send_all(today, smtp=Sink) == 0 and Sink.sessions == []


def test_smtplib_is_the_default_client(app, make, smtp, today, monkeypatch):
    waiting_request(make, today)
    settings.set_value(cfg.DIGEST, "开启")
    digest.subscribe(user("discipline"), {"email": "ji@example.gov.cn", "active": True})
    monkeypatch.setattr(digest.smtplib, "SMTP", Sink)
    assert digest.send_all(today) == 1 and len(Sink.sessions[0]["sent"]) == 1
