"""Throw-away databases for tests that need their own committed database: a SQLite
file, or a fresh PostgreSQL database on ``KAOHE_TEST_PG_SERVER`` dropped afterwards."""
from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import sqlalchemy as sa


def pg_server() -> str | None:
    """The PostgreSQL server the suite runs on (psycopg 3 URL), or None for SQLite."""
    server = os.environ.get("KAOHE_TEST_PG_SERVER")
    return server.rstrip("/").replace("postgresql://", "postgresql+psycopg://", 1) if server else None


@contextlib.contextmanager
def scratch_database(prefix: str, sqlite_file: Path):
    """Yield the URL of a new empty database (``sqlite_file`` when not on PostgreSQL)."""
    server = pg_server()
    if server is None:
        yield f"sqlite:///{sqlite_file}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
