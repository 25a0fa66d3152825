"""A reviewer's own agenda bundle: the items recused for them (回避) left out, built by
the bundle job (:mod:`.bundle`) and stamped with their name at download, like their
dossier downloads. Guard: ``discussions.review``, on assigned discussions only."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from kaohe.auth.permissions import P, guard
from kaohe.discussions import bundle as bundles
from kaohe.discussions.services import access
from kaohe.discussions.watermark import reader_label, stamped_download
from kaohe.dossier.services import font_spec, now_local
from kaohe.extensions import db
from kaohe.jobs import services as jobs_services

bp = guard(Blueprint("reviewer_bundle", __name__, url_prefix="/discussions"),
           read=P.DISCUSSIONS_REVIEW)


def _discussion(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    if access.manages():  # the staff use the full bundle
        abort(403)
    return discussion


@bp.app_template_global()
def my_bundle(discussion) -> dict:
    """The state of the current reviewer's own bundle of ``discussion`` (its job's page)."""
    made = bundles.latest(discussion, current_user)
    state = bundles.state(made)
    job = jobs_services.latest(bundles.ref(made.id)) if made is not None else None
    state["job_id"] = job.id if job is not None else None
    return state


@bp.post("/<int:discussion_id>/my-bundle")
def start(discussion_id: int):
    discussion = _discussion(discussion_id)
    made = bundles.start(discussion, current_user)
    access.log("bundle", discussion, "生成本人议程材料汇编", bundle_id=made.id)
    db.session.commit()  # queues the bundle's job
    job = jobs_services.latest(bundles.ref(made.id))
    flash("正在后台生成您的议程材料汇编（不含您须回避的议题），完成后可下载。", "info")
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/<int:discussion_id>/my-bundle.pdf")
def download(discussion_id: int):
    discussion = _discussion(discussion_id)
    made = bundles.latest(discussion, current_user)
    if made is None or made.status != "done":
        abort(404)
    at = now_local()
    response = stamped_download(
        bundles.stored_pdf(made), reader_label(current_user.name, at.strftime("%Y-%m-%d %H:%M")),
        f"议程材料汇编_{discussion.date.isoformat()}_{made.id}.pdf", font_spec())
    access.log("download", discussion, "本人议程材料汇编", bundle_id=made.id, sha256=made.sha256)
    db.session.commit()
    return response
