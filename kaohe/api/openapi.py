"""OpenAPI 3 document of /api/v1, generated from the code.

Paths and methods come from the app's URL map (every rule under ``/api/v1``),
summaries from the view docstrings, path parameters from the rules, and query
parameters and request bodies from the WTForms form classes that validate them,
recorded with :func:`documented` (on a view) or :func:`describe` (for a view
defined elsewhere). Nothing here is written by hand per route.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify
from wtforms import fields as wtf
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from kaohe.core.limits import MAX_INT

PREFIX = "/api/v1"
_SPECS: dict[str, dict] = {}  # endpoint → {"query": form class, "body": form class, ...}

bp = Blueprint("api_doc", __name__, url_prefix=PREFIX)


def describe(endpoint: str, **spec) -> None:
    """Record query/body form classes, a summary or tags for ``endpoint``."""
    _SPECS.setdefault(endpoint, {}).update(spec)


def documented(**spec):
    """Decorator form of :func:`describe`, keyed by the view's endpoint at registration."""
    def deco(view):
        view._openapi = spec
        return view
    return deco


def _unbound_fields(form_cls):
    """(name, UnboundField) of ``form_cls`` in declaration order, as WTForms binds them."""
    found = [(name, getattr(form_cls, name)) for name in dir(form_cls)
             if not name.startswith("_") and isinstance(getattr(form_cls, name, None), UnboundField)]
    found.sort(key=lambda item: (item[1].creation_counter, item[0]))
    return [(n, f) for n, f in found if n not in ("csrf_token", "submit", "version")]


def field_schema(unbound) -> tuple[dict, bool]:
    """JSON schema of one WTForms field, and whether it is required."""
    cls, kw = unbound.field_class, unbound.kwargs
    validators = kw.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
    required = any(isinstance(v, (DataRequired, InputRequired)) for v in validators or [])
    label = kw.get("label") or (unbound.args[0] if unbound.args else "")
    schema: dict[str, Any]
    if issubclass(cls, wtf.BooleanField):
        schema = {"type": "boolean"}
    elif issubclass(cls, wtf.DateField):
        schema = {"type": "string", "format": "date"}
    elif issubclass(cls, wtf.IntegerField):
        schema = {"type": "integer", "minimum": -MAX_INT - 1, "maximum": MAX_INT}
    elif issubclass(cls, wtf.DecimalField):
        schema = {"type": "number"}
    elif issubclass(cls, wtf.SelectField):
        choices = kw.get("choices")
        if getattr(cls, "populate", None) or not choices:  # database-backed (units)
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_INT,
                      "description": "单位 id（GET /api/v1/units）"}
        else:
            values = [getattr(c, "value", None) if not isinstance(c, tuple) else c[0]
                      for c in choices]
            ints = all(isinstance(v, int) for v in values if v not in ("", None))
            # A required select's blank 「请选择」 prompt is no value to send.
            schema = {"type": "integer" if ints else "string",
                      "enum": [v for v in values if v not in ("", None) or not (ints or required)]}
            if ints and ("" in values or None in values):
                schema["nullable"] = True
    elif issubclass(cls, wtf.FileField):
        return {}, False
    else:
        schema = {"type": "string"}
    for v in validators or []:
        if isinstance(v, Length) and v.max not in (None, -1):
            schema["maxLength"] = v.max
        if isinstance(v, NumberRange) and schema.get("type") in ("integer", "number"):
            if v.min is not None:
                schema["minimum"] = v.min
            if v.max is not None:
                schema["maximum"] = v.max
    if not required and "enum" not in schema:
        schema = {**schema, "nullable": True}
    if label:
        schema["title"] = str(label)
    return schema, required


def form_schema(form_cls, versioned: bool = False) -> dict:
    props, required = {}, []
    if versioned:  # optimistic locking: the version the client read
        props["version"] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                            "title": "读取时的版本号"}
        required.append("version")
    for name, unbound in _unbound_fields(form_cls):
        schema, is_required = field_schema(unbound)
        if not schema:
            continue
        props[name] = schema
        if is_required:
            required.append(name)
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _operation(rule, method: str, view) -> dict:
    spec = {**getattr(view, "_openapi", {}), **_SPECS.get(rule.endpoint, {})}
    doc = (view.__doc__ or "").strip().splitlines()
    op: dict[str, Any] = {
        "operationId": f"{rule.endpoint}.{method.lower()}",
        "summary": spec.get("summary") or (doc[0] if doc else rule.endpoint),
        "tags": spec.get("tags") or [rule.endpoint.split(".")[0]],
        "parameters": [],
        "responses": {
            "200" if method != "POST" else "201": {"description": "成功"},
            "400": {"description": "输入有误：{error, fields: {字段: 中文说明}}"},
            "401": {"description": "未登录，或令牌无效、已过期或已撤销"},
            "403": {"description": "无权访问"},
            "404": {"description": "记录不存在"},
        },
    }
    for converter, name in _PARAM.findall(rule.rule):
        op["parameters"].append({
            "name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT}
            if converter == "int" else {"type": "string"}})
    if spec.get("query"):
        for name, unbound in _unbound_fields(spec["query"]):
            schema, _required = field_schema(unbound)
            if schema:
                schema.pop("nullable", None)
                op["parameters"].append({"name": name, "in": "query", "required": False,
                                         "schema": schema})
    if spec.get("body"):
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": form_schema(spec["body"], spec.get("versioned", False))}}}
    if spec.get("versioned"):
        op["responses"]["409"] = {"description": "记录已被他人修改：{error, version, changes: {字段: 较新值}}"}
    return op


def document(app=None) -> dict:
    app = app or current_app
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/") or rule.endpoint == "api_doc.openapi":
            continue
        path = _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule.rule[len(PREFIX):])
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, method, view)
    return {
        "openapi": "3.0.3",
        "info": {"title": "考核 · 干部考评管理系统 API", "version": "1",
                 "description": "读取接口接受登录会话或 API 令牌；写入接口只接受 API 令牌"
                                "（Authorization: Bearer kh_…，由用户本人在「API 令牌」页面或"
                                "管理员用 flask create-token 创建，只显示一次）。令牌有效期有上限"
                                "（规则参数 security.api_token_days，默认 90 天），可由本人或管理员"
                                "撤销；修改或重置密码、管理员「结束会话」时撤销该用户的全部令牌；"
                                "已过期或已撤销的令牌得到 401 JSON。"
                                "校验规则与页面表单相同，错误为 400 JSON，含逐字段中文说明。"},
        "servers": [{"url": PREFIX}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi():
    """This document."""
    return jsonify(document())
