"""Plain-JSON views of findings and opinions.

``details`` is added only when the caller passes ``with_details=True``, which
callers do only for users holding ``DISCIPLINE_DETAILS``; everything meant for
other readers (dossier, organization) goes through the default.
"""
from __future__ import annotations

from kaohe.discipline.impact import ImpactPeriod
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion, ToleranceExemption


def _d(value):
    return value.isoformat() if value is not None else None


def exemption_dict(e: ToleranceExemption) -> dict:
    return {"id": e.id, "reason": e.reason, "approver": e.approver,
            "approved_on": _d(e.approved_on), "revoked": e.revoked_at is not None,
            "revoked_at": _d(e.revoked_at), "revoke_reason": e.revoke_reason or None}


def finding_dict(f: DisciplineFinding, period: ImpactPeriod | None, *,
                 with_details: bool = False) -> dict:
    out = {
        "id": f.id, "version": f.version, "official_id": f.official_id, "unit_id": f.unit_id,
        "unit_name": f.unit.name if f.unit else None,
        "found_date": _d(f.found_date), "source": f.source, "source_label": f.source_label,
        "kind": f.kind, "kind_label": f.kind_label, "status": f.status,
        "status_label": f.status_label, "decision_date": _d(f.decision_date),
        "period_months": f.period_months, "summary": f.summary,
        "impact": period.as_dict() if period else None,
        "cleared": f.is_cleared, "counts": f.counts,
        "exemption": exemption_dict(f.exemption) if f.exemption else None,
    }
    if with_details:
        out["details"] = f.details
    return out


def opinion_dict(o: IntegrityOpinion, expiry=None) -> dict:
    return {"id": o.id, "official_id": o.official_id, "purpose": o.purpose,
            "requested_on": _d(o.requested_on), "answered": o.is_answered,
            "outcome": o.outcome, "outcome_label": o.outcome_label if o.is_answered else None,
            "answer_text": o.answer_text if o.is_answered else None,
            "answered_on": _d(o.answered_on), "valid_until": _d(expiry),
            "blocking": o.is_blocking}
