"""API token expiry, names and revocation; user-official links (issue 16.1-2)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:20:00

``api_token`` gains a name, an expiry, the time of last use and why it was revoked.
Tokens issued before this revision never expired: they get the default lifetime of
this revision (90 days, listed here rather than read from the settings so the
migration stays what it was) counted from the upgrade, so no integration stops at
the upgrade itself. ``user_relative`` holds the relatives the admin declares for a
user (recusal, 回避).
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90


def upgrade():
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("name", sa.String(length=64), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_reason", sa.String(length=16), nullable=True))
    token = sa.table("api_token", sa.column("expires_at", sa.DateTime))
    expires = (dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
               + dt.timedelta(days=DEFAULT_DAYS))
    op.get_bind().execute(token.update().values(expires_at=expires))
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)

    op.create_table(
        "user_relative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"],
                                name=op.f("fk_user_relative_official_id_official")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_user_relative_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_relative")),
        sa.UniqueConstraint("user_id", "official_id", name=op.f("uq_user_relative_user_id")),
    )
    with op.batch_alter_table("user_relative") as batch:
        batch.create_index(batch.f("ix_user_relative_official_id"), ["official_id"],
                           unique=False)


def downgrade():
    with op.batch_alter_table("user_relative") as batch:
        batch.drop_index(batch.f("ix_user_relative_official_id"))
    op.drop_table("user_relative")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("revoked_reason")
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
        batch.drop_column("name")
