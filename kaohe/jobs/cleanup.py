"""The hourly cleanup: superseded agenda bundles, expired login counters, and finished
jobs (with their files) past their keeping time. Each step deletes in batches and
commits, so no lock is held for long."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete, func, select

from kaohe.audit.services import record_event
from kaohe.auth import throttle
from kaohe.core.models import utcnow
from kaohe.discussions.models import DiscussionBundle
from kaohe.extensions import db
from kaohe.jobs import crontab, periodic
from kaohe.jobs.models import Job

BUNDLE_KEEP_DAYS = 30  # a bundle superseded by a newer one of its discussion
JOB_KEEP_DAYS = 30  # a finished job, with its uploaded and produced files
BATCH = 500


def _days(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config.get(name, default)))


def _in_batches(ids_stmt, model) -> int:
    removed = 0
    while ids := db.session.scalars(ids_stmt.limit(BATCH)).all():
        db.session.execute(delete(model).where(model.id.in_(ids)))
        db.session.commit()
        removed += len(ids)
    return removed


def clean(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is past its keeping time; commits; how many rows of each kind."""
    now = now or utcnow()
    newest = (select(DiscussionBundle.discussion_id, func.max(DiscussionBundle.id).label("id"))
              .group_by(DiscussionBundle.discussion_id).subquery())
    bundles = _in_batches(select(DiscussionBundle.id).where(
        DiscussionBundle.created_at < now - _days("KAOHE_BUNDLE_KEEP_DAYS", BUNDLE_KEEP_DAYS),
        DiscussionBundle.id.not_in(select(newest.c.id))), DiscussionBundle)
    jobs = _in_batches(select(Job.id).where(
        Job.status.in_(("done", "failed")),
        Job.finished_at < now - _days("KAOHE_JOB_KEEP_DAYS", JOB_KEEP_DAYS)), Job)
    counters = 0
    while (purged := throttle.purge_expired(now)) > 0:
        db.session.commit()
        counters += purged
    out = {"bundles": bundles, "jobs": jobs, "login_limits": counters}
    if bundles or jobs:
        record_event("cleanup", "job", None, out)
    db.session.commit()
    return out


@periodic(crontab(minute="17"), "kaohe.jobs.cleanup")
def hourly_cleanup() -> None:
    """Every hour, on one server."""
    clean()
