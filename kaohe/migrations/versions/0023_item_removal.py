"""agenda items' own 拟免职务; 拟任职务 as long as the form allows (324)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_removal", sa.String(length=324), nullable=False,
                                      server_default=""))
        batch_op.alter_column("proposed_post", existing_type=sa.String(length=200),
                              type_=sa.String(length=324), existing_nullable=False)


def downgrade():
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.alter_column("proposed_post", existing_type=sa.String(length=324),
                              type_=sa.String(length=200), existing_nullable=False)
        batch_op.drop_column("proposed_removal")
