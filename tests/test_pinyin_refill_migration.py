"""Migration 0025: the pinyin index of officials the Excel import had inserted without it
is filled, and the search keys follow (on SQLite, or PostgreSQL with KAOHE_TEST_PG_SERVER)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from kaohe import create_app
from kaohe.extensions import db
from kaohe.search.index import OfficialSearchKey
from tests import factories
from tests.scratch import scratch_database


@pytest.fixture
def scratch_app(tmp_path, monkeypatch):
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    with scratch_database("kaohe_mig", tmp_path / "scratch.db") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
        yield app
        with app.app_context():
            db.engine.dispose()


def _pinyin_keys(official_id: int) -> set[str]:
    return set(db.session.scalars(sa.select(OfficialSearchKey.key).where(
        OfficialSearchKey.official_id == official_id, OfficialSearchKey.kind == "p")))


def test_empty_pinyin_is_filled_and_keyed(scratch_app):
    with scratch_app.app_context():
        upgrade()
        bulk = factories.official(name="曾国伟")
        kept = factories.official(name="李海燕")
        factories.commit()
        official = sa.table("official", sa.column("id"), sa.column("name_pinyin"))
        bulk_id, kept_id = bulk.id, kept.id
        db.session.rollback()
        with db.engine.begin() as conn:  # as the Excel import left them
            conn.execute(official.update().where(official.c.id == bulk_id).values(name_pinyin=""))
            conn.execute(official.update().where(official.c.id == kept_id)
                         .values(name_pinyin="custom"))
        db.session.rollback()  # a fresh snapshot: the updates came through another connection
        assert "zgw" not in _pinyin_keys(bulk_id)
        downgrade(revision="0024")
        upgrade()
        db.session.rollback()  # a fresh snapshot: the updates came through another connection
        spelled = db.session.scalar(sa.select(official.c.name_pinyin)
                                    .where(official.c.id == bulk_id)).split()
        assert {"zengguowei", "zgw"} <= set(spelled)  # 曾 read zēng as a surname, and céng
        assert {"zgw", "zeng"} <= _pinyin_keys(bulk_id)
        assert db.session.scalar(sa.select(official.c.name_pinyin)
                                 .where(official.c.id == kept_id)) == "custom"  # left alone
