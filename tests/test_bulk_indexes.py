"""seed-demo's bulk loads on PostgreSQL (kaohe.interop.bulk.pg_indexes_built_after): a
table's indexes that back no constraint are dropped for the load and created again from
their own definitions after it; a failed load's rollback brings them back; the rules they
enforce (one live annual result per official and year) hold again after the load; a
trusted load skips the foreign-key checks inside it only. SQLite: nothing changes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from kaohe.assessments.models import AssessmentResult
from kaohe.extensions import db
from kaohe.interop import bulk

TABLE = AssessmentResult.__table__


def _indexes(connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE tablename = 'assessment_result'"
    else:
        sql = ("SELECT sql FROM sqlite_master WHERE type = 'index' "
               "AND tbl_name = 'assessment_result'")
    return set(connection.exec_driver_sql(sql).scalars())


def _row(official_id: int, year: int) -> dict:
    return {"official_id": official_id, "year": year, "kind": "annual", "quarter": None,
            "task_name": "",
            "grade": "competent", "comment": "", "created_at": dt.datetime(2024, 2, 29),
            "deleted_at": None, "recorded_by_id": None, "version": 1}


def _insert(connection, rows):
    if connection.dialect.name == "postgresql":
        bulk.copy_rows(connection, TABLE, rows)
    else:
        bulk.executemany_rows(connection, TABLE, rows)


def test_the_indexes_are_the_same_after_a_load(make):
    official = make.official(name="索引甲")
    connection = db.session.connection()
    before = _indexes(connection)
    assert len(before) >= 5
    with bulk.pg_indexes_built_after(connection, TABLE):
        during = _indexes(connection)
        _insert(connection, [_row(official.id, y) for y in range(2000, 2025)])
    if connection.dialect.name == "postgresql":
        assert during < before and all("UNIQUE" in d and "pk_" in d for d in during), during
    else:
        assert during == before
    assert _indexes(connection) == before
    assert connection.execute(text(
        "SELECT count(*) FROM assessment_result WHERE official_id = :o"),
        {"o": official.id}).scalar() == 25
    # The partial unique index is back: a second live annual result of 2024 is refused.
    # (COPY raises the driver's own error: no SQLAlchemy wrapping on the raw cursor.)
    with pytest.raises(Exception, match="uq_assessment_annual|UNIQUE constraint failed"), \
            db.session.begin_nested():
        _insert(db.session.connection(), [_row(official.id, 2024)])


def test_a_failed_load_keeps_the_indexes(make):
    connection = db.session.connection()
    before = _indexes(connection)
    with pytest.raises(RuntimeError), db.session.begin_nested():
        with bulk.pg_indexes_built_after(db.session.connection(), TABLE):
            raise RuntimeError("the load failed")
    assert _indexes(db.session.connection()) == before


def test_a_trusted_load_skips_the_reference_checks_inside_only(make):
    """seed-demo's own ids: PostgreSQL's foreign-key checks are off for the load (the
    superuser the tests run as may) and on again after it: a result naming no official
    is refused then, as on SQLite."""
    connection = db.session.connection()
    with bulk.pg_indexes_built_after(connection, TABLE, trusted=True):
        if connection.dialect.name == "postgresql":
            assert connection.exec_driver_sql(
                "SHOW session_replication_role").scalar() == "replica"
    if connection.dialect.name == "postgresql":
        assert connection.exec_driver_sql("SHOW session_replication_role").scalar() == "origin"
    with pytest.raises(Exception, match="(?i)foreign key"), db.session.begin_nested():
        _insert(db.session.connection(), [_row(2_000_000_000, 2024)])
