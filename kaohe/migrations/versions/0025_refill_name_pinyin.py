"""officials search: the pinyin index of officials the Excel import created without it

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 17:00:00

Until this revision the Excel import inserted new officials in bulk (past the model's
name validator) with an empty ``name_pinyin``: pinyin search missed them. Their index is
filled here; the search keys of migration 0024 follow through its update trigger.
"""
from alembic import op
import sqlalchemy as sa

from kaohe.search.pinyin import index_text


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    conn = op.get_bind()
    official = sa.table("official", sa.column("id", sa.Integer), sa.column("name", sa.String),
                        sa.column("name_pinyin", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(official.c.id, official.c.name)
                            .where(official.c.id > last, official.c.name_pinyin == "",
                                   official.c.name != "")
                            .order_by(official.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(official.update().where(official.c.id == sa.bindparam("oid"))
                     .values(name_pinyin=sa.bindparam("spelled")),
                     [{"oid": oid, "spelled": index_text(name)} for oid, name in rows])
        last = rows[-1][0]


def downgrade():
    pass  # the filled index is what the names say: nothing to undo
