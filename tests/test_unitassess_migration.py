"""Migration 0011: ua_scheme.rules, backfilled for published schemes; up and down again.

Runs on a scratch SQLite file, or on a scratch PostgreSQL database when
``KAOHE_TEST_PG_SERVER`` is set (as the rest of the suite does).
"""
from __future__ import annotations

import datetime as dt
import importlib

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from kaohe import create_app
from kaohe.extensions import db
from kaohe.settings.registry import by_key
from kaohe.unitassess.services import figures
from tests.scratch import scratch_database

migration = importlib.import_module("kaohe.migrations.versions.0011_frozen_rules")


@pytest.fixture
def scratch_url(tmp_path):
    with scratch_database("kaohe_mig", tmp_path / "scratch.db") as url:
        yield url


@pytest.fixture
def scratch_app(scratch_url, tmp_path, monkeypatch):
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": scratch_url})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_migration_lists_the_figures_the_code_freezes_with_their_defaults():
    assert list(migration.DEFAULTS) == list(figures.RULE_KEYS)
    assert migration.DEFAULTS == {k: by_key()[k].default for k in figures.RULE_KEYS}


SCHEME = sa.table("ua_scheme", *(sa.column(c) for c in (
    "id", "year", "group", "name", "status", "public_weight", "total_points", "note",
    "published_at", "published_by")), sa.column("rules", sa.JSON))
SETTING = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.JSON))


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns("ua_scheme")}


def test_upgrade_backfills_published_schemes_and_downgrade_drops_the_column(scratch_app):
    with scratch_app.app_context():
        upgrade(revision="0010")
        assert "rules" not in _columns()
        with db.engine.begin() as conn:
            conn.execute(SETTING.insert(), [
                {"key": "unitassess.band_excellent", "value": 88.5},
                {"key": "discipline.deduct.party", "value": 4.0},
                {"key": "dossier.window_years", "value": 5}])
            conn.execute(SCHEME.insert().values(
                id=1, year=2022, group="county", name="2022 方案", status="published",
                public_weight=10, total_points=100, note="",
                published_at=dt.datetime(2022, 1, 5), published_by="考核办"))
            conn.execute(SCHEME.insert().values(
                id=2, year=2023, group="county", name="2023 方案", status="draft",
                public_weight=10, total_points=100, note="", published_by=""))
        upgrade(revision="0011")
        with db.engine.connect() as conn:
            rules = dict(conn.execute(sa.select(SCHEME.c.id, SCHEME.c.rules)).all())
        assert rules[2] is None
        assert rules[1] == {**migration.DEFAULTS, "unitassess.band_excellent": 88.5,
                            "discipline.deduct.party": 4.0}
        downgrade(revision="0010")
        assert "rules" not in _columns()
        upgrade()
        assert "rules" in _columns()
