"""SQLite: whether the transaction under way has written (kaohe.extensions.transaction_wrote),
which decides whether a background job's progress may end the job's transaction early.
A transaction that inserted in bulk past the ORM, or changed the schema, has written; a
wrong "no" commits half of a job's work (an import refused after its first batch kept
that batch). The behaviour is SQLite's, so it runs on a SQLite file on both suites."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from kaohe import create_app
from kaohe.audit.services import write_connection
from kaohe.extensions import IMMEDIATE, db, transaction_wrote


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}"})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        yield app
        db.engine.dispose()


@pytest.fixture
def engine(sqlite_app):
    return db.engine


@pytest.mark.parametrize("statements, wrote", [
    ([], False),
    (["SELECT 1"], False),
    (["\n   select count(*) from t"], False),
    (["PRAGMA table_info(t)", "EXPLAIN SELECT 1"], False),
    (["INSERT INTO t VALUES (1)"], True),
    (["SELECT 1", "  update t set x = 2", "SELECT 1"], True),
    (["DELETE FROM t"], True),  # no row deleted: still a write
    (["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END"], True),
    (["DROP TABLE t"], True),
    (["WITH one AS (SELECT 1) SELECT * FROM one"], True),  # not told apart: counted
])
def test_statements_that_write(engine, statements, wrote):
    with engine.connect() as conn:
        with conn.begin():
            for statement in statements:
                conn.exec_driver_sql(statement)
            assert transaction_wrote(conn) is wrote


def test_a_savepoint_alone_writes_nothing_and_the_mark_ends_with_its_transaction(engine):
    with engine.connect() as conn:
        with conn.begin():
            with conn.begin_nested():
                conn.exec_driver_sql("SELECT 1")
            assert not transaction_wrote(conn)
            with conn.begin_nested() as savepoint:
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
                savepoint.rollback()
            assert transaction_wrote(conn)  # rolled back to the savepoint: still conservative
        with conn.begin():
            conn.exec_driver_sql("SELECT * FROM t")
            assert not transaction_wrote(conn)
        with conn.begin():
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        with conn.begin():
            assert not transaction_wrote(conn)
            assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == [2]


@pytest.mark.parametrize("wrote_first", [False, True])
def test_a_reading_request_is_made_writable_without_committing_what_it_wrote(sqlite_app,
                                                                             wrote_first):
    with sqlite_app.test_request_context("/", method="GET"):
        db.session.execute(text("SELECT count(*) FROM t"))
        if wrote_first:
            db.session.execute(text("INSERT INTO t VALUES (1)"))
        connection = write_connection()
        # Read only so far: begun again, taking the write lock; written: kept as it is.
        assert connection.info[IMMEDIATE] is not wrote_first
        db.session.execute(text("INSERT INTO t VALUES (2)"))
        db.session.rollback()
        assert db.session.execute(text("SELECT count(*) FROM t")).scalar() == 0
