"""search indexes: covering indexes for the officials search at 100 000 officials

Revision ID: 0004
Revises: 0006

Numbered 0004 as planned, but chained after 0006 (0005 unit assessment and
0006 family members were committed first): Alembic follows down_revision, not the
numbers, and a single head must remain.

Each index holds every column its query reads, the soft-delete column
included, so both SQLite and PostgreSQL answer the search page and its count
from the index alone (SQLite does not count a partial index's predicate column
as covered, hence plain composite indexes). ``deleted_at`` never leads: without
statistics SQLite takes ``deleted_at IS NULL`` for a selective key and would
scan every official instead of looking a few up by id.
``bench/bench_officials.py`` measures the effect; see also
``kaohe.officials.services.search_statements``.

No pg_trgm index: a trigram index cannot serve the one- and two-character
queries (a surname, a given name) that make up most searches of Chinese names;
full three-character names are already cheap through ``ix_official_name_live``.
"""
from alembic import op

revision = "0004"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = [
    # name search (LIKE '%q%') and its count: scan the names in order
    ("ix_official_name_live", "official", ["name", "id", "deleted_at"]),
    # unit filter: live officials of one unit, already ordered by name
    ("ix_official_unit_live_name", "official", ["unit_id", "deleted_at", "name", "id"]),
    # grade/year filter over many officials: ids with a live annual result of that grade
    ("ix_assessment_grade_year_live", "assessment_result",
     ["kind", "grade", "year", "deleted_at", "official_id"]),
    # grade/year filter over few officials: probe one official's annual results
    ("ix_assessment_official_grade_live", "assessment_result",
     ["official_id", "kind", "grade", "year", "deleted_at"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
