"""post: probation (试用期) in months; indexes of the 试用期满 and 到龄 reminders (issue 14.1)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("probation_months", sa.Integer(), nullable=True))
        batch_op.create_index("ix_post_probation", ["probation_months", "end_date"], unique=False)
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.create_index("ix_official_birth_date", ["birth_date"], unique=False)


def downgrade():
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.drop_index("ix_official_birth_date")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_probation")
        batch_op.drop_column("probation_months")
