"""The name search keys of officials as SQL, and their set-based build for bulk loads.

Migration 0024 creates the triggers that keep ``official_search_key`` in step and fills
it for the officials already there; both use the SQL here, and so does
:func:`built_after`, so keys built in bulk are exactly those the triggers write. On
PostgreSQL the keys of a name are the SQL function ``official_search_keys`` the
migration creates; on SQLite (no functions) they are the query of :func:`sqlite_keys`.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import Connection

PREFIX = 4  # pinyin prefixes up to this length are keys; longer queries use whole spellings
_NUMBERS = "json_each('[" + ",".join(str(i) for i in range(1, 65)) + "]')"  # name ≤ 64 chars
_PREFIXES = "json_each('[" + ",".join(str(i) for i in range(1, PREFIX + 1)) + "]')"

PG_TRIGGER = "official_search_sync"
_PG_PRIMARY_KEY = ("ALTER TABLE official_search_key ADD CONSTRAINT pk_official_search_key "
                  "PRIMARY KEY (kind, key, name, official_id)")
SQLITE_TRIGGERS = ("official_search_ai", "official_search_ad", "official_search_au")
_INSERT = "INSERT INTO official_search_key (kind, key, name, official_id) "


def sqlite_keys(name: str, spelled: str, row: str = "", source: str = "") -> str:
    """SELECT kind, key[, row] of a name and its pinyin text on SQLite, ``source`` the
    tables before the generated ones (no loops in a trigger: json_each over a list of
    numbers and over the spellings split at spaces)."""
    tokens = (f"json_each('[\"' || replace(replace(replace(coalesce({spelled}, ''), '\\', ''), "
              f"'\"', ''), ' ', '\",\"') || '\"]')")
    return (f"SELECT 'c' AS kind, substr({name}, n.value, 1) AS key{row} FROM {source}{_NUMBERS} n "
            f"WHERE n.value <= length({name}) "
            f"UNION SELECT 'c', substr({name}, n.value, 2){row} FROM {source}{_NUMBERS} n "
            f"WHERE n.value < length({name}) "
            f"UNION SELECT 'p', substr(t.value, 1, n.value){row} "
            f"FROM {source}{tokens} t, {_PREFIXES} n WHERE n.value <= length(t.value) "
            f"UNION SELECT 'p', t.value{row} FROM {source}{tokens} t "
            f"WHERE length(t.value) > {PREFIX}")


def create_sqlite_triggers(execute: Callable[[str], object]) -> None:
    """Create the SQLite triggers through ``execute`` (a migration's ``op.execute`` or a
    connection's ``exec_driver_sql``)."""
    insert = _INSERT + "SELECT kind, key, NEW.name, NEW.id FROM ({keys});"
    delete = ("DELETE FROM official_search_key WHERE official_id = OLD.id AND name = OLD.name "
              "AND (kind, key) IN ({keys});")
    new = sqlite_keys("NEW.name", "NEW.name_pinyin")
    old = sqlite_keys("OLD.name", "OLD.name_pinyin")
    execute("CREATE TRIGGER official_search_ai AFTER INSERT ON official BEGIN "
            + insert.format(keys=new) + " END")
    execute("CREATE TRIGGER official_search_ad AFTER DELETE ON official BEGIN "
            + delete.format(keys=old) + " END")
    execute("CREATE TRIGGER official_search_au AFTER UPDATE OF name, name_pinyin ON official "
            "BEGIN " + delete.format(keys=old) + " " + insert.format(keys=new) + " END")


def fill_sql(dialect: str, above_id: int | None = None) -> str:
    """One INSERT … SELECT of the keys of every official, or of those whose id is above
    ``above_id``. SQLite inserts in key order (a table without rowid is its key)."""
    if dialect == "postgresql":
        return (_INSERT + "SELECT k.kind, k.key, o.name, o.id FROM official o, "
                "LATERAL official_search_keys(o.name, o.name_pinyin) k"
                + ("" if above_id is None else f" WHERE o.id > {int(above_id)}"))
    source = ("official o, " if above_id is None else
              f"(SELECT id, name, name_pinyin FROM official WHERE id > {int(above_id)}) o, ")
    return (_INSERT + sqlite_keys("o.name", "o.name_pinyin", ", o.name, o.id", source)
            + " ORDER BY 1, 2, 3, 4")


@dataclass
class Built:
    rows: int = 0  # key rows written at the end of the block


@contextmanager
def built_after(connection: Connection) -> Iterator[Built]:
    """Officials inserted inside the block get their keys in one set-based INSERT at its
    end instead of ~16 row-by-row trigger inserts each: the triggers are off meanwhile
    (PostgreSQL: disabled; SQLite: dropped and created again). Only inserts may happen
    inside. Both databases keep DDL in the transaction, so when the block fails the
    caller's rollback brings the triggers back together with the officials' absence;
    nothing more is run on a failed transaction here."""
    dialect = connection.dialect.name
    above = connection.exec_driver_sql("SELECT max(id) FROM official").scalar()
    if dialect == "postgresql":
        # Locks the officials table until commit, as any trigger change does.
        connection.exec_driver_sql(f"ALTER TABLE official DISABLE TRIGGER {PG_TRIGGER}")
    else:
        for name in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
    built = Built()
    yield built
    built.rows = _fill(connection, above)
    if dialect == "postgresql":
        connection.exec_driver_sql(f"ALTER TABLE official ENABLE TRIGGER {PG_TRIGGER}")
        connection.exec_driver_sql("ANALYZE official_search_key")  # the plans count keys
    else:
        create_sqlite_triggers(connection.exec_driver_sql)


def _fill(connection: Connection, above: int | None) -> int:
    """Write the keys of the officials above id ``above``; the number of key rows."""
    dialect = connection.dialect.name
    empty = dialect == "postgresql" and connection.exec_driver_sql(
        "SELECT NOT EXISTS (SELECT FROM official_search_key)").scalar()
    if empty:
        # As migration 0024 does: the primary key built after the rows, one sort instead
        # of an index insertion per key (100 000 officials: 13 s → 8 s). Searches wait
        # for the commit meanwhile; an empty key table means there was nothing to find.
        connection.exec_driver_sql(
            "ALTER TABLE official_search_key DROP CONSTRAINT pk_official_search_key")
    rows = connection.exec_driver_sql(fill_sql(dialect, above)).rowcount
    if empty:
        connection.exec_driver_sql(_PG_PRIMARY_KEY)
    return rows
