"""security: hash-chained audit log (seq, prev_hash, hash) and its chain head

Existing entries are chained in id order, so a database that had an audit log
before this migration verifies from its first entry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    # Chain what is already there, in id order (the canonical form is kaohe.audit.chain's).
    from kaohe.audit.chain import entry_hash

    conn = op.get_bind()
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                   sa.column("actor_id", sa.Integer), sa.column("actor_name", sa.String),
                   sa.column("action", sa.String), sa.column("entity_type", sa.String),
                   sa.column("entity_id", sa.Integer), sa.column("before", sa.JSON),
                   sa.column("after", sa.JSON), sa.column("seq", sa.BigInteger),
                   sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    seq, prev, last_id = 0, GENESIS, 0
    while True:
        rows = conn.execute(sa.select(log).where(log.c.id > last_id)
                            .order_by(log.c.id).limit(2000)).mappings().all()
        if not rows:
            break
        updates = []
        for row in rows:
            seq += 1
            entry = {**row, "seq": seq, "prev_hash": prev}
            prev = entry_hash(entry)
            updates.append({"b_id": row["id"], "seq": seq, "prev_hash": entry["prev_hash"],
                            "hash": prev})
        conn.execute(log.update().where(log.c.id == sa.bindparam("b_id"))
                     .values(seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev_hash"),
                             hash=sa.bindparam("hash")), updates)
        last_id = rows[-1]["id"]
    op.bulk_insert(head, [{"id": 1, "seq": seq, "hash": prev}])


def downgrade():
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
