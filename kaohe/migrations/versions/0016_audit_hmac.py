"""audit chain HMAC and anchors (issue 15)

The chain's hashes become HMAC-SHA256 with a key kept outside the database
(``KAOHE_AUDIT_KEY`` or the instance file ``audit_key``, created here if missing).
Existing entries are re-hashed in seq order and an ``audit_rekey`` entry records the
plain head they had, so anchors exported before still verify; why this is sound is
explained in :mod:`kaohe.audit.rekey`. No schema change: the hash columns keep their
64 hexadecimal characters.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
from flask import current_app

from kaohe.audit.keys import audit_key
from kaohe.audit.rekey import rekey, unkey

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    rekey(op.get_bind(), audit_key(current_app))


def downgrade():
    unkey(op.get_bind())
