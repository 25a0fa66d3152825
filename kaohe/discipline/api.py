"""Integration API for the commission's own case system (discipline tokens only).

JSON in, JSON out. Input is validated by the very form classes of the pages
(fed from the JSON through a MultiDict, CSRF off) and then by the same
services, so a refusal is the same Chinese message as on the page:
``400 {"error": "...", "fields": {"field": "message"}}`` with nothing saved.

Only ``Authorization: Bearer`` requests of users holding ``DISCIPLINE_WRITE``
are served. The blueprint is CSRF-exempt, which is safe because it serves
token-authenticated requests alone: a cookie-session request is refused (403)
before any view runs, so a browser can never be made to write here.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify

from kaohe.api.tokens import form_data, save, token_only
from kaohe.core.crud import official_or_404
from kaohe.auth.permissions import P, can
from kaohe.discipline import forms, queries, serializers, services
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db

bp = token_only(Blueprint("discipline_api", __name__, url_prefix="/api/v1"),
                P.DISCIPLINE_WRITE,
                session_refused="集成接口只接受纪委监委的 API 令牌（Authorization: Bearer）。",
                forbidden="只有纪委监委的令牌可以调用该接口。")

def _finding_json(finding: DisciplineFinding, status: int):
    period = dict((f.id, p) for f, p in queries.findings_with_periods(finding.official_id))
    # Only DISCIPLINE_WRITE tokens get here; details still follow their own permission.
    return jsonify(serializers.finding_dict(finding, period.get(finding.id),
                                            with_details=can(P.DISCIPLINE_DETAILS))), status


@bp.post("/officials/<int:official_id>/discipline-findings")
def create_finding(official_id: int):
    official = official_or_404(official_id)
    data = form_data(forms.FindingForm)
    finding = save(lambda: services.save_finding(official, None, data))
    return _finding_json(finding, 201)


@bp.put("/discipline-findings/<int:finding_id>")
def update_finding(finding_id: int):
    """Replace a finding (e.g. the case closed): the full set of fields, as on creation,
    and the ``version`` read."""
    finding = db.session.get(DisciplineFinding, finding_id)
    if finding is None or finding.deleted_at:
        abort(404, description="该记录不存在。")
    official = official_or_404(finding.official_id)
    data = form_data(forms.FindingForm, record=finding)
    finding = save(lambda: services.save_finding(official, finding, data))
    return _finding_json(finding, 200)


@bp.post("/integrity-opinions/<int:opinion_id>/answer")
def answer_opinion(opinion_id: int):
    opinion = db.session.get(IntegrityOpinion, opinion_id)
    if opinion is None or opinion.deleted_at:
        abort(404, description="没有这项党风廉政意见征求：只能回复组织部门已发出的征求。")
    official_or_404(opinion.official_id)
    data = form_data(forms.OpinionAnswerForm)
    opinion = save(lambda: services.answer_opinion(opinion, data))
    return jsonify(serializers.opinion_dict(opinion, queries.opinion_expiry(opinion))), 200
