"""batch work of a discussion (issue 14.4): saved member lists, 征求意见函 for integrity
opinions, reviewers' own agenda bundles

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"],
                                name=op.f("fk_member_list_recorded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_list")),
    )
    op.create_table(
        "member_list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["member_list.id"],
                                name=op.f("fk_member_list_entry_list_id_member_list")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_member_list_entry_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_list_entry")),
        sa.UniqueConstraint("list_id", "name", name="uq_member_list_entry_name"),
    )
    op.create_index(op.f("ix_member_list_entry_list_id"), "member_list_entry", ["list_id"])
    op.create_table(
        "integrity_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("discussion_id", sa.Integer(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["discussion_id"], ["discussion.id"],
                                name=op.f("fk_integrity_letter_discussion_id_discussion")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_integrity_letter_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_letter")),
        sa.UniqueConstraint("number", name=op.f("uq_integrity_letter_number")),
    )
    op.create_index(op.f("ix_integrity_letter_discussion_id"), "integrity_letter",
                    ["discussion_id"])
    op.create_table(
        "integrity_letter_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("opinion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["letter_id"], ["integrity_letter.id"],
                                name=op.f("fk_integrity_letter_entry_letter_id_integrity_letter")),
        sa.ForeignKeyConstraint(
            ["opinion_id"], ["integrity_opinion.id"],
            name=op.f("fk_integrity_letter_entry_opinion_id_integrity_opinion")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_letter_entry")),
        sa.UniqueConstraint("opinion_id", name=op.f("uq_integrity_letter_entry_opinion_id")),
    )
    op.create_index(op.f("ix_integrity_letter_entry_letter_id"), "integrity_letter_entry",
                    ["letter_id"])
    with op.batch_alter_table("discussion_bundle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("for_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_discussion_bundle_for_user_id"), ["for_user_id"])
        batch_op.create_foreign_key(batch_op.f("fk_discussion_bundle_for_user_id_user"),
                                    "user", ["for_user_id"], ["id"])


def downgrade():
    with op.batch_alter_table("discussion_bundle", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_discussion_bundle_for_user_id_user"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_discussion_bundle_for_user_id"))
        batch_op.drop_column("for_user_id")
    op.drop_index(op.f("ix_integrity_letter_entry_letter_id"), table_name="integrity_letter_entry")
    op.drop_table("integrity_letter_entry")
    op.drop_index(op.f("ix_integrity_letter_discussion_id"), table_name="integrity_letter")
    op.drop_table("integrity_letter")
    op.drop_index(op.f("ix_member_list_entry_list_id"), table_name="member_list_entry")
    op.drop_table("member_list_entry")
    op.drop_table("member_list")
