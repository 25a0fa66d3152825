"""login rate limits shared by all workers (issue 16.6)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # One row per counter, bumped atomically (INSERT ... ON CONFLICT DO UPDATE ...
    # RETURNING); it replaces login_attempt, whose count-then-insert let concurrent
    # failures pass the lockout together. The attempts stay in the audit log.
    op.create_table(
        "login_limit",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_login_limit")),
    )
    with op.batch_alter_table("login_limit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_limit_window_start"), ["window_start"],
                              unique=False)
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_username"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_remote_addr"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_at"))
    op.drop_table("login_attempt")


def downgrade():
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_remote_addr"), ["remote_addr"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_username"), ["username"],
                              unique=False)
    with op.batch_alter_table("login_limit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_limit_window_start"))
    op.drop_table("login_limit")
