"""Round trips a request pays to PostgreSQL before its data (issue 17).

A page served from what a worker keeps (:mod:`kaohe.audit.kept`) reads one row: the
signed-in user with the audit position. Around it psycopg sent four round trips: the
pool's liveness check (``SELECT 1``), ``BEGIN``, the row, ``ROLLBACK``. Here:

* :func:`ping_when_idle` checks a pooled connection at checkout only when it has been idle
  for a while. A connection handed back a moment ago was working then; one idle for
  long may have been closed by a restart, a failover or a firewall, and is checked (a
  dead one is replaced before the request uses it, as ``pool_pre_ping`` does). If the
  server goes away in the short gap, the request that finds out answers the 503 page
  (:mod:`kaohe.errors`) and SQLAlchemy replaces every connection of the pool.
* :func:`autocommit_read` runs a request's first read outside a transaction: no
  ``BEGIN`` before it, and nothing for ``ROLLBACK`` to end when the request reads
  nothing else. PostgreSQL's READ COMMITTED gives each statement its own snapshot, in a
  transaction or not, so the row read is the same; the statements after it begin a
  transaction as before.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

_CHECKED_IN_AT = "kaohe_checked_in_at"


def ping_when_idle(engine: Engine, after_seconds: float) -> None:
    """Check a pooled connection at checkout when it has been idle ``after_seconds``."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        since = record.info.pop(_CHECKED_IN_AT, None)
        if since is None or time.monotonic() - since < after_seconds:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool drops this connection and checks out another.
                raise DisconnectionError("pooled connection lost while idle") from exc
            raise


@contextmanager
def autocommit_read(session: Session) -> Iterator[None]:
    """Statements of ``session`` inside run outside a transaction when its connection is
    PostgreSQL's, has not begun one yet and nothing waits to be flushed; otherwise
    (SQLite, a transaction under way, pending changes) as usual. Only for reads: a
    write inside would be committed at once, so nothing is flushed inside."""
    if session.new or session.dirty or session.deleted:
        yield
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    raw = connection.connection.dbapi_connection
    status = raw.info.transaction_status  # psycopg's TransactionStatus (not imported here)
    if status != type(status).IDLE:
        yield
        return
    raw.autocommit = True
    try:
        with session.no_autoflush:
            yield
    finally:
        if not raw.closed:
            raw.autocommit = False
