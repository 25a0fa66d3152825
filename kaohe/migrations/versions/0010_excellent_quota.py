"""excellent quota approvals of officials' annual assessment (issue 12.5)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


LIVE = sa.text("deleted_at IS NULL")


def upgrade():
    op.create_table(
        "excellent_quota_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("pct", sa.SmallInteger(), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_excellent_quota_approval_unit_id_unit")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"],
                                name=op.f("fk_excellent_quota_approval_recorded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_excellent_quota_approval")),
    )
    with op.batch_alter_table("excellent_quota_approval", schema=None) as batch_op:
        batch_op.create_index("uq_excellent_quota_approval", ["unit_id", "year"], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade():
    with op.batch_alter_table("excellent_quota_approval", schema=None) as batch_op:
        batch_op.drop_index("uq_excellent_quota_approval", sqlite_where=LIVE,
                            postgresql_where=LIVE)
    op.drop_table("excellent_quota_approval")
