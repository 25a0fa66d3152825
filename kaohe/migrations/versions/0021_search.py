"""officials search: pinyin index of names, saved searches (issue 14.3)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa

from kaohe.search.pinyin import index_text


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_pinyin", sa.String(length=600), nullable=False,
                                      server_default=""))
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_saved_search_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_search_user_name"),
    )
    # The index of the names already recorded, in batches (a province has a million).
    conn = op.get_bind()
    official = sa.table("official", sa.column("id", sa.Integer), sa.column("name", sa.String),
                        sa.column("name_pinyin", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(official.c.id, official.c.name)
                            .where(official.c.id > last).order_by(official.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        conn.execute(official.update().where(official.c.id == sa.bindparam("oid"))
                     .values(name_pinyin=sa.bindparam("spelled")),
                     [{"oid": oid, "spelled": index_text(name)} for oid, name in rows])
        last = rows[-1][0]


def downgrade():
    op.drop_table("saved_search")
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.drop_column("name_pinyin")
