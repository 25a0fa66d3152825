"""Pages of personnel discussions (议干部).

Guard: a signed-in user needs ``discussions.manage`` (organization: everything) or
``discussions.review`` (reviewer: the assigned discussions, read only); unsafe
methods need ``discussions.manage``. Per discussion and item the rules of
:mod:`.services.access` apply (assignment, recusal) and views are logged there.
"""
from __future__ import annotations

import datetime as dt

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from kaohe.assessments.window import assessment_window
from kaohe.auth.permissions import P, can, require
from kaohe.core import clock
from kaohe.core.crud import run_form
from kaohe.core.downloads import attachment
from kaohe.discussions import bundle as bundles
from kaohe.discussions import rules
from kaohe.discussions import member_lists
from kaohe.discussions.forms import (AttachForm, CheckForm, DecisionForm, HoldForm, ItemForm,
                                     ReviewerForm)
from kaohe.discussions.member_list_forms import DiscussionMembersForm
from kaohe.discussions.models import DiscussionReviewer
from kaohe.discussions.services import access, agenda, decisions
from kaohe.discussions.services.readiness import read_together, readiness
from kaohe.discussions.watermark import reader_label, stamped_download, watermark
from kaohe.dossier.services import font_spec, now_local
from kaohe.extensions import db

bp = Blueprint("discussions", __name__, url_prefix="/discussions")


# What a reviewer may open (further limited per discussion and item by .services.access).
READ_ENDPOINTS = frozenset({"discussions.index", "discussions.show", "discussions.item",
                            "discussions.download"})


@bp.before_request
def _guard():
    if current_user.is_authenticated and can(P.DISCUSSIONS_REVIEW) \
            and request.method in ("GET", "HEAD") and request.endpoint in READ_ENDPOINTS:
        return
    require(P.DISCUSSIONS_MANAGE)


@bp.app_template_filter("beijing")
def beijing(value) -> str:
    """A naive UTC timestamp in Beijing time, to the minute."""
    if value is None:
        return "—"
    return (value + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


@bp.app_template_global()
def my_discussions():
    """Discussions the current user may read (the reviewer's home page lists them)."""
    return access.visible_discussions()


def _log_view(discussion, what: str, **extra) -> None:
    if not access.manages():  # reviewers' reading is registered; staff work is audited
        access.log("view", discussion, what, **extra)
        db.session.commit()


def _show(discussion, attach_form=None, reviewer_form=None, status=200):
    items = discussion.items
    recused = access.recused_ids(items)
    if reviewer_form is None:
        reviewer_form = ReviewerForm(formdata=None)
    reviewer_form.populate_reviewers()
    with read_together(items):  # the page's per-item reads too (the opinion badges)
        return render_template(
            "discussions/show.html", discussion=discussion, items=items,
            states={i.id: readiness(i) for i in items}, recused=recused,
            attach_form=attach_form or AttachForm(formdata=None),
            reviewer_form=reviewer_form, manages=access.manages(),
            bundle=bundles.state(bundles.latest(discussion))
            if access.manages() and not recused else None,
            quorum=decisions.quorum_needed(len(discussion.members)),
            majority=decisions.majority_needed(len(discussion.members))), status


@bp.get("/")
def index():
    return render_template("discussions/index.html", discussions=access.visible_discussions(),
                           manages=access.manages())


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = DiscussionMembersForm().populate()
    made = run_form(form, lambda: agenda.save_discussion(
        None, member_lists.with_members(form.data_for_service())))
    if made is not None:
        flash("会议已创建，请添加议题。", "success")
        return redirect(url_for("discussions.show", discussion_id=made.id))
    return render_template("discussions/form.html", form=form, discussion=None,
                           title="新建干部讨论会议")


@bp.get("/<int:discussion_id>")
def show(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    _log_view(discussion, "会议议程", title=discussion.title)
    return _show(discussion)


@bp.route("/<int:discussion_id>/edit", methods=["GET", "POST"])
def edit(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    form = DiscussionMembersForm(obj=discussion).populate()
    if request.method == "GET":
        form.member_names.data = "\n".join(m.name for m in discussion.members)
    if run_form(form, lambda: agenda.save_discussion(
            discussion, member_lists.with_members(form.data_for_service())),
                record=discussion,
                current={"member_names": "\n".join(m.name for m in discussion.members)}):
        flash("会议信息已保存。", "success")
        return redirect(url_for("discussions.show", discussion_id=discussion.id))
    return render_template("discussions/form.html", form=form, discussion=discussion,
                           title="修改会议信息")


def _item_page(discussion, item, form, template, **kw):
    return render_template(template, discussion=discussion, item=item, form=form, **kw)


@bp.route("/<int:discussion_id>/items/new", methods=["GET", "POST"])
def new_item(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    form = ItemForm()
    if request.method == "GET" and request.args.get("official_id", "").isdigit():
        form.official_id.data = request.args["official_id"]
    made = run_form(form, lambda: agenda.save_item(discussion, None, form.data_for_service()))
    if made is not None:
        flash(f"已将{made.official.name}列入议程。", "success")
        return redirect(url_for("discussions.show", discussion_id=discussion.id,
                                _anchor=f"item{made.id}"))
    return _item_page(discussion, None, form, "discussions/item_form.html")


@bp.get("/<int:discussion_id>/items/<int:item_id>")
def item(discussion_id: int, item_id: int):
    discussion = access.discussion_or_403(discussion_id)
    it = access.item_or_403(discussion, item_id)
    _log_view(discussion, "议题", item_id=it.id, official=it.official.name)
    return render_template("discussions/item.html", discussion=discussion, item=it,
                           state=readiness(it), manages=access.manages(),
                           window=assessment_window(discussion.date),
                           attach_form=AttachForm(formdata=None))


@bp.route("/<int:discussion_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(discussion_id: int, item_id: int):
    discussion = access.discussion_or_403(discussion_id)
    it = access.item_or_403(discussion, item_id)
    form = ItemForm(obj=it)
    if request.method == "GET":
        form.official_id.data = str(it.official_id)
    if run_form(form, lambda: agenda.save_item(discussion, it, form.data_for_service()),
                record=it):
        flash("议题已保存。", "success")
        return redirect(url_for("discussions.item", discussion_id=discussion.id, item_id=it.id))
    return _item_page(discussion, it, form, "discussions/item_form.html")


@bp.post("/<int:discussion_id>/items/<int:item_id>/delete")
def delete_item(discussion_id: int, item_id: int):
    discussion = access.discussion_or_403(discussion_id)
    it = access.item_or_403(discussion, item_id)
    try:
        agenda.delete_item(discussion, it)
        db.session.commit()
        flash(f"已将{it.official.name}移出议程（记录保留在审计日志中）。", "info")
    except agenda.ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
    return redirect(url_for("discussions.show", discussion_id=discussion.id))


@bp.route("/<int:discussion_id>/items/<int:item_id>/checks/<kind>", methods=["GET", "POST"])
def check(discussion_id: int, item_id: int, kind: str):
    discussion = access.discussion_or_403(discussion_id)
    it = access.item_or_403(discussion, item_id)
    if kind not in rules.MANUAL_CHECKS:
        abort(404)
    done = it.check(kind)
    # A new check is proposed as done today by the signed-in user (both editable).
    form = CheckForm(obj=done, data=None if done else {"checked_by": current_user.name,
                                                       "checked_on": clock.today()})
    if run_form(form, lambda: agenda.save_check(discussion, it, kind, form.data_for_service()),
                record=done):
        flash(f"{rules.CHECKS[kind]}结果已保存。", "success")
        return redirect(url_for("discussions.item", discussion_id=discussion.id, item_id=it.id))
    return _item_page(discussion, it, form, "discussions/check_form.html",
                      kind_label=rules.CHECKS[kind])


@bp.post("/<int:discussion_id>/attach")
def attach(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    form = AttachForm()
    if form.official_id.data and access.recused(form.official_id.data):
        abort(403)
    link = run_form(form, lambda: agenda.attach(discussion, form.official_id.data,
                                                form.reason.data, current_user.id))
    if link is None:
        return _show(discussion, attach_form=form)
    flash(f"已附{link.item.official.name}的考评材料第 {link.version} 版"
          f"（{link.dossier.number}）。", "success")
    return redirect(url_for("discussions.item", discussion_id=discussion.id,
                            item_id=link.item_id))


@bp.get("/<int:discussion_id>/items/<int:item_id>/dossiers/<int:version>.pdf")
def download(discussion_id: int, item_id: int, version: int):
    discussion = access.discussion_or_403(discussion_id)
    it = access.item_or_403(discussion, item_id)
    link = next((d for d in it.dossiers if d.version == version), None)
    if link is None:
        abort(404)
    dossier = link.dossier
    at = now_local()
    # Stamped first: a refused stamp (a character no font draws: 422) is no download.
    pdf = watermark(dossier.pdf, reader_label(current_user.name, at.strftime("%Y-%m-%d %H:%M")),
                    font_spec())
    access.log("download", discussion, "考评材料", item_id=it.id, official=it.official.name,
               dossier_id=dossier.id, number=dossier.number, version=version,
               sha256=dossier.sha256)
    db.session.commit()
    return pdf_response(pdf, f"干部考评材料_{it.official.name}_{dossier.number}_v{version}.pdf")


def pdf_response(data: bytes, name: str):
    """A PDF download that no cache keeps."""
    return attachment(data, name)


@bp.post("/<int:discussion_id>/reviewers")
def assign(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    form = ReviewerForm()
    link = run_form(form, lambda: agenda.assign_reviewer(discussion, form.user_id.data))
    if link is None:
        return _show(discussion, reviewer_form=form)
    flash(f"已分配审阅人{link.user.name}。", "success")
    return redirect(url_for("discussions.show", discussion_id=discussion.id,
                            _anchor="reviewers"))


@bp.post("/<int:discussion_id>/reviewers/<int:user_id>/remove")
def unassign(discussion_id: int, user_id: int):
    discussion = access.discussion_or_403(discussion_id)
    link = db.session.scalar(db.select(DiscussionReviewer).where(
        DiscussionReviewer.discussion_id == discussion.id, DiscussionReviewer.user_id == user_id))
    if link is None:
        abort(404)
    try:
        agenda.remove_reviewer(discussion, link)
        db.session.commit()
        flash("已取消该审阅人的查阅权限。", "info")
    except agenda.ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
    return redirect(url_for("discussions.show", discussion_id=discussion.id,
                            _anchor="reviewers"))


@bp.route("/<int:discussion_id>/hold", methods=["GET", "POST"])
def hold(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    form = HoldForm(obj=discussion)
    form.present.choices = [SelectChoice(m.id, m.name) for m in discussion.members]
    if request.method == "GET":
        form.present.data = [m.id for m in discussion.members if m.present]
    if run_form(form, lambda: decisions.hold(discussion, form.present.data or []),
                record=discussion,
                current={"present": [m.id for m in discussion.members if m.present]}) is not None:
        flash("会议已标记为已召开，议程及材料已锁定；请逐项记录决定。", "success")
        return redirect(url_for("discussions.show", discussion_id=discussion.id))
    items = discussion.items
    recused = access.recused_ids(items)  # 回避: their readiness tells of their records
    with read_together(items):
        states = {i.id: readiness(i) for i in items if i.id not in recused}
    return render_template("discussions/hold.html", discussion=discussion, form=form,
                           items=items, recused=recused, states=states,
                           quorum=decisions.quorum_needed(len(discussion.members)))


@bp.route("/<int:discussion_id>/items/<int:item_id>/decide", methods=["GET", "POST"])
def decide(discussion_id: int, item_id: int):
    discussion = access.discussion_or_403(discussion_id)
    it = access.item_or_403(discussion, item_id)
    form = DecisionForm(obj=it)
    if run_form(form, lambda: decisions.decide(discussion, it, form.data_for_service()),
                record=it):
        flash(f"已记录对{it.official.name}的决定：{it.decision_label}。", "success")
        return redirect(url_for("discussions.show", discussion_id=discussion.id,
                                _anchor=f"item{it.id}"))
    return _item_page(discussion, it, form, "discussions/decide.html",
                      majority=decisions.majority_needed(len(discussion.members)))


@bp.post("/<int:discussion_id>/bundle")
def bundle_start(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    access.bundle_or_403(discussion)  # managers only, none recused from an item (回避)
    made = bundles.start(discussion)
    access.log("bundle", discussion, "生成议程材料汇编", bundle_id=made.id)
    db.session.commit()  # queues the bundle's job
    if request.accept_mimetypes.best == "application/json":
        return jsonify(bundles.state(made)), 202
    flash("正在后台生成议程材料汇编，完成后可下载。", "info")
    return redirect(url_for("discussions.show", discussion_id=discussion.id, _anchor="bundle"))


@bp.get("/<int:discussion_id>/bundle/status")
def bundle_status(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    access.bundle_or_403(discussion)
    state = bundles.state(bundles.latest(discussion))
    if state["status"] == "done":
        state["url"] = url_for("discussions.bundle_download", discussion_id=discussion.id)
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:discussion_id>/bundle.pdf")
def bundle_download(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    access.bundle_or_403(discussion)
    made = bundles.latest(discussion)
    if made is None or made.status != "done":
        abort(404)
    at = now_local()
    response = stamped_download(  # stamped into a temporary file: bundles are large
        bundles.stored_pdf(made), reader_label(current_user.name, at.strftime("%Y-%m-%d %H:%M")),
        f"议程材料汇编_{discussion.date.isoformat()}_{made.id}.pdf", font_spec())
    access.log("download", discussion, "议程材料汇编", bundle_id=made.id, sha256=made.sha256)
    db.session.commit()
    return response


@bp.get("/<int:discussion_id>/register")
def register(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    if not access.manages():
        abort(403)
    return render_template("discussions/register.html", discussion=discussion,
                           rows=access.register(discussion), actions=access.ACTIONS)

