"""officials search: the pinyin index by the readings of 《通用规范汉字字典》

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 23:30:00

Names were indexed under every reading pypinyin knows, archaic ones included (王 yù,
干 àn, 部 pǒu, 女 rǔ): a pinyin search for "yu" listed every 王. kaohe.search.pinyin now
keeps, for the 8 105 standard characters, the readings of the standard dictionary only;
each official whose index changes is indexed again here (the search keys of migration
0024 follow through its update trigger).
"""
from alembic import op
import sqlalchemy as sa

from kaohe.search.keys import replace_key_deletes
from kaohe.search.pinyin import index_text


revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    conn = op.get_bind()
    # The update triggers of 0024 scanned the whole key table for each official
    # (migration 0030): replaced first, as 0030 does, or a million names take days.
    replace_key_deletes(op.execute, conn.dialect.name)
    official = sa.table("official", sa.column("id", sa.Integer), sa.column("name", sa.String),
                        sa.column("name_pinyin", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(official.c.id, official.c.name, official.c.name_pinyin)
                            .where(official.c.id > last).order_by(official.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        changed = [{"oid": oid, "spelled": spelled} for oid, name, old in rows
                   if (spelled := index_text(name)) != old]
        if changed:
            conn.execute(official.update().where(official.c.id == sa.bindparam("oid"))
                         .values(name_pinyin=sa.bindparam("spelled")), changed)
        last = rows[-1][0]


def downgrade():
    pass  # the index says what the names are read as: nothing to undo
