"""Login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from kaohe.audit.services import record_event
from kaohe.auth import services
from kaohe.auth.forms import LoginForm
from kaohe.auth.models import User
from kaohe.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == session_token))


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
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            record_event("login_failed", "user", None, {"username": form.username.data[:64]})
            db.session.commit()
            form.form_errors.append("用户名或密码错误，或账户已停用。")
        else:
            login_user(user)
            record_event("login", "user", user.id, actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


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
