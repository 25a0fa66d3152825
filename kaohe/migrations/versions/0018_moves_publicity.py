"""four checks of every move and 任前公示 (issue 13.3, 13.5)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 12:45:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
