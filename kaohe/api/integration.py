"""/api/v1 additions: units (read) and the writes integrations need (token only).

Writes are validated by the form classes of the pages, fed from the JSON body
(a field left out counts as left blank, as in a browser; on PUT it keeps the
recorded value), then by the same services: a refusal is ``400 {"error": ...,
"fields": {"field": "中文说明"}}`` with nothing saved. Only ``Authorization:
Bearer`` requests are served, so the blueprint is CSRF-exempt safely: a
cookie-session request is refused (403) before any view runs.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from kaohe.api.openapi import describe, documented
from kaohe.assessments.forms import ResultForm
from kaohe.assessments.services import save_result
from kaohe.auth import services as auth_services
from kaohe.auth.permissions import P, can, can_view_official, guard, require
from kaohe.core.errors import ValidationFailed
from kaohe.core.forms import BaseForm
from kaohe.extensions import csrf, db
from kaohe.officials import serializers
from kaohe.officials.forms import OfficialForm, PostForm, SearchForm
from kaohe.officials.models import Official
from kaohe.units.models import Unit

units_bp = guard(Blueprint("api_units", __name__, url_prefix="/api/v1"), read=P.UNITS_READ)
csrf.exempt(units_bp)
write_bp = Blueprint("api_write", __name__, url_prefix="/api/v1")
csrf.exempt(write_bp)

MAX_FIELD = 10_000

describe("api.officials", query=SearchForm, tags=["officials"])
describe("api.official", tags=["officials"])


def unit_dict(u: Unit) -> dict:
    return {"id": u.id, "code": u.code, "name": u.name, "kind": u.kind,
            "kind_label": u.kind_label, "parent_id": u.parent_id,
            "leader_in_charge": u.leader_in_charge}


@units_bp.get("/units")
@documented(tags=["units"])
def units():
    """All units (tree order by sort order and code)."""
    rows = db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.code))
    return jsonify({"items": [unit_dict(u) for u in rows]})


@units_bp.get("/units/<int:unit_id>")
@documented(tags=["units"])
def unit(unit_id: int):
    """One unit."""
    u = db.session.get(Unit, unit_id)
    if u is None:
        abort(404, description="单位不存在。")
    return jsonify(unit_dict(u))


# ---------------------------------------------------------------- writes


@write_bp.before_request
def _token_only():
    header = request.headers.get("Authorization", "")
    token_user = auth_services.user_for_token(header[7:].strip()) \
        if header.startswith("Bearer ") else None
    if token_user is None:  # a cookie session (or nobody): never served here
        require(P.OFFICIALS_WRITE)  # 401 when anonymous
        abort(403, description="写入接口只接受 API 令牌（Authorization: Bearer）。")
    if not current_user.is_authenticated or current_user.id != token_user.id:
        abort(403, description="请求同时带有会话和其他用户的令牌，已拒绝。")
    if not can(P.OFFICIALS_WRITE):
        abort(403, description="该令牌无权写入干部信息。")


class BadRequest(Exception):
    def __init__(self, error: str, fields: dict[str, str] | None = None):
        super().__init__(error)
        self.error, self.fields = error, fields or {}


@write_bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest):
    db.session.rollback()
    return jsonify({"error": exc.error, "fields": exc.fields, "status": 400}), 400


def _text(value) -> str:
    text = str(value)
    if "\x00" in text or len(text) > MAX_FIELD:
        raise ValueError
    text.encode("utf-8")  # lone surrogates cannot be stored
    return text


def form_data(form_cls, current=None) -> dict:
    """Validate the JSON body with the page's ``form_cls``; the data for the service."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("请求体应为 JSON 对象（Content-Type: application/json）。")
    form = _bare(form_cls, None)
    names = {f.name: f for f in form if f.type not in ("SubmitField", "CSRFTokenField",
                                                       "FileField")}
    unknown = sorted(k for k in body if k not in names)
    if unknown:
        raise BadRequest("请求中有未知字段。", {k[:64]: f"未知字段；可用字段：{'、'.join(names)}。"
                                           for k in unknown[:20]})
    data, problems = MultiDict(), {}
    for name, field in names.items():
        value = body.get(name, _current(current, name) if current is not None else None)
        if field.type == "BooleanField":
            if value not in (None, False, True):
                problems[name] = "取值应为 true 或 false。"
            elif value:
                data[name] = "y"
            continue
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems[name] = "取值应为字符串或数字。"
            continue
        try:
            data[name] = _text(value)
        except (ValueError, UnicodeEncodeError):
            problems[name] = "内容含有无效字符或过长。"
    if problems:
        raise BadRequest("输入有误，未保存任何内容。", problems)
    form = _bare(form_cls, data)
    if not form.validate():
        raise BadRequest("输入有误，未保存任何内容。",
                         {name or "_": errors[0] for name, errors in form.errors.items() if errors})
    return form.data_for_service()


def _current(obj, name):
    value = getattr(obj, name, None)
    return value.isoformat() if hasattr(value, "isoformat") else value


_BARE: dict[type, type] = {}


def _bare(form_cls, formdata):
    """The page's form without CSRF and without loading unit choices (ids are checked
    by the services, the select accepts any id as on the page)."""
    cls = _BARE.get(form_cls)
    if cls is None:
        class Bare(form_cls):
            def __init__(self, data):
                super(BaseForm, self).__init__(formdata=data, meta={"csrf": False})
                for f in self:
                    if getattr(f, "choices", ()) is None:
                        f.choices = []

        cls = _BARE[form_cls] = Bare
    return cls(formdata)


def _save(call):
    try:
        result = call()
        db.session.commit()
        return result
    except ValidationFailed as exc:
        db.session.rollback()
        raise BadRequest(exc.errors.get("_", "输入有误，未保存任何内容。"),
                         {k: v for k, v in exc.errors.items() if k != "_"}) from None


def _official(official_id: int) -> Official:
    if not can_view_official(official_id):
        abort(403)
    official = db.session.get(Official, official_id)
    if official is None:
        abort(404, description="干部不存在。")
    return official


def _official_json(official: Official, status: int):
    return jsonify(serializers.official_summary(official, can(P.ID_NUMBER_FULL))), status


@write_bp.post("/officials")
@documented(body=OfficialForm, tags=["officials"])
def create_official():
    """Create an official (same rules as the page form)."""
    data = form_data(OfficialForm)
    return _official_json(_save(lambda: _save_official(None, data)), 201)


def _save_official(official, data):
    from kaohe.officials.services import save_official

    return save_official(official, data)


@write_bp.put("/officials/<int:official_id>")
@documented(body=OfficialForm, tags=["officials"])
def update_official(official_id: int):
    """Update an official; fields left out keep their recorded values."""
    official = _official(official_id)
    data = form_data(OfficialForm, current=official)
    return _official_json(_save(lambda: _save_official(official, data)), 200)


@write_bp.post("/officials/<int:official_id>/results")
@documented(body=ResultForm, tags=["results"])
def add_result(official_id: int):
    """Add an assessment result (annual, quarterly or special) to an official."""
    official = _official(official_id)
    data = form_data(ResultForm)
    result = _save(lambda: save_result(official, None, data))
    return jsonify(serializers.result_dict(result)), 201


@write_bp.post("/officials/<int:official_id>/posts")
@documented(body=PostForm, tags=["posts"])
def add_post(official_id: int):
    """Add a post (任职经历) to an official."""
    from kaohe.officials.services import save_post

    official = _official(official_id)
    data = form_data(PostForm)
    post = _save(lambda: save_post(official, None, data))
    return jsonify(serializers.post_dict(post)), 201
