"""Core bulk insert of new, already validated records, with their audit rows.

The ORM path (service → ``records.save`` → flush → the audit listener) costs
about 0.3 ms a record; an import of thousands of new records inserts them here
in chunks instead and writes, in the same transaction, the very audit rows the
listener (:mod:`kaohe.audit.listeners`) would have written: action ``create``,
every column except ``__audit_exclude__`` in ``after``, the current actor.
"""
from __future__ import annotations

from contextlib import contextmanager
from operator import itemgetter
from typing import Iterator

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from kaohe.audit.listeners import plain_value
from kaohe.audit.services import current_actor
from kaohe.core.models import utcnow
from kaohe.extensions import db

CHUNK = 1000
COPY_ROWS = 200  # from this many rows, COPY on PostgreSQL


def _default(column):
    default = column.default
    if default is None:
        return None
    if default.is_callable:  # wrapped by SQLAlchemy to take the execution context
        return default.arg(None)
    if default.is_scalar:
        return default.arg
    return None


def append_audit(connection, entries: list[dict]) -> None:
    """Write audit entries the way the flush listener does on this code base."""
    try:
        from kaohe.audit import pending
    except ImportError:  # before the hash chain: plain rows
        from kaohe.audit.models import AuditLog

        if entries:
            connection.execute(AuditLog.__table__.insert(), entries)
    else:
        pending.collect(db.session(), entries)  # chained at commit


def copy_rows(connection, table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` with PostgreSQL's COPY, their ids drawn from the table's sequence
    first: psycopg parses a many-row INSERT's text anew for every page (it caches only
    short statements), which made 12 000 rows cost seconds; COPY streams them."""
    quote = connection.dialect.identifier_preparer.quote
    ids = connection.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
             "FROM generate_series(1, :n)"), {"table": table.name, "n": len(rows)}).scalars().all()
    keys = list(rows[0])
    columns = ", ".join(quote(k) for k in ("id", *keys))
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
        for new_id, row in zip(ids, rows):
            copy.write_row((new_id, *(row[k] for k in keys)))
    return list(ids)


def executemany_rows(connection, table, rows: list[dict]) -> None:
    """Insert ``rows`` (the same keys each) on SQLite with the driver's executemany, each
    value converted by its column's own bind processor and the columns the rows leave
    out given their Python-side defaults, as Core's executemany does; Core rebuilds and
    processes a parameter dict per row besides, about half the time of a seed's batch."""
    dialect = connection.dialect
    given = list(rows[0])
    defaults = {c.key: _default(c) for c in table.columns
                if c.key not in given and c.default is not None and not c.primary_key}
    columns = [table.c[k] for k in (*given, *defaults)]
    convert = [(i, p) for i, p in enumerate(c.type.dialect_impl(dialect).bind_processor(dialect)
                                            for c in columns) if p is not None]
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    pick, extra = itemgetter(*given), tuple(defaults.values())
    values = []
    for row in rows:
        value = [*pick(row), *extra] if len(given) > 1 else [row[given[0]], *extra]
        for i, process in convert:
            value[i] = process(value[i])
        values.append(tuple(value))
    connection.exec_driver_sql(sql, values)


def numbered_rows(connection, table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` on SQLite numbered after the table's largest id, by the driver's
    executemany: SQLite cannot return a many-row INSERT's ids in the rows' order, so
    ``INSERT … RETURNING`` ran one statement per row (5 000 officials: 5 000 statements,
    most of the import's database time). A writing transaction holds SQLite's write lock
    from its BEGIN IMMEDIATE, so nothing else numbers rows meanwhile; a clash would fail
    the insert, never misnumber it."""
    first = (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    ids = list(range(first, first + len(rows)))
    executemany_rows(connection, table, [{"id": i, **row} for i, row in zip(ids, rows)])
    return ids


@contextmanager
def wide_sqlite_cache(connection, kib: int) -> Iterator[None]:
    """SQLite's page cache widened to ``kib`` for a long load on ``connection``, then
    restored: a load in one transaction with the default 2 MiB spilled every index page
    and read it back again (seed-demo at 100 000 officials: 3 GB written, 8 GB read for
    a file of a few hundred MB). Nothing on PostgreSQL: it has its shared buffers."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.dbapi_connection  # outlives the commit, in the pool
    before = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size=-{kib}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={before}")


@contextmanager
def pg_indexes_built_after(connection, table, trusted: bool = False) -> Iterator[None]:
    """PostgreSQL: ``table``'s indexes that back no constraint dropped before a bulk load
    and created again after it, from their own definitions: one sort per index instead of
    an insertion per row (seed-demo wrote four million annual results into six). DDL is
    part of the transaction: a failed load's rollback brings the indexes back. Nothing on
    SQLite. The table is locked against other sessions until the commit meanwhile.

    ``trusted``: rows whose references the loader made itself (seed-demo's ids) skip the
    foreign-key checks, one lookup and row lock per row, where the role may
    (``session_replication_role``, superusers); the unique indexes still check theirs."""
    if connection.dialect.name != "postgresql":
        yield
        return
    if trusted:
        try:
            with connection.begin_nested():  # refused: rolled back to here, checks kept
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        except DBAPIError:
            trusted = False
    found = connection.execute(text(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = CAST(:t AS regclass) "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
        "ORDER BY i.relname"), {"t": table.name}).all()
    quote = connection.dialect.identifier_preparer.quote
    for name, _definition in found:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    if trusted:
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in found:
        connection.exec_driver_sql(definition)


def insert_records(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` (column → value) as new ``model`` records, audited; returns their ids.

    Columns a row leaves out get the column default, as a flush would; the
    session's pending changes are flushed first so the audit stays in order.
    """
    if not rows:
        return []
    session = db.session()
    session.flush()
    table = model.__table__
    exclude = set(getattr(model, "__audit_exclude__", ()))
    actor_id, actor_name = current_actor()
    now = utcnow()
    columns = [c for c in table.columns if c.key != "id"]
    defaults = {c.key: _default(c) for c in columns}
    if "recorded_by_id" in defaults:
        defaults["recorded_by_id"] = actor_id
    full = [{**defaults, **{k: v for k, v in row.items() if k in defaults}} for row in rows]
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(full) >= COPY_ROWS:
        ids = copy_rows(connection, table, full)
    elif connection.dialect.name == "sqlite":
        ids = numbered_rows(connection, table, full)
    else:
        ids = []
        for start in range(0, len(full), CHUNK):
            part = full[start:start + CHUNK]
            result = connection.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), part)
            ids.extend(result.scalars().all())
    entries = []
    for new_id, row in zip(ids, full):
        after = {"id": new_id, **{k: plain_value(v) for k, v in row.items() if k not in exclude}}
        entries.append({"at": now, "actor_id": actor_id, "actor_name": actor_name,
                        "action": "create", "entity_type": table.name, "entity_id": new_id,
                        "before": None, "after": after})
    append_audit(connection, entries)
    return ids
