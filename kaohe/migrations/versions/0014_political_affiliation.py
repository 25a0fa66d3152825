"""official: political affiliation (CCP / 民主党派 / 无党派), wider education fields

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WIDENED = ("edu_fulltime", "degree_fulltime", "edu_inservice", "degree_inservice")


def upgrade():
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.add_column(sa.Column("political_status", sa.String(length=16),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("democratic_party", sa.String(length=16),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("democratic_party_date", sa.Date(), nullable=True))
        # 学历 keeps the 党校 marker and 学位 its discipline (LRMX: up to 54 characters).
        for column in WIDENED:
            batch_op.alter_column(column, existing_type=sa.String(length=16),
                                  type_=sa.String(length=54), existing_nullable=False)
        batch_op.create_index(batch_op.f("ix_official_political_status"), ["political_status"],
                              unique=False)
    # A recorded CCP join date means a member; without one the affiliation was never
    # recorded (it may be 群众 or 无党派人士): say so rather than guess.
    op.execute("UPDATE official SET political_status = '中共党员' WHERE party_date IS NOT NULL")


def downgrade():
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_official_political_status"))
        for column in WIDENED:
            batch_op.alter_column(column, existing_type=sa.String(length=54),
                                  type_=sa.String(length=16), existing_nullable=False)
        batch_op.drop_column("democratic_party_date")
        batch_op.drop_column("democratic_party")
        batch_op.drop_column("political_status")
