"""Token-only JSON write endpoints: the shared plumbing of every integration API.

Writes are validated by the form classes of the pages, fed from the JSON body
(a field left out counts as left blank, as in a browser; with ``current`` it
keeps the recorded value), then by the same services: a refusal is
``400 {"error": ..., "fields": {"field": "中文说明"}}`` with nothing saved.
An update names the ``version`` it read (optimistic locking, :mod:`kaohe.core.locking`):
without it the request is a 400; when the record moved on and the request would
change a field another user wrote, it is ``409 {"error", "version", "changes"}``
(the newer values) with nothing saved.
Only ``Authorization: Bearer`` requests are served, so such a blueprint is
CSRF-exempt safely: a cookie-session request is refused (403) before any view runs.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from kaohe.auth import tokens
from kaohe.auth.permissions import Permission, can, require
from kaohe.core import locking
from kaohe.core.errors import ValidationFailed
from kaohe.core.forms import BaseForm
from kaohe.extensions import csrf, db

MAX_FIELD = 50_000
INVALID = "输入有误，未保存任何内容。"


class BadRequest(Exception):
    def __init__(self, error: str, fields: dict[str, str] | None = None):
        super().__init__(error)
        self.error, self.fields = error, fields or {}


class StaleWrite(Exception):
    """The record was changed by someone else since the client read it."""

    def __init__(self, conflict: locking.Conflict | None):
        super().__init__("stale write")
        self.conflict = conflict


VERSION_REQUIRED = "请带上读取记录时得到的 version（乐观锁），以免覆盖他人较新的修改。"


def token_only(bp: Blueprint, permission: Permission, *, session_refused: str,
               forbidden: str) -> Blueprint:
    """Serve ``bp`` to Bearer tokens of users holding ``permission`` only."""
    csrf.exempt(bp)

    @bp.before_request
    def _token_only():
        header = request.headers.get("Authorization", "")
        token_user = tokens.user_for_token(header[7:].strip()) \
            if header.startswith("Bearer ") else None
        if token_user is None:  # a cookie session (or nobody): never served here
            require(permission)  # 401 when anonymous
            abort(403, description=session_refused)
        if not current_user.is_authenticated or current_user.id != token_user.id:
            abort(403, description="请求同时带有会话和其他用户的令牌，已拒绝。")
        if not can(permission):
            abort(403, description=forbidden)

    @bp.errorhandler(BadRequest)
    def _bad_request(exc: BadRequest):
        db.session.rollback()
        return jsonify({"error": exc.error, "fields": exc.fields, "status": 400}), 400

    @bp.errorhandler(StaleWrite)
    def _stale_write(exc: StaleWrite):
        db.session.rollback()
        if exc.conflict is None:
            return jsonify({"error": locking.RACE_MESSAGE, "status": 409}), 409
        return jsonify({"error": exc.conflict.message, "status": 409,
                        **exc.conflict.as_json()}), 409

    return bp


def _text(value) -> str:
    text = str(value)
    if "\x00" in text or len(text) > MAX_FIELD:
        raise ValueError
    text.encode("utf-8")  # lone surrogates cannot be stored
    return text


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


def form_data(form_cls, current=None, record=None) -> dict:
    """Validate the JSON body with the page's ``form_cls``; the data for the service.

    ``record``: the versioned record being updated; the body must carry its ``version``.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("请求体应为 JSON 对象（Content-Type: application/json）。")
    if record is not None:
        body = dict(body)
        version = locking.parse_version(body.pop("version", None))
        if version is None:
            raise BadRequest(INVALID, {"version": VERSION_REQUIRED})
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
        raise BadRequest(INVALID, problems)
    form = _bare(form_cls, data)
    if not form.validate():
        raise BadRequest(INVALID, {name or "_": errors[0]
                                   for name, errors in form.errors.items() if errors})
    result = form.data_for_service()
    if record is not None:
        conflict = locking.find_conflict(record, version, result,
                                         labels={f.name: str(f.label.text) for f in form})
        if conflict is not None:
            raise StaleWrite(conflict)
    return result


def save(call):
    """Run a service call and commit once; a refusal becomes a 400 with nothing saved."""
    try:
        result = call()
        db.session.commit()
        return result
    except ValidationFailed as exc:
        db.session.rollback()
        raise BadRequest(exc.errors.get("_", INVALID),
                         {k: v for k, v in exc.errors.items() if k != "_"}) from None
    except StaleDataError:  # another request committed between our read and our write
        raise StaleWrite(None) from None
