"""agenda bundles: the stored PDF last on SQLite, stored uncompressed on PostgreSQL (issue 17)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 04:40:00

The bundle is written by reserving its size with ``zeroblob`` and filling it in slices
(:func:`kaohe.discussions.bundle._store`). SQLite materializes a zeroblob into the row's
record unless it is the record's last column: with ``pdf`` in the middle, writing a 74 MB
bundle of 500 items took about twice its size in memory (peak 170 -> 317 MB). An added
column is always last, so the bytes are copied into one and the old column dropped.
PostgreSQL keeps large values out of line (TOAST): its column order does not matter. It
tried to compress every stored bundle, whose PDF streams are compressed already (74 MB
stored as 73 MB, 0.6-1.6 s of the write): the column is stored out of line without
compression (``STORAGE EXTERNAL``).
"""
from alembic import op


revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE discussion_bundle ALTER COLUMN pdf SET STORAGE EXTERNAL")
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE discussion_bundle ADD COLUMN pdf_last BLOB")
    op.execute("UPDATE discussion_bundle SET pdf_last = pdf")
    op.execute("ALTER TABLE discussion_bundle DROP COLUMN pdf")
    op.execute("ALTER TABLE discussion_bundle RENAME COLUMN pdf_last TO pdf")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE discussion_bundle ALTER COLUMN pdf SET STORAGE EXTENDED")
    # SQLite: the column order is physical only, nothing of the schema to undo
