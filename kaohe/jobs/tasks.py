"""The Huey tasks: the one task that runs any job, the declaration of periodic tasks,
and the jobs package's own periodic tasks (sweeper, cleanup)."""
from __future__ import annotations

import functools
import logging
from typing import Callable

from sqlalchemy.exc import IntegrityError

from kaohe.audit.services import cli_actor
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.jobs import runner
from kaohe.jobs.models import Job
from kaohe.jobs.queue import Schedule, task

log = logging.getLogger(__name__)


@task("kaohe.job")
def run_job(job_id: int) -> None:
    runner.run(job_id)


def periodic(schedule: Schedule, name: str, *, once: bool = True):
    """Declare ``fn()`` as a periodic task run on ``schedule`` (a ``crontab``) in an
    app context, committed on success. The decorated name is the Huey task
    (``.call_local()`` runs it at once, e.g. in a test).

    Every consumer runs Huey's scheduler, so on several servers a slot is enqueued
    several times: with ``once`` (the default) the first run claims the slot through a
    ``job`` row (unique key ``name@minute``) and the others return at once; that row
    also records the run's outcome. Pass ``once=False`` only for idempotent tasks.
    """
    def decorator(fn):
        @functools.wraps(fn)
        def run() -> None:
            with runner.own_session():
                token = cli_actor.set(f"job:{name}")
                try:
                    if once:
                        _run_once(fn, name)
                    else:
                        fn()
                finally:
                    cli_actor.reset(token)

        return task(name, schedule)(run)

    return decorator


def _run_once(fn: Callable, name: str) -> None:
    now = utcnow()
    job = Job(kind=name[:40], ref="periodic", unique_key=f"{name}@{now:%Y-%m-%dT%H:%M}"[:80],
              status="running", attempts=1, max_attempts=1, started_at=now, heartbeat_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(job)
        db.session.commit()
    except IntegrityError:  # another server took this slot
        db.session.rollback()
        return
    try:
        fn()
        job.status, job.finished_at = "done", utcnow()
    except Exception as exc:
        log.exception("periodic task %s failed", name)
        db.session.rollback()
        job = db.session.get(Job, job.id)
        job.status, job.finished_at = "failed", utcnow()
        job.error = runner.failure_text(exc)

