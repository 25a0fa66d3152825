"""officials name search at a million: name-ordered search keys kept by triggers (issue 17)

One row per (kind, key, name, official) in ``official_search_key``:
``c`` every character and every pair of adjacent characters of the name, ``p`` every
prefix of up to 4 letters of each pinyin spelling or initials in ``name_pinyin`` and
the whole spelling when longer. The primary key keeps each key's officials in name
order, so a page of a search is read from the index in order (kaohe.search.index).

Database triggers keep the keys in step with every write path (ORM, the bulk import's
INSERT and COPY, raw SQL). Note for later migrations: on SQLite a
``batch_alter_table("official")`` that copies the table drops these triggers; such
a migration must create them again (``create_sqlite_triggers``). The key SQL itself is
in kaohe.search.keys, shared with the bulk build of the demo seeder.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 15:30:00

"""
from alembic import op
import sqlalchemy as sa

from kaohe.search.keys import PREFIX, fill_sql
from kaohe.search.keys import create_sqlite_triggers as _create_sqlite_triggers


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

def create_sqlite_triggers():
    _create_sqlite_triggers(op.execute)


_PG_KEYS = f"""
CREATE FUNCTION official_search_keys(name text, spelled text)
RETURNS TABLE (kind text, key text) LANGUAGE sql IMMUTABLE AS $$
  SELECT 'c', substr(name, i, 1) FROM generate_series(1, char_length(name)) i
  UNION SELECT 'c', substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) i
  UNION SELECT 'p', substr(t, 1, i)
    FROM unnest(string_to_array(coalesce(spelled, ''), ' ')) t,
         generate_series(1, least(char_length(t), {PREFIX})) i
  UNION SELECT 'p', t FROM unnest(string_to_array(coalesce(spelled, ''), ' ')) t
    WHERE char_length(t) > {PREFIX}
$$"""
_PG_SYNC = """
CREATE FUNCTION official_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM official_search_key k USING official_search_keys(OLD.name, OLD.name_pinyin) o
      WHERE k.kind = o.kind AND k.key = o.key AND k.name = OLD.name AND k.official_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO official_search_key (kind, key, name, official_id)
      SELECT o.kind, o.key, NEW.name, NEW.id FROM official_search_keys(NEW.name, NEW.name_pinyin) o;
  END IF;
  RETURN NULL;
END $$"""


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    columns = [sa.Column("kind", sa.String(length=1), nullable=False),
               sa.Column("key", sa.String(length=600), nullable=False),
               sa.Column("name", sa.String(length=64), nullable=False),
               sa.Column("official_id", sa.Integer(), nullable=False)]
    pk = sa.PrimaryKeyConstraint("kind", "key", "name", "official_id",
                                 name=op.f("pk_official_search_key"))
    if postgresql:
        # Keys of the existing officials first, the primary key built after: one sort
        # instead of a million index insertions.
        op.create_table("official_search_key", *columns)
        op.execute(_PG_KEYS)
        op.execute(fill_sql("postgresql"))
        op.create_primary_key(op.f("pk_official_search_key"), "official_search_key",
                              ["kind", "key", "name", "official_id"])
        op.execute(_PG_SYNC)
        op.execute("CREATE TRIGGER official_search_sync AFTER INSERT OR DELETE "
                   "OR UPDATE OF name, name_pinyin ON official FOR EACH ROW "
                   "EXECUTE FUNCTION official_search_sync()")
        op.execute("ANALYZE official_search_key")
    else:
        op.create_table("official_search_key", *columns, pk, sqlite_with_rowid=False)
        op.execute(fill_sql("sqlite"))
        create_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER official_search_sync ON official")
        op.execute("DROP FUNCTION official_search_sync()")
        op.execute("DROP FUNCTION official_search_keys(text, text)")
    else:
        for name in ("official_search_ai", "official_search_ad", "official_search_au"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("official_search_key")
