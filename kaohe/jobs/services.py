"""Job services: submit, read, sweep (stale heartbeats), queue health for /readyz and
/metrics. Like every service they only flush; a submitted job is handed to the queue
once its row is committed (before that no worker could read it)."""
from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from kaohe.audit.services import current_actor
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.jobs.kinds import kind_of
from kaohe.jobs.models import Job
from kaohe.jobs.queue import crontab, engine, task
from kaohe.jobs.runner import own_session
from kaohe.jobs.tasks import periodic, run_job

log = logging.getLogger(__name__)
PENDING = "kaohe_jobs_pending"
STALE_SECONDS = 60  # no heartbeat for this long: the worker is gone
QUEUED_GRACE_SECONDS = 300  # queued this long without being taken: enqueue it again


def setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def submit(kind: str, payload: dict | None = None, *, blob: bytes | None = None,
           ref: str = "", total: int = 0, message: str = "") -> Job:
    """Record a job of ``kind`` (declared with ``job_kind``); it is queued when the
    session commits. Flush only."""
    spec = kind_of(kind)
    if spec is None:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, payload=payload or {}, payload_blob=blob, ref=ref, total=total,
              message=message, max_attempts=spec.max_attempts,
              created_by_id=current_actor()[0], heartbeat_at=utcnow())
    db.session.add(job)
    db.session.flush()
    db.session().info.setdefault(PENDING, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for job_id in session.info.pop(PENDING, ()):
        enqueue(job_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing was saved
        session.info.pop(PENDING, None)


def enqueue(job_id: int) -> None:
    """Hand the committed job ``job_id`` to the queue (runs it now in immediate mode)."""
    try:
        run_job(job_id)
    except Exception:  # the queue is down: the sweeper enqueues the job again later
        log.exception("job %s: could not be queued", job_id)


def latest(ref: str) -> Job | None:
    """The newest job about ``ref``."""
    return db.session.scalars(select(Job).where(Job.ref == ref)
                              .order_by(Job.id.desc()).limit(1)).first()


def readable(job: Job, user) -> bool:
    """Whether ``user`` may see ``job``: its creator, or whom its kind allows."""
    if user is None or not user.is_authenticated:
        return False
    if job.created_by_id is not None and job.created_by_id == user.id:
        return True
    spec = kind_of(job.kind)
    return bool(spec and spec.can_read and spec.can_read(job, user))


def state(job: Job) -> dict:
    """The JSON status a progress page polls."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "done": job.done,
            "total": job.total, "percent": job.percent, "message": job.message,
            "error": job.error, "attempts": job.attempts, "max_attempts": job.max_attempts,
            "has_file": bool(job.result_name)}


def sweep(now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Find jobs whose worker died (no heartbeat for ``KAOHE_JOB_STALE_SECONDS``):
    queue them again while attempts remain, else mark them failed; queue again jobs
    never taken. Commits; returns the ids by outcome."""
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=setting("KAOHE_JOB_STALE_SECONDS", STALE_SECONDS))
    grace = now - dt.timedelta(seconds=setting("KAOHE_JOB_QUEUED_GRACE_SECONDS",
                                               QUEUED_GRACE_SECONDS))
    out: dict[str, list[int]] = {"requeued": [], "failed": [], "resent": []}
    dead = db.session.execute(select(Job.id, Job.attempts, Job.max_attempts).where(
        Job.status == "running", Job.heartbeat_at < stale)).all()
    for job_id, attempts, max_attempts in dead:
        again = attempts < max_attempts
        values = ({"status": "queued", "heartbeat_at": now,
                   "message": f"工作进程中断，已重新排队（第 {attempts} 次执行未完成）"} if again else
                  {"status": "failed", "finished_at": now,
                   "error": f"执行中断：工作进程退出，已重试 {attempts - 1} 次"})
        changed = db.session.execute(update(Job).where(
            Job.id == job_id, Job.status == "running", Job.attempts == attempts,
            Job.heartbeat_at < stale).values(**values)).rowcount
        if changed:
            out["requeued" if again else "failed"].append(job_id)
            if again:
                db.session().info.setdefault(PENDING, []).append(job_id)
    waiting = db.session.scalars(select(Job.id).where(
        Job.status == "queued", Job.heartbeat_at < grace)).all()
    for job_id in waiting:
        db.session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=now))
        db.session().info.setdefault(PENDING, []).append(job_id)
        out["resent"].append(job_id)
    db.session.commit()
    if out["requeued"] or out["failed"]:
        log.warning("job sweep: %s", out)
    return out


def queue_ok() -> tuple[bool, str]:
    """Whether the job queue is reachable (for /readyz), with a short reason."""
    try:
        engine().huey.pending_count()
    except Exception as exc:  # any storage error means not ready
        return False, f"job queue unreachable: {exc.__class__.__name__}"
    return True, "ok"


def queue_stats() -> dict:
    """Queue depth and job counts by status (for /metrics)."""
    counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    try:
        pending = engine().huey.pending_count()
    except Exception:
        pending = -1
    return {"pending": pending, "queued": counts.get("queued", 0),
            "running": counts.get("running", 0), "failed": counts.get("failed", 0),
            "done": counts.get("done", 0)}


SWEEP_AGAIN_SECONDS = 30


@task("kaohe.jobs.sweep_again")
def sweep_again() -> None:
    with own_session():
        sweep()


@periodic(crontab(), "kaohe.jobs.sweep", once=False)
def sweep_stale() -> None:
    """Every minute, on every consumer (idempotent): requeue or fail jobs whose worker
    died; Huey's periodic tasks tick by the minute, so a second sweep follows 30 s later."""
    sweep()
    sweep_again.schedule(delay=SWEEP_AGAIN_SECONDS)
