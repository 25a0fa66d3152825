"""One schema upgrade at a time, however many servers run ``init-db`` at once.

PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) taken on a connection
of its own, held around the Alembic upgrade and the role sync and released after;
the others wait for it, then find the schema current and the roles in place, and do
nothing. Alembic's own connection cannot hold it: it commits per run, and a lock
taken in its transaction would end with it.

SQLite: the database is a file on one machine, so an exclusive ``flock`` on a lock
file beside it does the same. BEGIN IMMEDIATE alone is not enough: Alembic reads the
version table in a deferred transaction, and a process whose read must turn into a
write after another one wrote gets "database is locked" at once (SQLite cannot wait
there). Without either lock, three ``init-db`` at once failed on both databases
(tests/test_audit_initdb.py: "database is locked"; PostgreSQL: duplicate type).
"""
from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

# Constant key of the advisory lock: "kaohe" in ASCII, far from anything else's.
MIGRATION_LOCK_KEY = 0x6B616F6865


@contextlib.contextmanager
def migration_lock(engine: Engine):
    """Hold the database-wide migration lock for the ``with`` block."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(select(func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
            try:
                yield
            finally:
                conn.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield  # nothing another process could share
        return
    with open(Path(database).with_name(Path(database).name + ".init-lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
