"""Rows of the access matrix for the 任免审批表 facts and the family (tests/test_access_matrix.py)."""
from __future__ import annotations

from sqlalchemy import select

from kaohe.appsheet import family, services
from kaohe.core.locking import MISSING_MESSAGE
from kaohe.extensions import db
from kaohe.interop.models import AppointmentSheet, FamilyMember

ORG = frozenset({"organization"})
BLUEPRINTS = ("appsheet", "family")
ENDPOINTS = ("appsheet.edit", "family.new", "family.edit")
DELETES = ("family.delete",)
# The sheet's POST leaves 出生地 blank without the page's version: refused as stale.
BLANKED = {"appsheet.edit": "birth_place", "family": "relation"}


def expected(only) -> dict:
    return {
        ("appsheet.edit", "GET"): only(ORG),
        ("appsheet.edit", "POST"): only(ORG),
        **{(f"family.{ep}", m): only(ORG) for ep in ("new", "edit") for m in ("GET", "POST")},
        ("family.delete", "POST"): only(ORG, 302),
    }


def url_values(world) -> dict:
    """The world's official with a sheet and one family member, made on first use."""
    if not hasattr(world, "family_member"):
        services.save_sheet(world.official, None, {"birth_place": "北京市东城区",
                                                   "health": "健康"})
        world.family_member = family.save_member(world.official, None, {
            "relation": "妻子", "name": "李秀英", "birth": "1976.05",
            "political_status": "中共党员", "work": "东城区第一中学教师"})
        db.session.commit()
    return {"item_id": world.family_member.id}


def deleted(world) -> tuple:
    """(model, deleted object, audit entity) of the permitted delete."""
    return FamilyMember, world.family_member, FamilyMember.__tablename__


def location(world) -> str:
    return f"/officials/{world.official.id}/appointment-sheet"


def check_allowed(endpoint, method, response, page, world, field_errors) -> None:
    if endpoint == "appsheet.edit":
        assert 'id="birth_place"' in page and "李秀英" in page and "1976.05" in page
        if method == "POST":
            assert MISSING_MESSAGE in page
            sheet = db.session.scalar(select(AppointmentSheet).where(
                AppointmentSheet.official_id == world.official.id))
            assert sheet.birth_place == "北京市东城区"
        else:
            assert 'value="北京市东城区"' in page
    elif method == "GET":
        assert 'id="relation"' in page and "王建国" in page
        assert ("东城区第一中学教师" in page) == (endpoint == "family.edit")
    else:
        assert field_errors(page, "relation") == ["请填写称谓。"]
