"""Pages of the 考察材料: the draft download (agenda item, profile), 民主推荐 records,
and the upload and download of the frozen final version.

Guard: everything needs ``discussions.manage`` except reading a final version, which
an assigned reviewer may (``discussions.review``); per discussion and item the rules
of :mod:`kaohe.discussions.services.access` apply (assignment, recusal), as for the
dossiers. Downloads are registered in the reading register and stamped with the
reader's name and time.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kaohe.audit.services import record_event
from kaohe.auth.permissions import P, can, require
from kaohe.core import clock
from kaohe.core.crud import official_or_404, run_form
from kaohe.core.downloads import attachment
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.services import access
from kaohe.discussions.watermark import reader_label, watermark
from kaohe.dossier.services import font_spec
from kaohe.extensions import db
from kaohe.kaocha import content, services
from kaohe.kaocha.forms import DraftForm, RecommendationForm, ReportForm
from kaohe.kaocha.models import MIME, DemocraticRecommendation

bp = Blueprint("kaocha", __name__)
ITEM = "/discussions/<int:discussion_id>/items/<int:item_id>/kaocha"
READ_ENDPOINTS = frozenset({"kaocha.report"})
bp.add_app_template_global(content.rate, "vote_rate")


@bp.before_request
def _guard():
    if current_user.is_authenticated and can(P.DISCUSSIONS_REVIEW) \
            and request.method in ("GET", "HEAD") and request.endpoint in READ_ENDPOINTS:
        return
    require(P.DISCUSSIONS_MANAGE)


@bp.app_template_global()
def kaocha_records(item) -> dict:
    """The item page's 考察材料 block: 民主推荐 records and final versions."""
    return {"recommendations": services.recommendations(item),
            "reports": services.reports(item)}


def _item(discussion_id: int, item_id: int):
    discussion = access.discussion_or_403(discussion_id)
    return discussion, access.item_or_403(discussion, item_id)


def _back(discussion, item):
    return redirect(url_for("discussions.item", discussion_id=discussion.id, item_id=item.id,
                            _anchor="kaocha"))


def _send(data: bytes, mimetype: str, name: str):
    return attachment(data, name, mimetype)


def _draft(official, as_of, discussion, item, log):
    """The draft form page, or (its query string valid) the .docx; ``log`` registers the
    download."""
    form = DraftForm(formdata=request.args or None)
    if not request.args:
        form.date.data = clock.today()
    elif form.validate():
        data = services.draft_docx(official, as_of, form.date.data, form.group.data or "",
                                   form.inspectors.data or "", item)
        log()
        db.session.commit()
        return _send(data, MIME["docx"], services.draft_name(official))
    return render_template("kaocha/draft.html", form=form, official=official, item=item,
                           as_of=as_of, discussion=discussion)


@bp.get(f"{ITEM}/draft")
def item_draft(discussion_id: int, item_id: int):
    discussion, it = _item(discussion_id, item_id)
    return _draft(it.official, discussion.date, discussion, it,
                  lambda: access.log("download", discussion, "考察材料初稿", item_id=it.id,
                                     official=it.official.name))


@bp.get("/officials/<int:official_id>/kaocha/draft")
def official_draft(official_id: int):
    require(P.OFFICIALS_READ)
    official = official_or_404(official_id)  # recusal (回避) as on the profile
    return _draft(official, clock.today(), None, None,
                  lambda: record_event("download", "official", official.id,
                                       {"what": "考察材料初稿"}))


def _recommendation_page(discussion, it, rec):
    form = RecommendationForm(obj=rec)
    saved = run_form(form, lambda: services.save_recommendation(
        discussion, it, rec, form.data_for_service()), record=rec)
    if saved is not None:
        flash("民主推荐情况已保存。", "success")
        return _back(discussion, it)
    return render_template("kaocha/recommendation.html", form=form, discussion=discussion,
                           item=it, rec=rec)


@bp.route(f"{ITEM}/recommendations/new", methods=["GET", "POST"])
def new_recommendation(discussion_id: int, item_id: int):
    discussion, it = _item(discussion_id, item_id)
    return _recommendation_page(discussion, it, None)


def _recommendation(it, rec_id: int) -> DemocraticRecommendation:
    rec = db.session.get(DemocraticRecommendation, rec_id)
    if rec is None or rec.item_id != it.id or rec.deleted_at is not None:
        abort(404)
    return rec


@bp.route(f"{ITEM}/recommendations/<int:rec_id>/edit", methods=["GET", "POST"])
def edit_recommendation(discussion_id: int, item_id: int, rec_id: int):
    discussion, it = _item(discussion_id, item_id)
    return _recommendation_page(discussion, it, _recommendation(it, rec_id))


@bp.post(f"{ITEM}/recommendations/<int:rec_id>/delete")
def delete_recommendation(discussion_id: int, item_id: int, rec_id: int):
    discussion, it = _item(discussion_id, item_id)
    rec = _recommendation(it, rec_id)
    try:
        services.delete_recommendation(discussion, rec)
        db.session.commit()
        flash("民主推荐记录已删除（删除记录保留在审计日志中）。", "info")
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
    return _back(discussion, it)


@bp.route(f"{ITEM}/reports/new", methods=["GET", "POST"])
def upload(discussion_id: int, item_id: int):
    discussion, it = _item(discussion_id, item_id)
    form = ReportForm()

    def freeze():
        from kaohe.kaocha import files  # python-docx and pypdf: loaded on first use (issue 17)

        storage = form.file.data
        data = storage.read(files.MAX_BYTES + 1) if storage else b""
        return services.freeze(discussion, it, data, getattr(storage, "filename", ""),
                               form.reason.data, current_user.id)

    made = run_form(form, freeze)
    if made is not None:
        flash(f"考察材料第 {made.version} 版已上传并冻结（SHA-256 {made.sha256[:12]}…）。",
              "success")
        return _back(discussion, it)
    return render_template("kaocha/upload.html", form=form, discussion=discussion, item=it,
                           current=services.current_report(it))


@bp.get(f"{ITEM}/reports/<int:version>")
def report(discussion_id: int, item_id: int, version: int):
    discussion, it = _item(discussion_id, item_id)
    made = next((r for r in services.reports(it) if r.version == version), None)
    if made is None:
        abort(404)
    label = reader_label(current_user.name, clock.now_local().strftime("%Y-%m-%d %H:%M"))
    from kaohe.kaocha import files  # python-docx and pypdf: loaded on first use (issue 17)

    # Stamped first: a refused stamp (a character no font draws: 422) is no download.
    data = (watermark(made.data, label, font_spec()) if made.kind == "pdf"
            else files.stamp_docx(made.data, label))
    access.log("download", discussion, "考察材料", item_id=it.id, official=it.official.name,
               version=made.version, sha256=made.sha256)
    db.session.commit()
    return _send(data, made.mimetype, services.download_name(it, made))

