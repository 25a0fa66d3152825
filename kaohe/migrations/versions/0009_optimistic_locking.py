"""optimistic locking: a version column on every editable record

Revision ID: 0009
Revises: 0008a
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008a"
branch_labels = None
depends_on = None

# Existing rows start at version 1, as new ones do.
TABLES = (
    "agenda_item", "appointment_sheet", "assessment_result", "discipline_finding",
    "discussion", "family_member", "four_must_check", "integrity_opinion", "official",
    "org_note", "post", "review", "setting", "tolerance_exemption", "ua_category",
    "ua_event", "ua_indicator", "ua_interview", "ua_public_rating", "ua_result",
    "ua_scheme", "unit", "user",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1",
                                          nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
