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


def _sqlite_triggers() -> dict[str, str]:
    insert = _INSERT + "SELECT kind, key, NEW.name, NEW.id FROM ({keys});"
    # The compound SELECT wrapped in a plain one: a row value IN a compound SELECT
    # directly makes SQLite (3.40) scan the whole key table for every official.
    delete = ("DELETE FROM official_search_key WHERE official_id = OLD.id AND name = OLD.name "
              "AND (kind, key) IN (SELECT kind, key FROM ({keys}));")
    new = sqlite_keys("NEW.name", "NEW.name_pinyin")
    old = sqlite_keys("OLD.name", "OLD.name_pinyin")
    return {
        "official_search_ai": "CREATE TRIGGER official_search_ai AFTER INSERT ON official "
                              "BEGIN " + insert.format(keys=new) + " END",
        "official_search_ad": "CREATE TRIGGER official_search_ad AFTER DELETE ON official "
                              "BEGIN " + delete.format(keys=old) + " END",
        "official_search_au": "CREATE TRIGGER official_search_au AFTER UPDATE OF name, "
                              "name_pinyin ON official BEGIN " + delete.format(keys=old) + " "
                              + insert.format(keys=new) + " END",
    }


def create_sqlite_triggers(execute: Callable[[str], object],
                           names: tuple[str, ...] = SQLITE_TRIGGERS) -> None:
    """Create the SQLite triggers ``names`` (all three by default) through ``execute``
    (a migration's ``op.execute`` or a connection's ``exec_driver_sql``)."""
    triggers = _sqlite_triggers()
    for name in names:
        execute(triggers[name])


# Migration 0024's trigger function with its deletes made one primary-key lookup per
# key: its DELETE … USING the keys' function made the planner scan the whole key table
# for the official's name and id while the table was small (10 000 officials: 20 ms
# for each official renamed or deleted).
_PG_SYNC = """
CREATE OR REPLACE FUNCTION official_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_key record;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    FOR old_key IN SELECT o.kind, o.key FROM official_search_keys(OLD.name, OLD.name_pinyin) o
    LOOP
      DELETE FROM official_search_key s WHERE s.kind = old_key.kind AND s.key = old_key.key
        AND s.name = OLD.name AND s.official_id = OLD.id;
    END LOOP;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO official_search_key (kind, key, name, official_id)
      SELECT o.kind, o.key, NEW.name, NEW.id FROM official_search_keys(NEW.name, NEW.name_pinyin) o;
  END IF;
  RETURN NULL;
END $$"""


def replace_key_deletes(execute: Callable[[str], object], dialect: str) -> None:
    """(Migrations 0029 and 0030) The triggers as written here, which delete the keys of
    a renamed or deleted official by primary key: migration 0024's scanned the whole key
    table for each official (SQLite: 10 000 officials, 10 ms each; a million, seconds)."""
    if dialect == "postgresql":
        execute(_PG_SYNC)
        return
    for name in SQLITE_TRIGGERS[1:]:  # the insert trigger deletes nothing
        execute(f"DROP TRIGGER {name}")
    create_sqlite_triggers(execute, SQLITE_TRIGGERS[1:])


def fill_sql(dialect: str, above_id: int | None = None, *, or_ignore: bool = False) -> str:
    """One INSERT … SELECT of the keys of every official, or of those whose id is above
    ``above_id``. SQLite inserts in key order (a table without rowid is its key), leaving
    out keys already there when ``or_ignore``."""
    if dialect == "postgresql":
        return (_INSERT + "SELECT k.kind, k.key, o.name, o.id FROM official o, "
                "LATERAL official_search_keys(o.name, o.name_pinyin) k"
                + ("" if above_id is None else f" WHERE o.id > {int(above_id)}"))
    source = ("official o, " if above_id is None else
              f"(SELECT id, name, name_pinyin FROM official WHERE id > {int(above_id)}) o, ")
    insert = _INSERT.replace("INSERT", "INSERT OR IGNORE", 1) if or_ignore else _INSERT
    return (insert + sqlite_keys("o.name", "o.name_pinyin", ", o.name, o.id", source)
            + " ORDER BY 1, 2, 3, 4")


class InsertsIndexedAtEnd:
    """SQLite: officials inserted in bulk in one writing transaction (the Excel import)
    get their keys in one sorted INSERT … SELECT before it commits, instead of the insert
    trigger's ~20 row-by-row inserts each into the key table (10 000 rows: the import
    now costs what it costs with no pinyin index at all). Updates and deletes keep their
    triggers. PostgreSQL: nothing changes (disabling its trigger
    would lock the officials table against readers until the commit)."""

    def __init__(self) -> None:
        self.held = False
        self.above: int | None = None

    def before_insert(self, connection: Connection) -> None:
        """Call before inserting officials: the first time, drops the insert trigger, in
        the transaction (a rollback brings it back)."""
        if self.held or connection.dialect.name != "sqlite":
            return
        # A write: from here the transaction holds SQLite's one write lock, so every
        # official above this id is inserted by this transaction.
        connection.exec_driver_sql(f"DROP TRIGGER {SQLITE_TRIGGERS[0]}")
        self.above = connection.exec_driver_sql("SELECT max(id) FROM official").scalar()
        self.held = True

    def finish(self, connection: Connection) -> int:
        """Call before committing: writes the keys of the officials inserted since
        :meth:`before_insert` (those an update trigger wrote meanwhile are left out) and
        creates the insert trigger again. The number of key rows written."""
        if not self.held:
            return 0
        rows = connection.exec_driver_sql(fill_sql("sqlite", self.above, or_ignore=True)).rowcount
        create_sqlite_triggers(connection.exec_driver_sql, SQLITE_TRIGGERS[:1])
        self.held = False
        return rows


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
