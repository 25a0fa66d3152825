"""Batch work of a discussion (issue 14.4): one 征求意见函 for the whole agenda, all
dossiers attached by a background job, saved member lists.

Guard: ``discussions.manage`` (organization); the letter also needs
``integrity.request``. Recusal per item is the services' (:mod:`.batch_integrity`,
:mod:`.batch_attach`).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kaohe.auth.permissions import P, guard, require
from kaohe.core import clock
from kaohe.core.crud import run_form
from kaohe.core.errors import ValidationFailed
from kaohe.discussions import batch_attach, batch_integrity, member_lists
from kaohe.discussions.batch_forms import LetterForm
from kaohe.discussions.member_list_forms import MemberListForm
from kaohe.discussions.services import access
from kaohe.extensions import db

bp = guard(Blueprint("batch", __name__, url_prefix="/discussions"), read=P.DISCUSSIONS_MANAGE)


@bp.app_template_global()
def opinion_state(item):
    """「未征求」「待回复」 or the outcome of the item's integrity opinion (agenda pages)."""
    return batch_integrity.state(item)


@bp.route("/<int:discussion_id>/integrity-letter", methods=["GET", "POST"])
def integrity_letter(discussion_id: int):
    require(P.INTEGRITY_REQUEST)
    discussion = access.discussion_or_403(discussion_id)
    form = LetterForm()
    if request.method == "GET":
        form.dated.data = clock.today()
    letter = run_form(form, lambda: batch_integrity.request_all(discussion, form.number.data,
                                                                form.dated.data))
    if letter is not None:
        flash(f"已一并征求 {len(letter.entries)} 名干部的党风廉政意见，征求意见函"
              f"{letter.number}已生成。", "success")
        return redirect(url_for("batch.integrity_letter", discussion_id=discussion.id))
    ask, skip = batch_integrity.plan(discussion)
    return render_template("discussions/integrity_letter.html", discussion=discussion,
                           form=form, ask=ask, skip=skip, purpose=batch_integrity.purpose,
                           letters=batch_integrity.letters_of(discussion))


@bp.post("/<int:discussion_id>/attach-all")
def attach_all(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    try:
        job = batch_attach.submit(discussion)
        db.session.commit()  # queues the job
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
        return redirect(url_for("discussions.show", discussion_id=discussion.id))
    flash("正在后台附/更新本次会议的全部考评材料，完成后本页显示结果。", "info")
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/member-lists/")
def member_lists_index():
    return render_template("discussions/member_lists.html", lists=member_lists.live_lists())


def _list_page(member_list):
    form = MemberListForm(obj=member_list).populate()
    if request.method == "GET" and member_list is not None:
        form.member_names.data = "\n".join(e.name for e in member_list.entries
                                           if e.user_id is None)
        form.user_ids.data = [e.user_id for e in member_list.entries if e.user_id is not None]
    saved = run_form(form, lambda: member_lists.save_list(member_list, form.data_for_service()),
                     record=member_list)
    if saved is not None:
        flash(f"成员名单“{saved.name}”已保存（{len(saved.entries)} 人）。", "success")
        return redirect(url_for("batch.member_lists_index"))
    return render_template("discussions/member_list_form.html", form=form,
                           member_list=member_list)


@bp.route("/member-lists/new", methods=["GET", "POST"])
def new_member_list():
    return _list_page(None)


@bp.route("/member-lists/<int:list_id>/edit", methods=["GET", "POST"])
def edit_member_list(list_id: int):
    found = member_lists.list_or_none(list_id)
    if found is None:
        abort(404)
    return _list_page(found)


@bp.post("/member-lists/<int:list_id>/delete")
def delete_member_list(list_id: int):
    found = member_lists.list_or_none(list_id)
    if found is None:
        abort(404)
    member_lists.delete_list(found)
    db.session.commit()
    flash(f"已删除成员名单“{found.name}”（已用于会议的成员不受影响）。", "info")
    return redirect(url_for("batch.member_lists_index"))
