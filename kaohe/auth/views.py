"""Login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select

from kaohe.audit import kept
from kaohe.audit.services import record_event
from kaohe.auth import services, sessions, throttle
from kaohe.auth.forms import LoginForm, PasswordChangeForm
from kaohe.core import connections
from kaohe.core.crud import run_form
from kaohe.auth.models import User
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db, login_manager

bp = Blueprint("auth", __name__)


# Built once: read on every request (SQLAlchemy keeps a statement object's cache key).
# The audit position comes with the user: one round trip less per page (kaohe.audit.kept).
_BY_SESSION_TOKEN = kept.with_position(
    select(User).where(User.session_token == bindparam("token")))


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    with connections.autocommit_read(db.session()):  # a read: no BEGIN for it
        row = db.session.execute(_BY_SESSION_TOKEN, {"token": session_token}).first()
    if row is None:
        return None
    kept.remember(row.kept_seq, row.kept_hash)
    return row[0]


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if req.path.startswith("/api/") and header.startswith("Bearer "):
        return services.user_for_token(header[7:].strip())
    return None


def _safe_next(target: str | None) -> str:
    # Browsers read a backslash as "/" and drop tabs/newlines, so "/<backslash>evil.example"
    # or "/<tab>/evil.example" would leave the site: allow only plain local paths.
    if (target and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and target.isprintable() and not urlsplit(target).netloc):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data[:64]
        where = {"username": username, "remote_addr": request.remote_addr}
        gate = throttle.admit(username, request.remote_addr)  # counted before any hashing
        if gate.refusal:
            if gate.event:
                record_event(gate.event, "user", None, where)
            db.session.commit()
            form.form_errors.append(gate.refusal)
            return (render_template("auth/login.html", form=form), 429,
                    {"Retry-After": str(gate.retry_after)})
        candidate = services.login_candidate(username)
        # End the transaction before argon2 runs: on SQLite this request holds the
        # database's write lock from its first statement (BEGIN IMMEDIATE) to here.
        db.session.commit()
        kept_hash = services.check_password(candidate, form.password.data)
        user = services.finish_login(candidate, kept_hash)
        throttle.settle(gate, user is not None)
        if user is None:
            record_event("login_failed", "user", None, where)
            db.session.commit()
            form.form_errors.append("用户名或密码错误，或账户已停用。")
        else:
            # The audit event first: a commit that fails (e.g. the audit chain stays
            # busy past its lock timeout) must sign nobody in.
            record_event("login", "user", user.id, {"remote_addr": request.remote_addr},
                         actor=user)
            db.session.commit()
            sessions.start(user.id)  # a new session: nothing from before login survives
            login_user(user, remember=False)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """The user's own password: every other session of the user ends."""
    user = current_user._get_current_object()
    form = PasswordChangeForm()

    def save():
        if not services.verify_password(user, form.current_password.data):
            raise ValidationFailed("当前密码不正确。", "current_password")
        if form.new_password.data != form.confirm.data:
            raise ValidationFailed("两次输入的新密码不一致。", "confirm")
        try:
            services.set_password(user, form.new_password.data)  # rotates the session token
        except ValidationFailed as exc:
            raise ValidationFailed({"new_password": m for m in exc.errors.values()}) from exc
        record_event("password_changed", "user", user.id)
        return user

    if run_form(form, save) is not None:
        sessions.start(user.id)
        login_user(user, remember=False)  # this browser continues with the new token
        flash("密码已修改；其他设备和浏览器上的登录已全部失效。", "success")
        return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        user.rotate_session_token()
        record_event("logout", "user", user.id)
        db.session.commit()
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))
