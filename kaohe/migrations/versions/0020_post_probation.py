"""post: probation (试用期) in months; indexes of the 试用期满 and 到龄 reminders; the
to-do e-mail digest subscriptions (issue 14.1)

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
    op.create_table(
        "todo_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_sent_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )


def downgrade():
    op.drop_table("todo_digest")
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.drop_index("ix_official_birth_date")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_probation")
        batch_op.drop_column("probation_months")
