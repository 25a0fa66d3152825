"""The home page's tiles count exactly up to a cap and estimate above it (issue 17: a
province's millions of results are not counted on every visit)."""
from __future__ import annotations

import pytest
from sqlalchemy import text as sql

from kaohe.core import estimates
from kaohe.extensions import db
from kaohe.units.models import Unit
from tests.helpers import text


@pytest.mark.parametrize("n, expected", [(0, 0), (1234, 1200), (1251, 1300), (99, 99),
                                         (987_654, 990_000), (1_000_000, 1_000_000)])
def test_about_keeps_two_significant_digits(n, expected):
    assert estimates.about(n) == expected


def test_tiles_count_exactly_up_to_the_cap_then_estimate(make, monkeypatch):
    for i in range(5):
        make.unit(code=f"HOME{i}", name=f"单位{i}")
    make.unit(code="GONE", name="已删").soft_delete()
    live = db.session.query(Unit).count()  # the soft-deleted one is not counted
    monkeypatch.setattr(estimates, "CAP", live)
    assert estimates.count_label(Unit) == str(live)  # at the cap: exact
    monkeypatch.setattr(estimates, "CAP", live - 1)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sql("ANALYZE unit"))
        estimate = db.session.scalar(sql("SELECT reltuples FROM pg_class WHERE relname = 'unit'"))
        expected = (f"约 {estimates.about(estimate)}" if estimate > live - 1
                    else f"{live - 1} 以上")
    else:
        expected = f"{live - 1} 以上"
    assert estimates.count_label(Unit) == expected


def test_home_shows_the_tiles(auth, make):
    make.unit(code="HOMEX", name="单位X")
    make.commit()
    page = text(auth.as_role("organization").get("/home"))
    assert "干部档案" in page and "单位" in page
