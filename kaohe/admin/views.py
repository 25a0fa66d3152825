"""User administration (admin role)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from kaohe.auth import services
from kaohe.auth.models import User
from kaohe.auth.permissions import P, guard
from kaohe.core.crud import run_form
from kaohe.extensions import db
from kaohe.admin.forms import UserEditForm, UserForm
from kaohe.settings import registry
from kaohe.settings import services as settings_services
from kaohe.settings.forms import field_name, settings_form, settings_record

bp = guard(Blueprint("admin", __name__, url_prefix="/admin"), read=P.USERS_MANAGE)


@bp.route("/users")
def users():
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    password = services.generate_password()
    user = run_form(form, lambda: services.create_user(
        form.username.data, form.role.data, password, form.display_name.data or ""))
    if user is not None:
        return render_template("admin/password.html", user=user, password=password)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if request.method == "GET":  # obj's .role is the Role row, which no choice matches
        form.role.data = user.role.name
    password = services.generate_password()

    def save():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            raise services.ValidationFailed("不能停用自己或取消自己的管理员角色。", "role")
        if form.role.data != user.role.name or form.active.data != user.active:
            user.rotate_session_token()  # a role change or disabling ends open sessions
        user.display_name = form.display_name.data or user.username
        user.role = services.get_role(form.role.data)
        user.active = form.active.data
        if form.reset_password.data:
            services.set_password(user, password)
        db.session.flush()
        return user

    if run_form(form, save, record=user, current={"role": user.role.name}) is not None:
        if form.reset_password.data:
            return render_template("admin/password.html", user=user, password=password)
        flash("用户已更新。", "success")
        return redirect(url_for("admin.users"))
    if user is None:
        abort(404)
    return render_template("admin/user_form.html", form=form, user=user)



@bp.post("/users/<int:user_id>/end-sessions")
def end_sessions(user_id: int):
    """「结束会话」: every session of the user ends at its next request (copied cookies too)."""
    from kaohe.audit.services import record_event

    user = db.get_or_404(User, user_id)
    user.rotate_session_token()
    record_event("sessions_ended", "user", user.id, {"username": user.username})
    db.session.commit()
    flash(f"已结束用户 {user.username} 的全部会话。", "success")
    return redirect(url_for("admin.users"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Rule figures (DOMAIN.md "settings"), one field per registry definition."""
    values = settings_services.all_values()
    revision = settings_services.revision(values)
    form = settings_form(values, revision=revision)

    def save():
        for d in registry.DEFINITIONS:
            settings_services.set_value(d.key, getattr(form, field_name(d.key)).data)
        return True

    if run_form(form, save, record=settings_record(values, revision)):
        flash("设置已保存。", "success")
        return redirect(url_for("admin.settings"))
    return render_template("settings/index.html", form=form)
