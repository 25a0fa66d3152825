"""The periodic anchor of the audit chain (a job on every server's consumer, run once
per slot across servers)."""
from __future__ import annotations

from kaohe.audit import anchors
from kaohe.extensions import db
from kaohe.jobs import crontab, periodic

# Ten minutes: what a tail truncation or keyed rewrite can hide from audit-verify
# is at most the entries since the latest anchor.
SCHEDULE = crontab(minute="*/10")


@periodic(SCHEDULE, "audit.anchor")
def anchor_chain() -> None:
    """Write an anchor of the chain head to the anchor folder if the chain moved."""
    anchors.anchor_if_moved(db.session.connection(), anchors.anchor_dir())
