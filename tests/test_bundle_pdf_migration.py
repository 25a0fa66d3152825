"""Migration 0027: on SQLite the stored agenda bundle moves to the table's last column,
where a reserved ``zeroblob`` is not filled into the row's record (issue 17: writing a
74 MB bundle took twice its size in memory); stored bundles keep their bytes. On
PostgreSQL the column is stored without compression attempts."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from kaohe import create_app
from kaohe.audit.services import cli_actor
from kaohe.discussions.models import DiscussionBundle
from kaohe.extensions import db
from tests import discussions_support as s


def _columns() -> list[str]:
    return [c["name"] for c in sa.inspect(db.engine).get_columns("discussion_bundle")]


def test_sqlite_bundle_pdf_moves_last_with_its_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'scratch.db'}"})
    with app.app_context():
        cli_actor.set("cli:test")
        upgrade(revision="0026")
        assert _columns()[-1] != "pdf"  # as 0007 created it
        d = s.discussion()
        stored = b"%PDF-1.4 stored bundle " + bytes(range(256)) * 40
        db.session.add_all([DiscussionBundle(discussion_id=d.id, status="done", pdf=stored,
                                             sha256="a" * 64, pages=3),
                            DiscussionBundle(discussion_id=d.id, status="failed")])
        db.session.commit()
        upgrade()
        db.session.expire_all()
        assert _columns()[-1] == "pdf"
        rows = db.session.scalars(sa.select(DiscussionBundle)
                                  .order_by(DiscussionBundle.id)).all()
        assert [(b.status, b.pdf, b.pages, b.sha256) for b in rows] == [
            ("done", stored, 3, "a" * 64), ("failed", None, 0, "")]
        db.session.remove()
        db.engine.dispose()


def test_postgresql_stores_bundles_without_compression_attempts(ctx):
    """PDF streams are compressed already: PostgreSQL's TOAST compression gained 1 MB of 74
    and cost up to 1.6 s of the write, so the column is STORAGE EXTERNAL."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    storage = db.session.execute(sa.text(
        "SELECT attstorage FROM pg_attribute WHERE attrelid = 'discussion_bundle'::regclass "
        "AND attname = 'pdf'")).scalar()
    assert storage == "e"
