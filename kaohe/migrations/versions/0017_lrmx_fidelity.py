"""LRMX fidelity (issue 13.2)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 12:45:00

Every element of the 干部任免审批表 is kept (呈报单位, 计算年龄时间, 填表时间, 填表人,
Version, 年度考核结果 as written, the 学位's school), lengths follow the LRMX input
specification (现任/拟任/拟免职务 324, 专业技术职务 90, 称谓 18) and a family member's
birth date given to the day keeps it.
"""
from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SHEET_COLUMNS = (
    ("degree_school_fulltime", sa.String(length=90)),
    ("degree_school_inservice", sa.String(length=90)),
    ("annual_results", sa.Text()),
    ("reporting_unit", sa.String(length=252)),
    ("filled_by", sa.String(length=18)),
    ("format_version", sa.String(length=32)),
)
SHEET_WIDENED = (("tech_title", 64, 90), ("proposed_post", 200, 324),
                 ("proposed_removal", 200, 324))


def upgrade():
    with op.batch_alter_table("appointment_sheet", schema=None) as batch_op:
        for name, type_ in SHEET_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=""))
        batch_op.add_column(sa.Column("age_reference_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("filled_on", sa.Date(), nullable=True))
        for name, old, new in SHEET_WIDENED:
            batch_op.alter_column(name, existing_type=sa.String(length=old),
                                  type_=sa.String(length=new), existing_nullable=False)
    with op.batch_alter_table("family_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_day_known", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.alter_column("relation", existing_type=sa.String(length=16),
                              type_=sa.String(length=18), existing_nullable=False)
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.alter_column("current_post", existing_type=sa.String(length=200),
                              type_=sa.String(length=324), existing_nullable=False)


def downgrade():
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.alter_column("current_post", existing_type=sa.String(length=324),
                              type_=sa.String(length=200), existing_nullable=False)
    with op.batch_alter_table("family_member", schema=None) as batch_op:
        batch_op.alter_column("relation", existing_type=sa.String(length=18),
                              type_=sa.String(length=16), existing_nullable=False)
        batch_op.drop_column("birth_day_known")
    with op.batch_alter_table("appointment_sheet", schema=None) as batch_op:
        for name, old, new in SHEET_WIDENED:
            batch_op.alter_column(name, existing_type=sa.String(length=new),
                                  type_=sa.String(length=old), existing_nullable=False)
        batch_op.drop_column("filled_on")
        batch_op.drop_column("age_reference_date")
        for name, _type in reversed(SHEET_COLUMNS):
            batch_op.drop_column(name)
