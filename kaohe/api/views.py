"""Read API, v1. Session or ``Authorization: Bearer`` token; same rules as pages."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from kaohe.auth.permissions import P, can, can_view_official, guard, recused_official_ids
from kaohe.core.limits import query_int
from kaohe.extensions import csrf
from kaohe.officials import serializers, services

bp = guard(Blueprint("api", __name__, url_prefix="/api/v1"), read=P.OFFICIALS_READ)
csrf.exempt(bp)

MAX_PER_PAGE = 100



@bp.get("/officials")
def officials():
    criteria = services.SearchCriteria(
        q=request.args.get("q", "")[:64], unit_id=query_int("unit_id"),
        rank=request.args.get("rank", ""), year=query_int("year", low=1900, high=2100),
        grade=request.args.get("grade", ""))
    page = services.search(criteria, page=query_int("page", 1),
                           per_page=query_int("per_page", 20, high=MAX_PER_PAGE),
                           exclude_ids=recused_official_ids())
    full = can(P.ID_NUMBER_FULL)
    return jsonify({
        "items": [serializers.official_summary(o, full) for o in page.items],
        "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages,
        "total_estimated": page.total_estimated,  # about: a common name in a large city
    })


@bp.get("/officials/<int:official_id>")
def official(official_id: int):
    if not can_view_official(official_id):
        abort(403)
    profile = services.load_profile(official_id)
    if profile is None:
        abort(404)
    return jsonify(serializers.profile_dict(profile, can(P.ID_NUMBER_FULL)))
