"""「API 令牌」: every signed-in user lists, creates and revokes their own tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from kaohe.auth import tokens
from kaohe.auth.forms import TokenForm
from kaohe.core.crud import run_form
from kaohe.core.models import utcnow
from kaohe.extensions import db

bp = Blueprint("account", __name__, url_prefix="/account/tokens")


@bp.before_request
@login_required
def _signed_in():
    return None


def _page(form: TokenForm, created: str | None = None):
    longest = tokens.max_days()
    if form.days.data is None and not form.days.raw_data:
        form.days.data = longest
    response = make_response(render_template(
        "auth/tokens.html", form=form, created=created, tokens=tokens.tokens_of(current_user.id),
        now=utcnow(), status_of=tokens.status, reasons=tokens.REASONS, max_days=longest))
    response.headers["Cache-Control"] = "no-store"  # a new token is on the page
    return response


@bp.get("")
def index():
    return _page(TokenForm(formdata=None))


@bp.post("")
def create():
    form = TokenForm()
    made = run_form(form, lambda: tokens.create(current_user._get_current_object(),
                                                form.name.data, form.days.data))
    if made is None:
        return _page(form)
    _row, token = made
    # Answered with the page, not a redirect: the token must not wait in the session cookie.
    return _page(TokenForm(formdata=None), created=token)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    row = tokens.token_of(current_user.id, token_id)
    if row is None:  # another user's token: as if it did not exist
        abort(404)
    if tokens.revoke(row, "owner"):
        db.session.commit()
        flash(f"令牌“{row.name}”已撤销，使用它的请求将被拒绝。", "success")
    else:
        flash(f"令牌“{row.name}”此前已撤销。", "info")
    return redirect(url_for("account.index"))
