"""Pages: an official's discipline record, findings, exemptions, integrity opinions.

Access is decided by blueprint guards: reading needs ``DISCIPLINE_READ``
(organization, discipline); writing findings, exemptions and answers needs
``DISCIPLINE_WRITE`` (discipline); requesting an opinion ``INTEGRITY_REQUEST``
(organization). Every view goes through ``official_or_404`` (recusal). The
details field reaches a template only for ``DISCIPLINE_DETAILS``.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from kaohe.core import clock
from kaohe.auth.permissions import P, can, can_view_official, guard
from kaohe.core.crud import official_or_404, run_form
from kaohe.core.errors import ValidationFailed
from kaohe.discipline import forms, letters, queries, rules, services
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db
from kaohe.settings import services as settings

bp = guard(Blueprint("discipline", __name__, url_prefix="/officials/<int:official_id>/discipline"),
           read=P.DISCIPLINE_READ)
edit_bp = guard(Blueprint("edit", __name__), read=P.DISCIPLINE_WRITE)
request_bp = guard(Blueprint("request", __name__), read=P.INTEGRITY_REQUEST)

integrity_bp = guard(Blueprint("integrity", __name__, url_prefix="/integrity-opinions"),
                     read=P.DISCIPLINE_READ)
answer_bp = guard(Blueprint("answer", __name__), read=P.DISCIPLINE_WRITE)
withdraw_bp = guard(Blueprint("withdraw", __name__), read=P.INTEGRITY_REQUEST)


def _finding_or_404(official, finding_id: int) -> DisciplineFinding:
    finding = db.session.get(DisciplineFinding, finding_id)
    if finding is None or finding.deleted_at or finding.official_id != official.id:
        abort(404)
    return finding


def _opinion_or_404(opinion_id: int) -> IntegrityOpinion:
    opinion = db.session.get(IntegrityOpinion, opinion_id)
    if opinion is None or opinion.deleted_at:
        abort(404)
    official_or_404(opinion.official_id)  # recusal
    return opinion


def _back(official, anchor="findings"):
    return redirect(url_for("discipline.index", official_id=official.id, _anchor=anchor))


def _form_page(form, official, title, context=None, finding=None, queue=None):
    """A form about ``official``; ``queue`` (True, or the request's letter): reached from
    the commission's queue, which its crumbs and 取消 lead back to."""
    return render_template("discipline/form.html", form=form, official=official, title=title,
                           context=context, finding=finding, queue=queue)


@bp.app_template_global()
def discipline_summary(official_id: int) -> dict:
    """What the official's profile shows about discipline (no details)."""
    today = clock.today()
    rows = queries.findings_with_periods(official_id)
    opinion = queries.valid_opinion(official_id, today)
    return {"findings": len(rows), "counting": sum(1 for f, _ in rows if f.counts),
            "blockers": services.blocking_conditions(official_id, today, rows, opinion),
            "opinion": opinion, "expiry": queries.opinion_expiry(opinion) if opinion else None}


@bp.route("/")
def index(official_id: int):
    official = official_or_404(official_id)
    today = clock.today()
    opinions = queries.opinions_of(official_id)
    valid = queries.valid_opinion(official_id, today)
    rows = queries.findings_with_periods(official_id)
    return render_template(
        "discipline/index.html", official=official, today=today, rows=rows,
        blockers=services.blocking_conditions(official_id, today, rows, valid),
        opinions=[(o, queries.opinion_expiry(o)) for o in opinions], valid=valid,
        valid_until=queries.opinion_expiry(valid) if valid else None,
        validity_months=settings.get(rules.OPINION_VALIDITY_KEY))


@bp.route("/findings/<int:finding_id>")
def finding(official_id: int, finding_id: int):
    official = official_or_404(official_id)
    item = _finding_or_404(official, finding_id)
    period = dict((f.id, p) for f, p in queries.findings_with_periods(official_id))[item.id]
    return render_template("discipline/finding.html", official=official, f=item, period=period,
                           show_details=can(P.DISCIPLINE_DETAILS))


def _edit_finding(official_id: int, finding_id: int | None):
    official = official_or_404(official_id)
    item = _finding_or_404(official, finding_id) if finding_id else None
    form = forms.FindingForm(obj=item)
    saved = run_form(form, lambda: services.save_finding(official, item, form.data_for_service()),
                     record=item)
    if saved is not None:
        flash("纪委了解的情况已保存。", "success")
        return redirect(url_for("discipline.finding", official_id=official.id, finding_id=saved.id))
    return _form_page(form, official, ("修改" if item else "新增") + "纪委了解的情况", finding=item)


@edit_bp.route("/findings/new", methods=["GET", "POST"])
def new_finding(official_id: int):
    return _edit_finding(official_id, None)


@edit_bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
def edit_finding(official_id: int, finding_id: int):
    return _edit_finding(official_id, finding_id)


@edit_bp.route("/findings/<int:finding_id>/delete", methods=["POST"])
def delete_finding(official_id: int, finding_id: int):
    official = official_or_404(official_id)
    item = _finding_or_404(official, finding_id)
    try:
        services.delete_finding(item)
        db.session.commit()
        flash("已删除（删除记录保留在审计日志中）。", "info")
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
    return _back(official)


@edit_bp.route("/findings/<int:finding_id>/exemption", methods=["GET", "POST"])
def grant_exemption(official_id: int, finding_id: int):
    official = official_or_404(official_id)
    item = _finding_or_404(official, finding_id)
    form = forms.ExemptionForm()
    if run_form(form, lambda: services.grant_exemption(item, form.data_for_service())):
        flash("已认定容错免责：该问题不再计入对干部和单位的评价。", "success")
        return redirect(url_for("discipline.finding", official_id=official.id, finding_id=item.id))
    return _form_page(form, official, "认定容错免责", finding=item)


@edit_bp.route("/findings/<int:finding_id>/exemption/revoke", methods=["GET", "POST"])
def revoke_exemption(official_id: int, finding_id: int):
    official = official_or_404(official_id)
    item = _finding_or_404(official, finding_id)
    form = forms.RevokeExemptionForm()
    if run_form(form, lambda: services.revoke_exemption(item, form.data_for_service())):
        flash("已撤销容错免责（撤销记录保留）。", "success")
        return redirect(url_for("discipline.finding", official_id=official.id, finding_id=item.id))
    return _form_page(form, official, "撤销容错免责", finding=item)


@request_bp.route("/opinions/new", methods=["GET", "POST"])
def request_opinion(official_id: int):
    official = official_or_404(official_id)
    form = forms.OpinionRequestForm()
    if run_form(form, lambda: services.request_opinion(official, form.data_for_service())):
        flash("已向纪检监察机关征求党风廉政意见。", "success")
        return _back(official, "opinions")
    return _form_page(form, official, "征求党风廉政意见")


@integrity_bp.route("/")
def queue():
    """Opinion requests, unanswered first (the commission's work list)."""
    opinions = db.session.scalars(
        select(IntegrityOpinion).options(selectinload(IntegrityOpinion.official))
        .order_by(IntegrityOpinion.outcome.is_not(None),  # waiting first, oldest first
                  case((IntegrityOpinion.outcome.is_(None), IntegrityOpinion.requested_on)),
                  case((IntegrityOpinion.outcome.is_(None), IntegrityOpinion.id)),
                  IntegrityOpinion.requested_on.desc(), IntegrityOpinion.id.desc()).limit(500))
    visible = [(o, queries.opinion_expiry(o)) for o in opinions
               if can_view_official(o.official_id)]
    return render_template("discipline/queue.html", opinions=visible, today=clock.today(),
                           next_id=letters.next_waiting(can_view_official))


@answer_bp.route("/<int:opinion_id>/answer", methods=["GET", "POST"])
def answer(opinion_id: int):
    opinion = _opinion_or_404(opinion_id)
    form = forms.OpinionAnswerForm(obj=opinion)
    if run_form(form, lambda: services.answer_opinion(opinion, form.data_for_service()),
                record=opinion):
        following = letters.next_waiting(can_view_official, after=opinion.id)
        if following is None:
            flash("党风廉政意见已回复。待回复的意见征求已全部回复。", "success")
            return redirect(url_for("integrity.queue"))
        flash("党风廉政意见已回复。已打开下一条待回复的意见征求。", "success")
        return redirect(url_for("integrity.answer.answer", opinion_id=following))
    return _form_page(form, opinion.official, "回复党风廉政意见", context=opinion,
                      queue=letters.letter_of(opinion.id) or True)


@withdraw_bp.route("/<int:opinion_id>/withdraw", methods=["POST"])
def withdraw(opinion_id: int):
    opinion = _opinion_or_404(opinion_id)
    try:
        services.withdraw_opinion(opinion)
        db.session.commit()
        flash("意见征求已撤回。", "info")
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(exc.errors.values()), "error")
    return _back(opinion.official, "opinions")


bp.register_blueprint(edit_bp)
bp.register_blueprint(request_bp)
integrity_bp.register_blueprint(answer_bp)
integrity_bp.register_blueprint(withdraw_bp)
