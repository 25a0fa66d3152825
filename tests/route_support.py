"""Route enumeration and URL arguments shared by the access matrix and the fuzz sweeps.

``routes()`` lists every (endpoint, method, rule) of the live ``app.url_map``;
``url_for_rule`` fills a rule's parameters with records of a ``build_world()`` world,
using each feature's hook (``tests/*_access.py``) for its own parameters.
"""
from __future__ import annotations

import pytest

from kaohe import create_app
from kaohe.assessments.models import AssessmentResult
from kaohe.extensions import db
from kaohe.orgnotes.models import OrgNote
from kaohe.officials.models import Post
from kaohe.reviews.models import Review
from tests import appsheet_access
from tests import (account_access, batch_access, discussions_access, dossier_access,
                   interop_access, jobs_access, kaocha_access, moves_access, quota_access,
                   ua_access)

# Models behind the record blueprints: blueprint → (model, world attribute).
ITEM_MODELS = {"posts": (Post, "post"), "assessments": (AssessmentResult, "result"),
               "reviews": (Review, "review"), "orgnotes": (OrgNote, "note")}


def routes() -> list[tuple[str, str, str]]:
    """Every (endpoint, method, rule) of the app, HEAD and OPTIONS left out; sorted."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, rule.rule))
    return sorted(out)


def discipline_world(world) -> dict:
    """A closed finding with details and an unanswered opinion request, committed."""
    from tests import discipline_support

    if not hasattr(world, "finding"):
        world.finding = discipline_support.finding(world.official)
        world.opinion = discipline_support.opinion(world.official)
        db.session.commit()
    return {"finding_id": world.finding.id, "opinion_id": world.opinion.id}


def url_for_rule(rule: str, endpoint: str, world) -> str:
    """``rule`` with its parameters filled from ``world`` (records made on demand)."""
    blueprint = endpoint.split(".")[0]
    values = {
        "official_id": world.official.id,
        "unit_id": world.district.id,
        "user_id": world.user.id,
        "filename": "css/kaohe.css",
    }
    if blueprint in ITEM_MODELS:
        values["item_id"] = getattr(world, ITEM_MODELS[blueprint][1]).id
    if blueprint in ("discipline", "integrity", "discipline_api"):
        values.update(discipline_world(world))
    if blueprint in ("unitassess", "unitassess_api"):
        values.update(ua_access.url_values(world))
    if blueprint.startswith("interop") or endpoint.startswith("api_"):
        values.update(interop_access.url_values(world))
    if blueprint == "dossier":
        values.update(dossier_access.url_values(world))
    if blueprint in ("discussions", "appform_item"):
        values.update(discussions_access.url_values(world))
    if blueprint in batch_access.BLUEPRINTS:
        values.update(batch_access.url_values(world))
    if blueprint == "admin":
        values.update(account_access.url_values(world))
    if blueprint in ("moves", "holidays"):
        values.update(moves_access.url_values(world))
    if blueprint == "kaocha":
        values.update(kaocha_access.url_values(world))
    if blueprint == "jobs":
        values.update(jobs_access.url_values(world))
    if endpoint.startswith("units.quota."):
        values.update(quota_access.url_values(world))
    if blueprint == "account":
        values.update(account_access.account_url_values(world))
    if blueprint in appsheet_access.BLUEPRINTS:
        values.update(appsheet_access.url_values(world))
    if blueprint == "todos":
        values["kind"] = "retirement"  # the organization's; other roles answer 403
    if blueprint == "saved_search":
        values["search_id"] = 999_999  # nobody's: the delete must answer 404
    url = rule
    for name in rule.split("<")[1:]:
        name = name.split(">")[0].split(":")[-1]
        if name not in values:
            pytest.fail(f"route {rule} has a parameter <{name}> unknown to "
                        "tests/route_support.url_for_rule")
        url = url.replace(f"<{name}>", str(values[name])).replace(
            f"<int:{name}>", str(values[name])).replace(f"<path:{name}>", str(values[name]))
    return url
