"""The Alembic migrations and the models describe the same schema."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from kaohe import create_app
from kaohe.extensions import MIGRATIONS_DIR, db


def _script(app) -> ScriptDirectory:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def test_single_head(_app):
    heads = _script(_app).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: merge them or fix down_revision"


def test_models_and_migrations_agree(app):
    """Autogenerate finds nothing to do on the migrated test database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "models and migrations differ; add a migration:\n" + "\n".join(
        map(str, diff))


def test_database_is_at_head(app):
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    assert current == set(_script(app).get_heads())


@pytest.fixture
def scratch_app(tmp_path, monkeypatch):
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'scratch.db'}"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_downgrade_to_base_and_up_again(scratch_app):
    """Every migration can be undone (on a scratch SQLite database)."""
    with scratch_app.app_context():
        upgrade()
        assert "official" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
