"""officials search: the keys of a renamed or deleted official deleted by primary key

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 01:00:00

The triggers of migration 0024 found the keys to delete, when an official's name or its
pinyin changes or an official is deleted, by scanning the whole key table: SQLite does
not use the primary key for a row value IN a compound SELECT, and PostgreSQL's planner
chose a sequential scan for the official's name and id while the table was small.
Renaming 1 000 of 10 000 officials took 10 s on SQLite and 20 s on PostgreSQL; at a
million officials, seconds for each. The triggers are replaced by ones that look every
key up by primary key (kaohe.search.keys.replace_key_deletes). Migration 0029, which
renames through these triggers, replaces them first too; here for databases past it.
"""
from alembic import op

from kaohe.search.keys import replace_key_deletes


revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    replace_key_deletes(op.execute, op.get_bind().dialect.name)


def downgrade():
    pass  # the triggers write and delete the same keys as 0024's did, only faster
