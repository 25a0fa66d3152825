"""考察材料 (issue 13.4): 民主推荐 records and frozen final versions of agenda items

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "democratic_recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["agenda_item.id"],
                                name=op.f("fk_democratic_recommendation_item_id_agenda_item")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"],
                                name=op.f("fk_democratic_recommendation_recorded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_democratic_recommendation")),
    )
    op.create_index(op.f("ix_democratic_recommendation_item_id"), "democratic_recommendation",
                    ["item_id"], unique=False)
    op.create_table(
        "inspection_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["agenda_item.id"],
                                name=op.f("fk_inspection_report_item_id_agenda_item")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"],
                                name=op.f("fk_inspection_report_uploaded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_report")),
        sa.UniqueConstraint("item_id", "version", name="uq_inspection_report_version"),
    )
    op.create_index(op.f("ix_inspection_report_item_id"), "inspection_report", ["item_id"],
                    unique=False)


def downgrade():
    op.drop_index(op.f("ix_inspection_report_item_id"), table_name="inspection_report")
    op.drop_table("inspection_report")
    op.drop_index(op.f("ix_democratic_recommendation_item_id"),
                  table_name="democratic_recommendation")
    op.drop_table("democratic_recommendation")
