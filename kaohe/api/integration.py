"""/api/v1 additions: units (read) and the writes integrations need (token only).

Writes go through :mod:`kaohe.api.tokens` (Bearer tokens only, the pages' forms
and services; on PUT a field left out keeps its recorded value).
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify
from sqlalchemy import select

from kaohe.api.openapi import describe, documented
from kaohe.api.tokens import form_data, save, token_only
from kaohe.core.crud import official_or_404
from kaohe.assessments.forms import ResultForm
from kaohe.assessments.services import save_result
from kaohe.auth.permissions import P, can, guard
from kaohe.extensions import csrf, db
from kaohe.officials import serializers
from kaohe.officials.forms import OfficialForm, PostForm, SearchForm
from kaohe.officials.models import Official
from kaohe.officials.services import save_official, save_post
from kaohe.units.models import Unit

units_bp = guard(Blueprint("api_units", __name__, url_prefix="/api/v1"), read=P.UNITS_READ)
csrf.exempt(units_bp)
write_bp = token_only(Blueprint("api_write", __name__, url_prefix="/api/v1"),
                      P.OFFICIALS_WRITE,
                      session_refused="写入接口只接受 API 令牌（Authorization: Bearer）。",
                      forbidden="该令牌无权写入干部信息。")

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


def _official_json(official: Official, status: int):
    return jsonify(serializers.official_summary(official, can(P.ID_NUMBER_FULL))), status


@write_bp.post("/officials")
@documented(body=OfficialForm, tags=["officials"])
def create_official():
    """Create an official (same rules as the page form)."""
    data = form_data(OfficialForm)
    return _official_json(save(lambda: save_official(None, data)), 201)


@write_bp.put("/officials/<int:official_id>")
@documented(body=OfficialForm, versioned=True, tags=["officials"])
def update_official(official_id: int):
    """Update an official; fields left out keep their recorded values; ``version`` required."""
    official = official_or_404(official_id)
    data = form_data(OfficialForm, current=official, record=official)
    return _official_json(save(lambda: save_official(official, data)), 200)


@write_bp.post("/officials/<int:official_id>/results")
@documented(body=ResultForm, tags=["results"])
def add_result(official_id: int):
    """Add an assessment result (annual, quarterly or special) to an official.

    An annual 优秀 that would take the official's unit over its 优秀 quota for the
    year is refused (400, the reason in ``fields.grade``), as on the page.
    """
    official = official_or_404(official_id)
    data = form_data(ResultForm)
    result = save(lambda: save_result(official, None, data))
    return jsonify(serializers.result_dict(result)), 201


@write_bp.post("/officials/<int:official_id>/posts")
@documented(body=PostForm, tags=["posts"])
def add_post(official_id: int):
    """Add a post (任职经历) to an official."""
    official = official_or_404(official_id)
    data = form_data(PostForm)
    post = save(lambda: save_post(official, None, data))
    return jsonify(serializers.post_dict(post)), 201
