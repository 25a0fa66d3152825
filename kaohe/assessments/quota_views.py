"""Recording approvals that raise a unit's 优秀 quota (nested under the unit's page)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from kaohe.assessments import approvals
from kaohe.assessments.forms import QuotaApprovalForm
from kaohe.assessments.models import ExcellentQuotaApproval
from kaohe.auth.permissions import P, guard
from kaohe.core.crud import run_form
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.units.models import Unit

bp = guard(Blueprint("quota", __name__, url_prefix="/<int:unit_id>/excellent-quota"),
           read=P.OFFICIALS_WRITE)


def _back(unit: Unit):
    return redirect(url_for("units.show", unit_id=unit.id, _anchor="excellent-quota"))


def _approval_or_404(unit: Unit, approval_id: int) -> ExcellentQuotaApproval:
    approval = db.session.get(ExcellentQuotaApproval, approval_id)
    if approval is None or approval.unit_id != unit.id:
        abort(404)
    return approval


def _edit(unit_id: int, approval_id: int | None):
    unit = db.get_or_404(Unit, unit_id, description="单位不存在。")
    approval = _approval_or_404(unit, approval_id) if approval_id else None
    form = QuotaApprovalForm(obj=approval)
    if run_form(form, lambda: approvals.save_approval(unit, approval, form.data_for_service()),
                record=approval) is not None:
        flash("优秀比例批准情况已保存。", "success")
        return _back(unit)
    return render_template("assessments/quota_approval_form.html", form=form, unit=unit,
                           approval=approval)


@bp.route("/new", methods=["GET", "POST"])
def new(unit_id: int):
    return _edit(unit_id, None)


@bp.route("/<int:approval_id>/edit", methods=["GET", "POST"])
def edit(unit_id: int, approval_id: int):
    return _edit(unit_id, approval_id)


@bp.post("/<int:approval_id>/delete")
def delete(unit_id: int, approval_id: int):
    unit = db.get_or_404(Unit, unit_id, description="单位不存在。")
    approval = _approval_or_404(unit, approval_id)
    try:
        approvals.delete_approval(approval)
        db.session.commit()
        flash("优秀比例批准已撤销（记录保留在审计日志中）。", "info")
    except ValidationFailed as exc:
        db.session.rollback()
        flash("未撤销：" + "；".join(exc.errors.values()), "error")
    return _back(unit)
