"""Pages of 凡动必谈/考/训 records, 任前公示 and 任职, under a discussion's URLs.

Guard: ``discussions.manage`` (organization) for every page; per discussion and item
the discussions' access rules apply (:mod:`kaohe.discussions.services.access`: recusal).
The item page (templates/discussions/item.html) shows the four moves through
:func:`item_moves`.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from kaohe.auth.permissions import P, guard
from kaohe.core import clock
from kaohe.core.crud import run_form
from kaohe.core.downloads import attachment
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.services import access
from kaohe.extensions import db
from kaohe.moves import rules
from kaohe.moves.forms import (AppointmentForm, AssessmentForm, OutcomeForm, PublicityForm,
                               TalkForm, TrainingForm)
from kaohe.moves.models import MoveAssessment, MoveTalk, MoveTraining, Publicity, PublicityEntry
from kaohe.moves.services import publicity as publicities
from kaohe.moves.services import records
from kaohe.moves.services.query import appointment_of
from kaohe.moves.services.state import move_states

bp = guard(Blueprint("moves", __name__, url_prefix="/discussions/<int:discussion_id>"),
           read=P.DISCUSSIONS_MANAGE)

# kind in the URL → (model, form, service, Chinese name)
KINDS = {
    "talks": (MoveTalk, TalkForm, records.save_talk, "谈话记录"),
    "assessments": (MoveAssessment, AssessmentForm, records.save_assessment, "考察（考核）记录"),
    "trainings": (MoveTraining, TrainingForm, records.save_training, "任职培训记录"),
}


@bp.app_template_global()
def item_moves(item, checks) -> dict:
    """The item page's block: the four moves (核 from ``checks``, the page's 凡提四必),
    the 公示 entry and the appointment."""
    entry = publicities.entry_of(item)
    return {"states": move_states(item, checks), "entry": entry,
            "entry_status": publicities.entry_status(entry) if entry else "",
            "appointment": appointment_of(item),
            "needs_publicity": item.action in rules.PUBLICITY_ACTIONS,
            "problems": publicities.appointment_problems(item, None)
            if item.decision == "approve" else []}


@bp.app_template_global()
def discussion_publicities(discussion) -> dict:
    """The discussion page's block: its 公示 and the items still waiting for one."""
    return {"list": publicities.publicities(discussion),
            "eligible": publicities.eligible_items(discussion) if discussion.is_held else []}


def _back(discussion, item, anchor="moves"):
    return redirect(url_for("discussions.item", discussion_id=discussion.id, item_id=item.id,
                            _anchor=anchor))


def _record_or_404(model, item, record_id):
    record = db.session.get(model, record_id)
    if record is None or record.item_id != item.id or record.deleted_at is not None:
        abort(404)
    return record


@bp.route("/items/<int:item_id>/<kind>/new", methods=["GET", "POST"])
@bp.route("/items/<int:item_id>/<kind>/<int:record_id>/edit", methods=["GET", "POST"])
def record_form(discussion_id: int, item_id: int, kind: str, record_id: int | None = None):
    if kind not in KINDS:
        abort(404)
    model, form_cls, save, title = KINDS[kind]
    discussion = access.discussion_or_403(discussion_id)
    item = access.item_or_403(discussion, item_id)
    record = _record_or_404(model, item, record_id) if record_id else None
    form = form_cls(obj=record)
    if kind == "talks":
        form.offer(discussion.is_held, new=record is None)
    if record is not None and kind == "assessments" and record.result is not None:
        form.year.data = form.year.data or record.result.year
    if run_form(form, lambda: save(discussion, item, record, form.data_for_service()),
                record=record) is not None:
        flash(f"{title}已保存。", "success")
        return _back(discussion, item)
    return render_template("moves/record_form.html", discussion=discussion, item=item,
                           form=form, title=("修改" if record else "添加") + title, kind=kind)


@bp.post("/items/<int:item_id>/<kind>/<int:record_id>/delete")
def record_delete(discussion_id: int, item_id: int, kind: str, record_id: int):
    if kind not in KINDS:
        abort(404)
    model, _form, _save, title = KINDS[kind]
    discussion = access.discussion_or_403(discussion_id)
    item = access.item_or_403(discussion, item_id)
    record = _record_or_404(model, item, record_id)
    try:
        records.delete_record(discussion, item, record)
        db.session.commit()
        flash(f"{title}已删除（删除记录保留在审计日志中）。", "info")
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
    return _back(discussion, item)


@bp.route("/items/<int:item_id>/appointment", methods=["GET", "POST"])
def appointment(discussion_id: int, item_id: int):
    discussion = access.discussion_or_403(discussion_id)
    item = access.item_or_403(discussion, item_id)
    done = appointment_of(item)
    if done is not None:
        abort(404)  # recorded once; the item page shows it
    form = AppointmentForm()
    if run_form(form, lambda: publicities.record_appointment(
            item, form.data_for_service())) is not None:
        flash(f"已登记{item.official.name}任职。", "success")
        return _back(discussion, item)
    return render_template("moves/appointment.html", discussion=discussion, item=item, form=form,
                           problems=publicities.appointment_problems(item, None))


@bp.route("/publicity/new", methods=["GET", "POST"])
def publicity_new(discussion_id: int):
    discussion = access.discussion_or_403(discussion_id)
    if access.recused_ids(discussion.items):
        abort(403)  # the notice names every approved official of the meeting
    form = PublicityForm()
    if not form.is_submitted():
        start = publicities.next_start(discussion, clock.today())
        form.start_on.data = start
        form.work_days.data = publicities.default_days()
    made = run_form(form, lambda: publicities.publish(discussion, form.data_for_service()))
    if made is not None:
        flash(f"任前公示已发布（{made.start_on.isoformat()} 至 {made.end_on.isoformat()}），"
              "公示文本已存档。", "success")
        return redirect(url_for("moves.publicity_show", discussion_id=discussion.id,
                                publicity_id=made.id))
    return render_template("moves/publicity_form.html", discussion=discussion, form=form,
                           items=publicities.eligible_items(discussion))


def _publicity_or_404(discussion, publicity_id) -> Publicity:
    found = db.session.get(Publicity, publicity_id)
    if found is None or found.discussion_id != discussion.id or found.deleted_at is not None:
        abort(404)
    return found


@bp.get("/publicity/<int:publicity_id>")
def publicity_show(discussion_id: int, publicity_id: int):
    discussion = access.discussion_or_403(discussion_id)
    found = _publicity_or_404(discussion, publicity_id)
    recused = access.recused_ids([e.item for e in found.entries])
    return render_template("moves/publicity.html", discussion=discussion, publicity=found,
                           status={e.id: publicities.entry_status(e) for e in found.entries},
                           recused=recused)


@bp.get("/publicity/<int:publicity_id>.pdf")
def publicity_pdf(discussion_id: int, publicity_id: int):
    discussion = access.discussion_or_403(discussion_id)
    found = _publicity_or_404(discussion, publicity_id)
    access.log("download", discussion, "任前公示", publicity_id=found.id, sha256=found.sha256)
    db.session.commit()
    return attachment(found.pdf, f"干部任前公示_{found.start_on.isoformat()}_{found.id}.pdf")


@bp.route("/publicity/<int:publicity_id>/entries/<int:entry_id>", methods=["GET", "POST"])
def outcome(discussion_id: int, publicity_id: int, entry_id: int):
    discussion = access.discussion_or_403(discussion_id)
    found = _publicity_or_404(discussion, publicity_id)
    entry = db.session.get(PublicityEntry, entry_id)
    if entry is None or entry.publicity_id != found.id:
        abort(404)
    access.item_or_403(discussion, entry.item_id)
    form = OutcomeForm(obj=entry)
    if run_form(form, lambda: publicities.record_outcome(entry, form.data_for_service()),
                record=entry) is not None:
        flash(f"已登记{entry.item.official.name}的公示结果：{entry.outcome_label}。", "success")
        return redirect(url_for("moves.publicity_show", discussion_id=discussion.id,
                                publicity_id=found.id))
    return render_template("moves/outcome.html", discussion=discussion, publicity=found,
                           entry=entry, form=form, status=publicities.entry_status(entry))
