"""Writes of the discipline feature, and the read services other features call.

Every write validates its input and raises :class:`ValidationFailed` (field →
Chinese message) before anything is flushed; views and the API commit once.
Permission checks are the callers' (blueprint guards); services trust them.

Read services for other features (re-exported from :mod:`.queries`):
``blocking_conditions``, ``valid_opinion``, ``party_conduct_deductions``
(``party_conduct_deductions_of`` for many units at once), ``dossier_section``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.audit.services import current_actor, record_event
from kaohe.core import records
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.discipline import impact, rules
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion, ToleranceExemption
from kaohe.discipline.queries import (  # noqa: F401  (public read API of the feature)
    Blocker, Deduction, attributed_unit, blocking_conditions, dossier_section, opinion_expiry,
    party_conduct_deductions, party_conduct_deductions_of, valid_opinion)
from kaohe.extensions import db
from kaohe.officials.models import Official

FINDING_FIELDS = ("found_date", "source", "kind", "status", "decision_date", "period_months",
                  "summary", "details")


def attributed_unit_id(official: Official, day: dt.date) -> int | None:
    """The unit a finding about ``official`` found on ``day`` counts against
    (:func:`.queries.attributed_unit`, the rule the deductions read)."""
    return db.session.scalar(select(attributed_unit(official.id, day)))


def _check_finding(data: dict, finding: DisciplineFinding | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    found, decided = data.get("found_date"), data.get("decision_date")
    kind, status, period = data.get("kind"), data.get("status"), data.get("period_months")
    if found is None:
        errors["found_date"] = "请填写发现日期。"
    records.not_in_future(errors, "found_date", found)
    records.not_in_future(errors, "decision_date", decided)
    if data.get("source") not in rules.SOURCES:
        errors["source"] = "未知的问题来源，请从列表中选择。"
    if kind not in rules.KINDS:
        errors["kind"] = "未知的处理方式，请从列表中选择。"
    if status not in rules.STATUSES:
        errors["status"] = "未知的办理状态，请从列表中选择。"
    if found and decided and "decision_date" not in errors and decided < found:
        errors["decision_date"] = "决定日期不能早于发现日期。"
    if status in rules.OPEN_STATUSES and decided:
        errors.setdefault("decision_date",
                          "问题尚在处置中，不能填写决定日期；办结后将状态改为“已结案”或“了结澄清”。")
    if status == "closed":
        if not decided:
            errors.setdefault("decision_date", "已结案的问题须填写决定日期。")
        if kind == "pending":
            errors.setdefault("kind", "已结案的问题须选择处理方式；未作处理的请将状态选为“了结澄清”。")
    if status == "cleared" and kind in rules.KINDS and kind not in rules.CLEARED_KINDS:
        errors["kind"] = ("了结澄清的问题不产生处分和影响期：处理方式只能是“尚未定性/未作处理”"
                          "或谈话函询类；确有处分的请将状态选为“已结案”。")
    if period is not None and "kind" not in errors:
        base = impact.base_months(kind) if kind in rules.TIMED_KINDS else None
        cap = impact.admin_cap()
        if status == "cleared":
            errors["period_months"] = "了结澄清的问题没有处分期。"
        elif rules.KINDS.get(kind, ("",))[0] != "administrative" or base is None:
            errors["period_months"] = "只有政务处分（警告至撤职）可以合并确定处分期。"
        elif not base <= period <= cap:
            errors["period_months"] = f"合并确定的处分期应在 {base} 到 {cap} 个月之间。"
    if not (data.get("summary") or "").strip():
        errors["summary"] = "请填写情况摘要。"
    if finding is not None and finding.exemption is not None and status != "closed":
        errors.setdefault("status", "该问题已认定容错免责，须先撤销免责才能改为未结案或了结澄清。")
    return errors


def save_finding(official: Official, finding: DisciplineFinding | None,
                 data: dict) -> DisciplineFinding:
    """Create or update a finding of ``official``; nothing is flushed on refusal."""
    data = {k: data.get(k) for k in FINDING_FIELDS}
    data["summary"] = (data["summary"] or "").strip()
    data["details"] = (data["details"] or "").strip()
    records.raise_if(_check_finding(data, finding))
    if finding is None:
        details_changed = bool(data["details"])
    else:
        details_changed = finding.details != data["details"]
    data["unit_id"] = attributed_unit_id(official, data["found_date"])
    saved = records.save(DisciplineFinding, finding, data, official_id=official.id)
    if details_changed:  # the audit rows exclude details; note the change, not the text
        record_event("details_changed", "discipline_finding", saved.id,
                     {"length": len(data["details"])})
    return saved


def delete_finding(finding: DisciplineFinding) -> None:
    if finding.exemption is not None:
        raise ValidationFailed("该问题已认定容错免责，须先撤销免责再删除。")
    records.soft_delete(finding)


def grant_exemption(finding: DisciplineFinding, data: dict) -> ToleranceExemption:
    """容错免责: only on a closed finding without an exemption in force."""
    db.session.refresh(finding, with_for_update=True)  # one exemption at a time
    errors: dict[str, str] = {}
    reason, approver = (data.get("reason") or "").strip(), (data.get("approver") or "").strip()
    approved_on = data.get("approved_on")
    if finding.status != "closed":
        errors["_"] = ("只能对已结案的问题认定容错免责（了结澄清的问题本就不计入，"
                       "处置中的问题请结案后认定）。")
    if finding.exemption is not None:
        errors["_"] = "该问题已有生效的容错免责认定。"
    if not reason:
        errors["reason"] = "请填写容错免责理由。"
    if not approver:
        errors["approver"] = "请填写批准机关或批准人。"
    if approved_on is None:
        errors["approved_on"] = "请填写批准日期。"
    else:
        records.not_in_future(errors, "approved_on", approved_on)
        if approved_on < finding.found_date:
            errors.setdefault("approved_on", "批准日期不能早于问题发现日期。")
    records.raise_if(errors)
    exemption = ToleranceExemption(finding=finding, reason=reason, approver=approver,
                                   approved_on=approved_on, granted_by_id=current_actor()[0])
    db.session.add(exemption)
    db.session.flush()
    return exemption


def revoke_exemption(finding: DisciplineFinding, data: dict) -> ToleranceExemption:
    """Withdraw the exemption in force; the row stays, marked revoked (and audited)."""
    exemption = finding.exemption
    reason = (data.get("revoke_reason") or "").strip()
    errors: dict[str, str] = {}
    if exemption is None:
        errors["_"] = "该问题没有生效的容错免责认定。"
    if not reason:
        errors["revoke_reason"] = "请填写撤销容错免责的理由。"
    records.raise_if(errors)
    exemption.revoked_at = utcnow()
    exemption.revoked_by_id = current_actor()[0]
    exemption.revoke_reason = reason
    db.session.flush()
    return exemption


def request_opinion(official: Official, data: dict) -> IntegrityOpinion:
    """The organization asks the commission for an integrity opinion on ``official``."""
    errors: dict[str, str] = {}
    purpose, requested_on = (data.get("purpose") or "").strip(), data.get("requested_on")
    if not purpose:
        errors["purpose"] = "请填写征求事由。"
    elif len(purpose) > 200:
        errors["purpose"] = "征求事由不超过 200 字。"
    if requested_on is None:
        errors["requested_on"] = "请填写征求日期。"
    records.not_in_future(errors, "requested_on", requested_on)
    pending = db.session.scalar(select(IntegrityOpinion).where(
        IntegrityOpinion.official_id == official.id, IntegrityOpinion.outcome.is_(None)))
    if pending is not None:
        errors["_"] = f"已有待回复的意见征求（{pending.requested_on}，{pending.purpose}），请勿重复征求。"
    records.raise_if(errors)
    return records.save(IntegrityOpinion, None, {"purpose": purpose, "requested_on": requested_on},
                        official_id=official.id)


def withdraw_opinion(opinion: IntegrityOpinion) -> None:
    if opinion.is_answered:
        raise ValidationFailed("已回复的意见不能撤回。")
    records.soft_delete(opinion)


def answer_opinion(opinion: IntegrityOpinion, data: dict) -> IntegrityOpinion:
    """The commission answers a request once, with one of the six outcomes and a text."""
    db.session.refresh(opinion, with_for_update=True)  # a concurrent answer waits, then fails
    errors: dict[str, str] = {}
    outcome, answered_on = data.get("outcome"), data.get("answered_on")
    text = (data.get("answer_text") or "").strip()
    if opinion.is_answered:
        errors["_"] = (f"该意见征求已于 {opinion.answered_on} 回复（{opinion.outcome_label}），"
                       "不能重复回复；如需新的意见请由组织部门重新征求。")
    if outcome not in rules.OUTCOMES:
        errors["outcome"] = "未知的回复结论，请从六种结论中选择。"
    if not text:
        errors["answer_text"] = "请填写回复意见。"
    if answered_on is None:
        errors["answered_on"] = "请填写回复日期。"
    else:
        records.not_in_future(errors, "answered_on", answered_on)
        if answered_on < opinion.requested_on:
            errors.setdefault("answered_on", f"回复日期不能早于征求日期（{opinion.requested_on}）。")
    records.raise_if(errors)
    opinion.outcome, opinion.answered_on, opinion.answer_text = outcome, answered_on, text
    opinion.answered_at, opinion.answered_by_id = utcnow(), current_actor()[0]
    db.session.flush()
    return opinion
