"""statistics: the posts held on a day, per official, from one index

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 04:30:00

The team-structure report's 任现职年限 groups the posts held on its date by official. A
partial index of the live posts on (official_id, start_date, end_date) lets both engines
read them in official order from the index alone (SQLite read every post row by rowid
through ``ix_post_official_id``).
"""
from alembic import op
import sqlalchemy as sa


revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index("ix_post_held", ["official_id", "start_date", "end_date"],
                              unique=False, sqlite_where=sa.text("deleted_at IS NULL"),
                              postgresql_where=sa.text("deleted_at IS NULL"))


def downgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_held")
