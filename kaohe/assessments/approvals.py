"""Approvals raising a unit's 优秀 quota for one year (:class:`ExcellentQuotaApproval`)."""
from __future__ import annotations

from sqlalchemy import select

from kaohe.assessments import quota
from kaohe.assessments.models import ExcellentQuotaApproval
from kaohe.assessments.services import FIRST_YEAR
from kaohe.core import clock, records
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.units.models import Unit


def _lowering_problem(unit: Unit, year: int, pct: int | None) -> str | None:
    """Refuse a change that would leave the year's recorded 优秀 over the quota."""
    now = quota.usage(unit.id, year)
    allowed = max(pct or 0, now.base_pct) * now.assessed // 100
    if allowed >= now.allowed or now.excellent <= allowed:
        return None
    what = "撤销批准" if pct is None else f"改为 {pct}%"
    return (f"该单位{year}年度参加考核 {now.assessed} 人，已有优秀 {now.excellent} 人；"
            f"{what}后最多 {allowed} 人。请先调整该年度的考核结果。")


def validate(unit: Unit, approval: ExcellentQuotaApproval | None, data: dict) -> dict[str, str]:
    """Field → message for every rule ``data`` breaks (empty when valid)."""
    errors: dict[str, str] = {}
    year, pct = data.get("year"), data.get("pct")
    this_year = clock.today().year
    if year is None or not FIRST_YEAR <= year <= this_year:
        errors["year"] = f"年度应在 {FIRST_YEAR} 至 {this_year} 之间。"
    base, top = int(settings.get(quota.BASE_PCT)), int(settings.get(quota.APPROVED_PCT))
    if top <= base:
        errors["pct"] = (f"{quota.setting_label(quota.APPROVED_PCT)}（{top}%）不高于"
                         f"{quota.setting_label(quota.BASE_PCT)}（{base}%），无需也不能登记批准。")
    elif pct is None or not base < pct <= top:
        errors["pct"] = (f"批准的优秀比例应高于{quota.setting_label(quota.BASE_PCT)} {base}%，"
                         f"且不超过{quota.setting_label(quota.APPROVED_PCT)} {top}%。")
    for field, label in (("approved_by", "批准单位"), ("document_number", "批准文号")):
        if not (data.get(field) or "").strip():
            errors[field] = f"请填写{label}。"
    if "year" not in errors:
        clash = db.session.scalar(select(ExcellentQuotaApproval).where(
            ExcellentQuotaApproval.unit_id == unit.id, ExcellentQuotaApproval.year == year))
        if clash is not None and clash is not approval:
            errors["year"] = (f"该单位{year}年度已登记优秀比例批准（文号：{clash.document_number}），"
                              "请修改原记录。")
    if not errors and approval is not None:
        same_year = year == approval.year  # else the old year loses its approval
        problem = _lowering_problem(unit, approval.year, pct if same_year else None)
        if problem:
            errors["pct" if same_year else "year"] = problem
    return errors


def save_approval(unit: Unit, approval: ExcellentQuotaApproval | None,
                  data: dict) -> ExcellentQuotaApproval:
    """Record or change an approval after checking every rule; flush only."""
    data = {**data, **{k: (data.get(k) or "").strip()
                       for k in ("approved_by", "document_number", "note")}}
    records.raise_if(validate(unit, approval, data))
    return records.save(ExcellentQuotaApproval, approval, data, unit_id=unit.id)


def delete_approval(approval: ExcellentQuotaApproval) -> None:
    """Withdraw an approval, unless the year's recorded 优秀 need it; flush only."""
    problem = _lowering_problem(approval.unit, approval.year, None)
    if problem:
        records.raise_if({"_": problem})
    records.soft_delete(approval)
