"""Bad-input sweep of the JSON write API: Hypothesis sends hostile bodies to every
POST/PUT endpoint under /api/, with a Bearer token of a role the access matrix lets in.

Field names and types come from the app's own OpenAPI document. Bodies: objects with
wrong types, nested objects, nulls, huge numbers, NaN/Infinity, missing and unknown keys;
also non-object JSON, bodies that are not JSON, and wrong content types. Per example:
never a server error; an error is a JSON object with an ``error`` text; unless the
request succeeded (2xx), no application table changed. Each example runs in a SAVEPOINT
rolled back afterwards. ``KAOHE_FUZZ_EXAMPLES`` examples per endpoint (default 20).
"""
from __future__ import annotations

import collections
import json
import re

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from sqlalchemy import select

from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db
from kaohe.officials.models import Official
from tests.fuzz_support import (KILLERS, NASTY, SETTINGS, assert_no_traceback, changed,
                                isolated, short as _short, snapshot, valid_guesses)
from tests.helpers import build_world
from tests.route_support import routes, url_for_rule
from tests.test_access_matrix import EXPECTED, HOME, LOGIN, ROLES

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
API_ROUTES = [(endpoint, method, rule) for endpoint, method, rule in routes()
              if method in WRITE_METHODS and rule.startswith("/api/")]

# The record a URL parameter names, for the ``version`` an edit must send back.
PARAM_MODELS = {"official_id": Official, "finding_id": DisciplineFinding,
                "opinion_id": IntegrityOpinion}


def token_role(endpoint: str, method: str) -> str:
    outcomes = EXPECTED.get((endpoint, method))
    if outcomes is None:
        pytest.fail(f"{endpoint} {method} is missing from the access matrix's EXPECTED table")
    for role in ROLES:  # TOKEN: the matrix's outcome for the roles a token may write as
        if role and outcomes[role] not in (403, LOGIN, HOME):
            return role
    pytest.fail(f"no role may use {endpoint} {method}")


def _undocumented_forms() -> dict:
    """Endpoints whose body the OpenAPI document does not describe: their form class."""
    from kaohe.discipline import forms

    return {"discipline_api.create_finding": forms.FindingForm,
            "discipline_api.update_finding": forms.FindingForm,
            "discipline_api.answer_opinion": forms.OpinionAnswerForm}


def _schema_of_form(form_cls) -> dict:
    """A rough JSON schema from the bound fields of ``form_cls``: name → type/enum."""
    from flask import current_app

    with current_app.test_request_context():
        form = form_cls(meta={"csrf": False})
        props = {}
        for field in form:
            if field.type in ("SubmitField", "CSRFTokenField", "FileField", "HiddenField"):
                continue
            schema = {"type": {"BooleanField": "boolean", "IntegerField": "integer",
                               "DecimalField": "number"}.get(field.type, "string")}
            if "Date" in field.type:
                schema["format"] = "date"
            choices = getattr(field, "choices", None)
            if choices:
                schema["enum"] = [getattr(c, "value", None) if not isinstance(c, (tuple, list))
                                  else c[0] for c in choices]
            props[field.name] = schema
    return {"type": "object", "properties": props}


def body_schema(client, headers, endpoint: str, rule: str, method: str, versioned: bool) -> dict:
    """The JSON schema of the body: from the OpenAPI document, else from the form class."""
    doc = client.get("/api/v1/openapi.json", headers=headers).get_json()
    path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule[len("/api/v1"):])
    op = doc["paths"][path][method.lower()]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "schema" in body:
        return body["schema"]
    form_cls = _undocumented_forms().get(endpoint)
    if form_cls is None:
        pytest.fail(f"{method} {rule}: no body in the OpenAPI document and no form class "
                    "in tests/test_fuzz_api._undocumented_forms")
    schema = _schema_of_form(form_cls)
    if versioned:
        schema["properties"] = {"version": {"type": "integer"}, **schema["properties"]}
    return schema


def _guesses(name: str, schema: dict, world, current) -> list:
    if name == "version":
        return [current] if current is not None else [1]
    if "enum" in schema:
        return [v for v in schema["enum"] if v is not None] or [None]
    kind = schema.get("type")
    if kind == "boolean":
        return [True, False]
    if kind == "integer":
        if "单位" in schema.get("description", "") or name.endswith("unit_id"):
            return [world.district.id, world.city.id]
        return [int(g) for g in valid_guesses(name, "number", "", []) if g.lstrip("-").isdigit()]
    if kind == "number":
        return [0, 60, 85.5, 100]
    fmt = "date" if schema.get("format") == "date" else "text"
    return valid_guesses(name, fmt, "", [])


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), NASTY,
    st.integers(min_value=-2**80, max_value=2**80),
    st.sampled_from([2**63, -2**63 - 1, 10**30, 2**31, -2**31 - 1, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=6)
EXTRA_KEYS = st.one_of(st.sampled_from(["id", "extra", "deleted_at", "version", "official_id",
                                        "__proto__", "", "x" * 300]),
                       st.text(st.characters(exclude_categories=("Cs",)), max_size=8))
NOT_JSON = st.sampled_from([b"", b"{", b"{'a': 1}", b"\xff\xfe\x00", b"null", b"[]", b"\"x\"",
                            b"1e999", b"[" * 5000, b"{\"a\":" * 2000, b"name=x&year=2019"])
CONTENT_TYPES = st.sampled_from([
    "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1",
    "application/xml", "", "application/json; charset=utf-16"])


@st.composite
def api_requests(draw, fields: dict[str, list]):
    """(content type, raw body bytes, description) of one request."""
    mode = draw(st.integers(0, 9))
    if mode == 8:  # not JSON at all, labelled as JSON
        return "application/json", draw(NOT_JSON)
    body = {}
    mostly_valid = draw(st.booleans())
    spoilt = set(draw(st.lists(st.sampled_from(sorted(fields)), max_size=2))) \
        if mostly_valid and fields else set()
    for name, guesses in fields.items():
        if name == "version":
            choice = draw(st.integers(0, 9))
            if choice < 8:  # the current version, unchanged, most of the time
                body[name] = guesses[0]
            elif choice == 9:
                body[name] = draw(JSON_VALUES)
            continue
        if mostly_valid and name not in spoilt:
            body[name] = draw(st.sampled_from(guesses))
            continue
        if mostly_valid:  # one of the spoilt fields
            body[name] = draw(st.one_of(KILLERS, st.sampled_from(
                [None, [], {}, True, 2**63, 10**30, float("nan"), float("inf"), -1])))
            continue
        choice = draw(st.integers(0, 9))
        if choice <= 3:
            body[name] = draw(st.sampled_from(guesses))
        elif choice <= 7:
            body[name] = draw(JSON_VALUES)
        # 8, 9: the key is left out
    for key, value in draw(st.lists(st.tuples(EXTRA_KEYS, JSON_VALUES), max_size=2)):
        body.setdefault(key, value)
    if mode == 9:  # not an object
        body = draw(st.one_of(st.lists(st.just(body), max_size=2), JSON_SCALARS))
    raw = json.dumps(body, ensure_ascii=draw(st.booleans()), allow_nan=True).encode()
    content_type = draw(CONTENT_TYPES) if mode == 7 else "application/json"
    if content_type.endswith("utf-16"):
        raw = raw.decode().encode("utf-16")
    return content_type, raw


@pytest.mark.parametrize("endpoint,method,rule", API_ROUTES,
                         ids=[f"{m} {r}" for _e, m, r in API_ROUTES])
def test_api_survives_bad_input(app, client, ctx, endpoint, method, rule):
    world = build_world()
    url = url_for_rule(rule, endpoint, world)
    user = db.session.scalar(select(User).where(User.username == token_role(endpoint, method)))
    headers = {"Authorization": f"Bearer {auth_services.create_token(user)}"}
    db.session.commit()
    # The token's first use records its last_used_at (then at most once a minute): before
    # the snapshot, so that examples compare only what they change.
    assert client.get("/api/v1/units", headers=headers).status_code < 500
    current = {}
    for name, model in PARAM_MODELS.items():
        if f"<int:{name}>" in rule:
            record = db.session.get(model, int(url.split("/")[rule.split("/").index(
                f"<int:{name}>")]))
            current["version"] = getattr(record, "version", None)
    schema = body_schema(client, headers, endpoint, rule, method,
                         versioned=method == "PUT" and current.get("version") is not None)
    fields = {name: _guesses(name, s, world, current.get("version"))
              for name, s in schema.get("properties", {}).items()}
    conn = db.session.get_bind()
    db.session.close()
    before = snapshot(conn)
    seen = collections.Counter()

    @given(request=api_requests(fields))
    @SETTINGS
    def run(request):
        content_type, raw = request
        note(f"request: {_short(request)}")
        with isolated(conn):
            response = client.open(url, method=method, data=raw, headers=headers,
                                   content_type=content_type or None)
            status = response.status_code
            body = response.get_data(as_text=True)
            seen[status] += 1
            assert status < 500, body[:2000]
            assert_no_traceback(body)
            if status >= 400:
                payload = response.get_json(silent=True)
                assert isinstance(payload, dict) and isinstance(payload.get("error"), str) \
                    and payload["error"], f"error response is not a JSON error: {body[:500]}"
            if not 200 <= status < 300:
                diff = changed(before, snapshot(conn))
                assert not diff, f"refused {method} {rule} (status {status}) changed {diff}"

    run()
    # Every example was rolled back: the next one (and the next test) starts clean.
    assert snapshot(conn) == before
    print(f"{method} {rule}: {len(fields)} fields, outcomes {dict(seen)}")

