"""Officials: search list, profile, create/edit/delete, photo; posts."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from kaohe.assessments.models import GRADES
from kaohe.auth.permissions import P, can, can_view_official, guard, recused_official_ids
from kaohe.core import clock
from kaohe.core.crud import official_or_404, register_record_views, run_form
from kaohe.core.estimates import about_people
from kaohe.core.errors import ValidationFailed
from kaohe.core.forms import choice_list
from kaohe.core.limits import bounded_int
from kaohe.extensions import db
from kaohe.interop.lrmx_annual import sheet_differences
from kaohe.officials import photos, profile_page, services
from kaohe.officials.forms import OfficialForm, PostForm, SearchForm
from kaohe.officials.models import RANKS, Official, Post
from kaohe.officials.politics import party_text

bp = guard(Blueprint("officials", __name__, url_prefix="/officials"), read=P.OFFICIALS_READ)
bp.add_app_template_filter(about_people, "about_people")
edit_bp = guard(Blueprint("edit", __name__), read=P.OFFICIALS_WRITE)
posts_bp = guard(Blueprint("posts", __name__, url_prefix="/officials/<int:official_id>/posts"),
                 read=P.OFFICIALS_WRITE)


def search_form_and_criteria() -> tuple[SearchForm, services.SearchCriteria]:
    """Parse the search query string; bad values are ignored with a message on the field."""
    form = SearchForm(request.args)
    this_year = clock.today().year
    form.year.choices = choice_list(((str(y), f"{y} 年") for y in range(this_year, 1999, -1)),
                                    "（任意年度）")
    form.grade.choices = choice_list(GRADES, "（任意等次）")
    form.validate()
    year = bounded_int(form.year.data, 1900, 2100)
    unit_id = form.unit_id.data if form.unit_id.data and form.unit_id.data > 0 else None
    criteria = services.SearchCriteria(
        q=(form.q.data or "")[:64] if not form.q.errors else "", unit_id=unit_id,
        rank=form.rank.data if form.rank.data in RANKS else "", year=year,
        grade=form.grade.data if form.grade.data in GRADES else "", extra=form.extra())
    return form, criteria


@bp.route("/")
def index():
    form, criteria = search_form_and_criteria()
    page = bounded_int(request.args.get("page")) or 1
    pagination = services.search(criteria, page=page, per_page=20,
                                 exclude_ids=recused_official_ids())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("officials/index.html", form=form, pagination=pagination, args=args)


_MARKER = 98765432109  # above any int32 id, so never part of a real URL
# The profile's row kinds and the blueprints of their edit and delete views.
_ROW_BLUEPRINTS = {"posts": "posts", "results": "assessments", "reviews": "reviews",
                   "notes": "orgnotes"}


def _item_url(endpoint: str, **values):
    """``url_for(endpoint, item_id=…, **values)`` as a function of the id, the URL rule
    built once: a profile's rows would otherwise each pay two rule builds."""
    head, _, tail = url_for(endpoint, item_id=_MARKER, **values).partition(str(_MARKER))
    return lambda item_id: f"{head}{item_id}{tail}"


def _row_urls(official_id: int) -> dict[str, dict]:
    """Per row kind of the profile: {"edit": id → URL, "delete": id → URL}."""
    return {kind: {action: _item_url(f"{bp_name}.{action}", official_id=official_id)
                   for action in ("edit", "delete")}
            for kind, bp_name in _ROW_BLUEPRINTS.items()}


@bp.route("/<int:official_id>")
def profile(official_id: int):
    # official_or_404's checks without its look-up: load_profile reads the official
    # (deleted ones hidden) with the rest.
    if not can_view_official(official_id):
        abort(403)

    def render() -> tuple[str, str] | None:
        data = services.load_profile(official_id)
        if data is None:
            return None
        return data.official.name, render_template(
            "officials/_profile_body.html", p=data, show_id=can(P.ID_NUMBER_FULL),
            party_text=party_text,
            row_urls=_row_urls(official_id) if can(P.OFFICIALS_WRITE) else None,
            lrmx_sheet=data.sheet, lrmx_differences=sheet_differences(data.official, data.sheet))

    page = profile_page.body(official_id, render)
    if page is None:
        abort(404, description="干部不存在。")
    name, body = page
    return render_template("officials/profile.html", name=name, body=body)


@bp.route("/<int:official_id>/photo")
def photo(official_id: int):
    official = official_or_404(official_id)
    if not official.photo:
        abort(404)
    # Only the two image types ever stored; never sniffed, never run as a document.
    mime = official.photo_mime if official.photo_mime in photos.MIME.values() else None
    return Response(official.photo, mimetype=mime or "application/octet-stream", headers={
        "Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline" if mime else "attachment",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


def _edit_official(official_id: int | None):
    official = official_or_404(official_id) if official_id else None
    form = OfficialForm(obj=official)

    def save():
        saved = services.save_official(official, form.data_for_service())
        if form.photo_upload.data:
            photos.attach(saved, form.photo_upload.data.read())
        return saved

    saved = run_form(form, save, record=official)
    if saved is not None:
        flash("干部信息已保存。", "success")
        return redirect(url_for("officials.profile", official_id=saved.id))
    return render_template("officials/form.html", form=form, official=official or Official())


@edit_bp.route("/new", methods=["GET", "POST"])
def new():
    return _edit_official(None)


@edit_bp.route("/<int:official_id>/edit", methods=["GET", "POST"])
def edit(official_id: int):
    return _edit_official(official_id)


@edit_bp.route("/<int:official_id>/delete", methods=["POST"])
def delete(official_id: int):
    try:
        services.delete_official(official_or_404(official_id))
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
        return redirect(url_for("officials.profile", official_id=official_id))
    db.session.commit()
    flash("干部已删除（记录保留在审计日志中）。", "info")
    return redirect(url_for("officials.index"))


bp.register_blueprint(edit_bp)
register_record_views(posts_bp, model=Post, form_cls=PostForm, save=services.save_post,
                      title="任职经历", anchor="posts")
