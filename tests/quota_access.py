"""Rows of the access matrix for the unit page and its 优秀 quota approvals (issue 12.5)."""
from __future__ import annotations

ORG = frozenset({"organization"})
UNIT_READERS = frozenset({"admin", "organization", "assessment", "discipline"})
OFFICIAL_READERS = frozenset({"organization", "discipline"})  # see the quota table
DELETES = frozenset({"units.quota.delete"})
ENDPOINTS = frozenset({"units.show", "units.quota.new", "units.quota.edit"})
DOCUMENT = "江组通〔2019〕1号"


def expected(only) -> dict:
    return {
        ("units.show", "GET"): only(UNIT_READERS),
        **{(f"units.quota.{ep}", m): only(ORG) for ep in ("new", "edit") for m in ("GET", "POST")},
        ("units.quota.delete", "POST"): only(ORG, 302),
    }


BLANKED = {"units.quota.new": "year", "units.quota.edit": "year"}


def url_values(world) -> dict:
    """A committed approval for the world's district in 2019 (made once per world)."""
    from kaohe.assessments import approvals
    from kaohe.extensions import db

    if not hasattr(world, "quota_approval"):
        world.quota_approval = approvals.save_approval(world.district, None, {
            "year": 2019, "pct": 25, "approved_by": "市委组织部", "document_number": DOCUMENT})
        db.session.commit()
    return {"approval_id": world.quota_approval.id}


def deleted(world) -> tuple:
    """(model, object, audit entity) of the permitted delete."""
    from kaohe.assessments.models import ExcellentQuotaApproval

    return ExcellentQuotaApproval, world.quota_approval, "excellent_quota_approval"


def check_allowed(endpoint, method, role, response, page, world, field_errors) -> None:
    if endpoint == "units.show":
        assert "东城区" in page and "张副市长" in page
        # The world's one official is 优秀 in 2019: 1 assessed, at most 0.
        assert ("<td>2019</td><td>1</td><td>1</td>" in page) == (role in OFFICIAL_READERS)
        assert ("登记提高比例的批准" in page) == (role == "organization")
    elif method == "GET":
        assert 'id="pct"' in page and "东城区" in page
        assert (DOCUMENT in page) == (endpoint == "units.quota.edit")
    else:
        assert field_errors(page, "year") == ["请填写年度。"]
