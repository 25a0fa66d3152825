"""The optional e-mail digest of each subscribed user's to-dos, sent every morning by
the background job runner through the organization's SMTP server.

Off unless the setting ``todos.digest`` is 开启 and ``KAOHE_SMTP_HOST`` is configured;
each user opts in (and gives the address) on 「待办邮件提醒」 (``/account/digest``). A user
gets one message a day at most, only when they have something to do; the list is the
one of their home page on that day (same roles, same recusal).
"""
from __future__ import annotations

import datetime as dt
import re
import smtplib
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app
from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.core import clock, records
from kaohe.extensions import db
from kaohe.jobs import crontab, periodic
from kaohe.settings import services as settings
from kaohe.todos import registry
from kaohe.todos import settings as cfg
from kaohe.todos.items import Todo
from kaohe.todos.models import TodoDigest

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LINES = 50


def subscription(user) -> TodoDigest | None:
    return db.session.scalar(select(TodoDigest).where(TodoDigest.user_id == user.id))


def subscribe(user, data: dict) -> TodoDigest:
    """Turn the user's digest on or off and set the address; flush only."""
    email, active = (data.get("email") or "").strip(), bool(data.get("active"))
    errors = {}
    if len(email) > 254 or (email and not EMAIL.match(email)):
        errors["email"] = "请填写有效的电子邮件地址，如 zhangsan@example.gov.cn。"
    elif active and not email:
        errors["email"] = "开启邮件提醒须填写电子邮件地址。"
    records.raise_if(errors)
    row = subscription(user)
    if row is None and not active and not email:
        return TodoDigest(user_id=user.id, email="", active=False)  # off is the default: no row
    row = row or TodoDigest(user_id=user.id)
    row.email, row.active = email, active
    db.session.add(row)
    db.session.flush()
    return row


def enabled() -> bool:
    return settings.get(cfg.DIGEST) == "开启" and bool(current_app.config.get("KAOHE_SMTP_HOST"))


def compose(user: User, address: str, todos: list[Todo], today: dt.date,
            base_url: str) -> EmailMessage:
    """The digest message: one line per to-do, most urgent first, with its link."""
    msg = EmailMessage()
    msg["Subject"] = f"【考核】{today.isoformat()} 待办事项 {len(todos)} 项"
    msg["From"] = current_app.config.get("KAOHE_SMTP_FROM") or "kaohe@localhost"
    msg["To"] = formataddr((user.name, address))
    lines = [f"{user.name}，您好：", "",
             f"截至 {today.isoformat()}，您有 {len(todos)} 项待办（按紧急程度排列）：", ""]
    for n, t in enumerate(todos[:MAX_LINES], 1):
        due = f"（期限 {t.due.isoformat()}）" if t.due else ""
        lines.append(f"{n}. [{t.urgency_label}] {registry.label(t.kind)}：{t.title}{due}")
        lines.append(f"   {base_url.rstrip('/')}{t.url}")
    if len(todos) > MAX_LINES:
        lines.append(f"另有 {len(todos) - MAX_LINES} 项，请登录系统查看。")
    lines += ["", "此邮件由考核系统自动发送；如不需要，请在「待办邮件提醒」页面关闭。",
              "内部资料 · 注意保密"]
    msg.set_content("\n".join(lines))
    return msg


def send_all(today: dt.date | None = None, smtp=None) -> int:
    """Send today's digests not sent yet; returns how many were sent. ``smtp`` is the
    SMTP client class (default: ``smtplib.SMTP``)."""
    if not enabled():
        return 0
    today = today or clock.today()
    config = current_app.config
    rows = db.session.execute(
        select(TodoDigest, User).join(User, User.id == TodoDigest.user_id)
        .where(TodoDigest.active.is_(True), User.active.is_(True), TodoDigest.email != "",
               (TodoDigest.last_sent_on.is_(None)) | (TodoDigest.last_sent_on < today))
        .order_by(TodoDigest.id)).all()
    base_url = str(settings.get(cfg.DIGEST_URL) or "").strip() or "http://localhost"
    messages = []
    for row, user in rows:
        with current_app.test_request_context(base_url=base_url):
            todos = registry.compute(user, today)
        if todos:
            messages.append((row, compose(user, row.email, todos, today, base_url)))
    if not messages:
        return 0
    client_class = smtp or smtplib.SMTP
    port = int(config.get("KAOHE_SMTP_PORT") or 25)
    with client_class(config["KAOHE_SMTP_HOST"], port, timeout=30) as client:
        if config.get("KAOHE_SMTP_STARTTLS"):
            client.starttls()
        if config.get("KAOHE_SMTP_USER"):
            client.login(config["KAOHE_SMTP_USER"], config.get("KAOHE_SMTP_PASSWORD") or "")
        for row, msg in messages:
            client.send_message(msg)
            row.last_sent_on = today
    db.session.flush()
    return len(messages)


@periodic(crontab(hour="7", minute="30"), "todos.digest")
def send_digests() -> None:
    """Every morning: the subscribed users' digests (committed by the job runner)."""
    send_all()
