"""Migrations of the pinyin index, the search keys following (on SQLite, or PostgreSQL
with KAOHE_TEST_PG_SERVER): 0025 fills the index of officials the Excel import had
inserted without it; 0029 indexes again, by the standard dictionary's readings, every
official indexed under an archaic reading."""
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
        upgrade(revision="0025")
        db.session.rollback()  # a fresh snapshot: the updates came through another connection
        spelled = db.session.scalar(sa.select(official.c.name_pinyin)
                                    .where(official.c.id == bulk_id)).split()
        assert {"zengguowei", "zgw"} <= set(spelled)  # 曾 read zēng as a surname, and céng
        assert {"zgw", "zeng"} <= _pinyin_keys(bulk_id)
        assert db.session.scalar(sa.select(official.c.name_pinyin)
                                 .where(official.c.id == kept_id)) == "custom"  # left alone


def test_archaic_readings_leave_the_index(scratch_app):
    with scratch_app.app_context():
        upgrade()
        wang = factories.official(name="王女士")
        gan = factories.official(name="干部")
        plain = factories.official(name="李海燕")
        gone = factories.official(name="王一")
        gone.soft_delete()
        factories.commit()
        ids = {o.name: o.id for o in (wang, gan, plain, gone)}
        db.session.rollback()
        official = sa.table("official", sa.column("id"), sa.column("name_pinyin"))
        old = {"王女士": "wangnvshi wns yunvshi yns wangrushi wrs", "干部": "ganbu gb anbu ab",
               "王一": "wangyi wy yuyi yy"}
        with db.engine.begin() as conn:  # as pypinyin's full data indexed them before
            for name, spelled in old.items():
                conn.execute(official.update().where(official.c.id == ids[name])
                             .values(name_pinyin=spelled))
        db.session.rollback()
        assert "yns" in _pinyin_keys(ids["王女士"]) and "anbu" in _pinyin_keys(ids["干部"])
        downgrade(revision="0028")
        upgrade()
        db.session.rollback()

        def spelled(name):
            return db.session.scalar(sa.select(official.c.name_pinyin)
                                     .where(official.c.id == ids[name]))

        assert spelled("王女士") == "wangnvshi wns"
        assert spelled("干部") == "ganbu gb"
        assert spelled("王一") == "wangyi wy"  # a deleted official's too: it may be restored
        assert spelled("李海燕") == "lihaiyan lhy"
        keys = _pinyin_keys(ids["王女士"])
        assert {"w", "wa", "wang", "wangnvshi", "wns"} <= keys
        assert not {"y", "yu", "yns", "wr", "wrs"} & keys
        assert not {"a", "an", "anbu", "ab"} & _pinyin_keys(ids["干部"])
