"""User administration (admin role): accounts, recusal links (回避), API tokens, settings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from kaohe.audit.services import record_event
from kaohe.auth import links, services, tokens
from kaohe.auth.models import User
from kaohe.auth.permissions import P, guard
from kaohe.core import locking
from kaohe.core.crud import run_form
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.admin.forms import LinkOfficialForm, RelativeForm, UserEditForm, UserForm
from kaohe.settings import registry
from kaohe.settings import services as settings_services
from kaohe.settings.forms import field_name, settings_form, settings_record

bp = guard(Blueprint("admin", __name__, url_prefix="/admin"), read=P.USERS_MANAGE)


@bp.route("/users")
def users():
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows, links=links.links_by_user(rows),
                           active_tokens=tokens.active_count([u.id for u in rows]))


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
    return _edit_page(user, form=form)


def _edit_page(user: User, form=None, link_form=None, relative_form=None):
    """The user's page: account fields, recusal links with an official search, tokens."""
    if form is None:
        form = UserEditForm(obj=user, formdata=None)
        form.role.data = user.role.name
    q = request.args.get("q", "").strip()[:64]
    return render_template(
        "admin/user_form.html", form=form, user=user, links=links.links_of(user), q=q,
        found=links.search_officials(q) if q else None, search_limit=links.SEARCH_LIMIT,
        link_form=link_form or LinkOfficialForm(prefix="own", formdata=None),
        relative_form=relative_form or RelativeForm(prefix="relative", formdata=None),
        tokens=tokens.tokens_of(user.id), now=utcnow(), status_of=tokens.status,
        reasons=tokens.REASONS)


def _back_to_links(user: User):
    return redirect(url_for("admin.edit_user", user_id=user.id, _anchor="links"))


def _act(call, done) -> bool:
    """Run a one-button action, commit once; a refusal is flashed, nothing saved."""
    try:
        result = call()
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
        return False
    except StaleDataError:  # another request changed the user meanwhile
        db.session.rollback()
        flash(locking.RACE_MESSAGE, "error")
        return False
    flash(done(result), "success")
    return True


@bp.post("/users/<int:user_id>/official")
def link_official(user_id: int):
    """Link the user to the official they are (回避)."""
    user = db.get_or_404(User, user_id)
    form = LinkOfficialForm(prefix="own")
    official = run_form(form, lambda: links.link_official(user, form.official_id.data))
    if official is None:
        return _edit_page(user, link_form=form)
    flash(f"已将用户 {user.username} 关联到本人干部档案：{official.name}（编号 {official.id}）。"
          "该用户从此看不到本人及其亲属的任何记录。", "success")
    return _back_to_links(user)


@bp.post("/users/<int:user_id>/official/delete")
def unlink_official(user_id: int):
    user = db.get_or_404(User, user_id)
    _act(lambda: links.unlink_official(user),
         lambda o: f"已解除用户 {user.username} 与干部档案"
                   f"{('：' + o.name) if o is not None else ''}的关联。")
    return _back_to_links(user)


@bp.post("/users/<int:user_id>/relatives")
def add_relative(user_id: int):
    """Declare an official as the user's relative (回避), also for a user who is no official."""
    user = db.get_or_404(User, user_id)
    form = RelativeForm(prefix="relative")
    row = run_form(form, lambda: links.add_relative(user, form.official_id.data,
                                                    form.relation.data))
    if row is None:
        return _edit_page(user, relative_form=form)
    flash(f"已为用户 {user.username} 登记亲属：{row.official.name}（{row.relation}）。", "success")
    return _back_to_links(user)


@bp.post("/users/<int:user_id>/relatives/<int:relative_id>/delete")
def remove_relative(user_id: int, relative_id: int):
    user = db.get_or_404(User, user_id)
    row = links.relative_of(user, relative_id)
    if row is None:
        abort(404)
    name = row.official.name
    _act(lambda: links.remove_relative(row),
         lambda _r: f"已删除用户 {user.username} 的亲属登记：{name}。")
    return _back_to_links(user)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_token(user_id: int, token_id: int):
    user = db.get_or_404(User, user_id)
    row = tokens.token_of(user.id, token_id)
    if row is None:
        abort(404)
    if tokens.revoke(row, "admin"):
        db.session.commit()
        flash(f"已撤销用户 {user.username} 的令牌“{row.name}”。", "success")
    else:
        flash(f"令牌“{row.name}”此前已撤销。", "info")
    if request.form.get("back") == "tokens":  # revoked from the list of every token
        return redirect(url_for("admin.tokens"))
    return redirect(url_for("admin.edit_user", user_id=user.id, _anchor="tokens"))


@bp.get("/tokens", endpoint="tokens")
def tokens_page():
    """Every user's API tokens (active ones; ``?all=1``: revoked and expired too)."""
    show_all = request.args.get("all") == "1"
    return render_template("admin/tokens.html", tokens=tokens.all_tokens(show_all),
                           show_all=show_all, now=utcnow(), status_of=tokens.status,
                           reasons=tokens.REASONS)


@bp.post("/users/<int:user_id>/end-sessions")
def end_sessions(user_id: int):
    """「结束会话」: every session of the user ends at its next request (copied cookies
    too), and every API token of the user is revoked."""
    user = db.get_or_404(User, user_id)
    user.rotate_session_token()
    revoked = tokens.revoke_all(user, "sessions")
    record_event("sessions_ended", "user", user.id, {"username": user.username,
                                                     "tokens_revoked": revoked})
    db.session.commit()
    flash(f"已结束用户 {user.username} 的全部会话"
          + (f"，并撤销其 {revoked} 个 API 令牌。" if revoked else "。"), "success")
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
