"""Dossier rows of the access matrix (tests/test_access_matrix.py imports these)."""
from __future__ import annotations

import datetime as dt

GENERATORS = frozenset({"organization"})  # Permission.DOSSIER_GENERATE


def expected(only) -> dict:
    return {
        ("dossier.index", "GET"): only(GENERATORS),
        ("dossier.generate", "POST"): only(GENERATORS),
        ("dossier.download", "GET"): only(GENERATORS),
    }


BLANKED = {"dossier.generate": "as_of"}


def url_values(world) -> dict:
    """A committed dossier of the world's official (made once per world)."""
    from kaohe.dossier import services
    from kaohe.extensions import db

    if not hasattr(world, "dossier"):
        world.dossier = services.generate(world.official.id, dt.date(2020, 4, 10))
        db.session.commit()
    return {"dossier_id": world.dossier.id}


def check_allowed(endpoint, method, role, response, page, world, field_errors) -> None:
    d = world.dossier
    if endpoint == "dossier.index":
        assert "王建国" in page and d.number in page and 'id="as_of"' in page
    elif endpoint == "dossier.generate":  # the blanked date: refused next to the field
        assert field_errors(page, "as_of") == ["请填写材料截止日期。"]
        assert d.number in page
    elif endpoint == "dossier.download":
        assert response.mimetype == "application/pdf" and response.data == d.pdf
        assert "attachment" in response.headers["Content-Disposition"]
