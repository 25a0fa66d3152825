"""to-dos: the posts held today begun in a date range, from one index

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 12:30:00

The 任现职满 5 / 10 年 reminders ask for the posts held today (still open, or ending
after today) that began in a window of two months five years ago, or more than ten
years ago. No index led with either date, so both engines read every post (1.8
million at a million officials: 1.2 s of the organization's to-do list on SQLite). A
partial index of the live posts on (end_date, start_date) reads each slice alone: the
open posts (NULL end) begun in a range, and the few ending later.
"""
from alembic import op
import sqlalchemy as sa


revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index("ix_post_ending", ["end_date", "start_date"],
                              unique=False, sqlite_where=sa.text("deleted_at IS NULL"),
                              postgresql_where=sa.text("deleted_at IS NULL"))


def downgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_ending")
