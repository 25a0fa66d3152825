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

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from kaohe.auth import services as auth_services
from kaohe.auth.permissions import P, can, can_view_official, require
from kaohe.core.errors import ValidationFailed
from kaohe.discipline import forms, queries, serializers, services
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import csrf, db
from kaohe.officials.models import Official

bp = Blueprint("discipline_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_FIELD = 50_000


def _bearer_user():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return auth_services.user_for_token(header[7:].strip())


@bp.before_request
def _token_only():
    token_user = _bearer_user()
    if token_user is None:  # cookie session (or nobody): never served, so no CSRF exposure
        require(P.DISCIPLINE_WRITE)  # 401 when anonymous
        abort(403, description="集成接口只接受纪委监委的 API 令牌（Authorization: Bearer）。")
    if not current_user.is_authenticated or current_user.id != token_user.id:
        abort(403, description="请求同时带有会话和其他用户的令牌，已拒绝。")
    if not can(P.DISCIPLINE_WRITE):
        abort(403, description="只有纪委监委的令牌可以调用该接口。")


class BadRequest(Exception):
    def __init__(self, error: str, fields: dict[str, str] | None = None):
        super().__init__(error)
        self.error, self.fields = error, fields or {}


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest):
    db.session.rollback()
    return jsonify({"error": exc.error, "fields": exc.fields}), 400


def _form_from_json(form_cls):
    """Validate the JSON body with ``form_cls``; returns the data for the service."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("请求体应为 JSON 对象（Content-Type: application/json）。")
    form = form_cls(formdata=None, meta={"csrf": False})
    known = {f.name for f in form if f.type not in ("SubmitField", "CSRFTokenField")}
    unknown = sorted(k for k in body if k not in known)
    if unknown:
        raise BadRequest("请求中有未知字段。",
                         {k: f"未知字段；可用字段：{'、'.join(sorted(known))}。" for k in unknown})
    data, fields = MultiDict(), {}
    for key, value in body.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            fields[key] = "取值应为字符串或数字。"
        elif len(str(value)) > MAX_FIELD:
            fields[key] = "内容过长。"
        else:
            data.add(key, str(value))
    if fields:
        raise BadRequest("输入有误，未保存任何内容。", fields)
    form = form_cls(formdata=data, meta={"csrf": False})
    if not form.validate():
        raise BadRequest("输入有误，未保存任何内容。",
                         {name: errors[0] for name, errors in form.errors.items() if errors})
    return form.data_for_service()


def _save(call):
    try:
        result = call()
        db.session.commit()
        return result
    except ValidationFailed as exc:
        db.session.rollback()
        general = exc.errors.get("_")
        raise BadRequest(general or "输入有误，未保存任何内容。",
                         {k: v for k, v in exc.errors.items() if k != "_"}) from None


def _official(official_id: int) -> Official:
    if not can_view_official(official_id):
        abort(403)
    official = db.session.get(Official, official_id)
    if official is None:
        abort(404, description="干部不存在。")
    return official


def _finding_json(finding: DisciplineFinding, status: int):
    period = dict((f.id, p) for f, p in queries.findings_with_periods(finding.official_id))
    # Only DISCIPLINE_WRITE tokens get here; details still follow their own permission.
    return jsonify(serializers.finding_dict(finding, period.get(finding.id),
                                            with_details=can(P.DISCIPLINE_DETAILS))), status


@bp.post("/officials/<int:official_id>/discipline-findings")
def create_finding(official_id: int):
    official = _official(official_id)
    data = _form_from_json(forms.FindingForm)
    finding = _save(lambda: services.save_finding(official, None, data))
    return _finding_json(finding, 201)


@bp.put("/discipline-findings/<int:finding_id>")
def update_finding(finding_id: int):
    """Replace a finding (e.g. the case closed): the full set of fields, as on creation."""
    finding = db.session.get(DisciplineFinding, finding_id)
    if finding is None or finding.deleted_at:
        abort(404, description="该记录不存在。")
    official = _official(finding.official_id)
    data = _form_from_json(forms.FindingForm)
    finding = _save(lambda: services.save_finding(official, finding, data))
    return _finding_json(finding, 200)


@bp.post("/integrity-opinions/<int:opinion_id>/answer")
def answer_opinion(opinion_id: int):
    opinion = db.session.get(IntegrityOpinion, opinion_id)
    if opinion is None or opinion.deleted_at:
        abort(404, description="没有这项党风廉政意见征求：只能回复组织部门已发出的征求。")
    _official(opinion.official_id)
    data = _form_from_json(forms.OpinionAnswerForm)
    opinion = _save(lambda: services.answer_opinion(opinion, data))
    return jsonify(serializers.opinion_dict(opinion, queries.opinion_expiry(opinion))), 200
