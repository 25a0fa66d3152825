"""Running one job: claim it, run its kind's handler, record the outcome.

The handler works in a session of its own (a fresh app context); claiming, progress
and the heartbeat are committed in short side transactions, so other servers see
them at once; "done" is written in the handler's session, committed with its work.
Every write about a run is fenced by its attempt number: a run the sweeper gave up
on (stale heartbeat) can no longer change the job, and stops at its next progress.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import Iterator

from flask import current_app, has_app_context
from flask_login import login_user
from sqlalchemy import update
from sqlalchemy.orm import Session

from kaohe.audit.services import cli_actor
from kaohe.auth.models import User
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.extensions import db, transaction_wrote, want_write
from kaohe.jobs.kinds import kind_of
from kaohe.jobs.models import Job
from kaohe.jobs.queue import is_immediate, state

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10


class LostClaim(Exception):
    """The job is no longer this run's (given up as stale, or finished elsewhere)."""


class JobFailed(Exception):
    """Raised by a handler to fail its job with this Chinese message, shown as is."""


@contextlib.contextmanager
def own_session() -> Iterator[Session]:
    """A fresh app context (hence a session of its own), committed on success."""
    app = current_app._get_current_object() if has_app_context() else state.app
    with app.app_context():
        want_write()  # SQLite: BEGIN IMMEDIATE, never a stale read snapshot to upgrade
        try:
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def _fenced(job_id: int, attempt: int):
    return update(Job).where(Job.id == job_id, Job.attempts == attempt,
                             Job.status == "running")


class JobContext:
    """What a handler gets: the job's arguments, and progress reporting."""

    def __init__(self, job: Job, session: Session):
        self.id, self.kind, self.attempt = job.id, job.kind, job.attempts
        self.payload: dict = dict(job.payload or {})
        self.ref = job.ref
        self.created_by_id = job.created_by_id
        self.session = session
        self.output: tuple[bytes, str] | None = None  # the result file and its name
        self._lock = threading.Lock()

    @property
    def blob(self) -> bytes | None:
        """The file submitted with the job (e.g. the uploaded workbook)."""
        return db.session.get(Job, self.id).payload_blob

    def result_file(self, data: bytes, name: str) -> None:
        """Keep ``data`` as the job's downloadable result, named ``name``."""
        self.output = (data, name)

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress (and a heartbeat); raises :class:`LostClaim` when the job
        was taken from this run."""
        values = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message[:200]
        self._side_write(values, required=True)

    def beat(self) -> None:
        self._side_write({"heartbeat_at": utcnow()}, required=False)

    def _side_write(self, values: dict, required: bool) -> None:
        if self._blocked():
            return
        with self._lock, own_session() as session:
            changed = session.execute(_fenced(self.id, self.attempt).values(**values)).rowcount
        if not changed and required:
            raise LostClaim(self.id)

    def _blocked(self) -> bool:
        # SQLite has one writer, and the handler's transactions take the write lock
        # (BEGIN IMMEDIATE): a read-only one is ended here so the progress can be
        # written; while one has written anything (an import's rows, inserted in bulk
        # past the ORM) progress waits for its commit. Under immediate mode (tests)
        # both share one connection.
        if is_immediate() or db.engine.dialect.name != "sqlite":
            return False
        if not self.session.in_transaction():
            return False
        if transaction_wrote(self.session.connection()):
            return True
        self.session.commit()
        return False


class Heartbeat(threading.Thread):
    """Refreshes a running job's heartbeat while its handler works between progress calls."""

    def __init__(self, ctx: JobContext, app):
        super().__init__(daemon=True, name=f"kaohe-job-{ctx.id}-heartbeat")
        self.ctx, self.app, self.stopped = ctx, app, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                with self.app.app_context():
                    self.ctx.beat()
            except Exception:  # a missed beat is retried; the sweeper allows several
                log.warning("job %s: heartbeat not recorded", self.ctx.id, exc_info=True)


def claim(job_id: int) -> int | None:
    """Take the queued job ``job_id`` for this run; its attempt number, or None when it
    is not queued (done, failed, or running elsewhere)."""
    now = utcnow()
    with own_session() as session:
        taken = session.execute(
            update(Job).where(Job.id == job_id, Job.status == "queued",
                              Job.attempts < Job.max_attempts)
            .values(status="running", attempts=Job.attempts + 1, started_at=now,
                    heartbeat_at=now, message="")).rowcount
        return session.get(Job, job_id).attempts if taken else None


def failure_text(exc: BaseException) -> str:
    """The Chinese reason shown for a failed job."""
    if isinstance(exc, JobFailed):
        return str(exc)
    if isinstance(exc, ValidationFailed):
        return "；".join(exc.errors.values())
    return f"执行出错（{exc.__class__.__name__}），请重试或联系管理员。"


def fail(job_id: int, attempt: int | None, reason: str) -> None:
    """Mark the job failed with ``reason`` (fenced by ``attempt`` when given)."""
    stmt = (_fenced(job_id, attempt) if attempt is not None
            else update(Job).where(Job.id == job_id))
    with own_session() as session:
        session.execute(stmt.values(status="failed", error=reason, finished_at=utcnow()))


def run(job_id: int) -> None:
    """Run job ``job_id`` if it is queued (the Huey task calls this)."""
    attempt = claim(job_id)
    if attempt is None:
        log.info("job %s is not queued: nothing to do", job_id)
        return
    app = current_app._get_current_object() if has_app_context() else state.app
    # A request context of its own, signed in as the submitter: the handler's services
    # see the same current user as the request that submitted the job (permissions,
    # recusal, the audit's actor), on any server. A writing one (POST): its transaction
    # is a writer's from the start, never a reader's to be upgraded mid-job.
    with app.app_context(), app.test_request_context(f"/jobs/{job_id}", method="POST"):
        want_write()
        job = db.session.get(Job, job_id)
        name, kind = job.kind, kind_of(job.kind)
        if kind is None:
            db.session.remove()
            fail(job_id, attempt, f"未知的任务类型：{name}")
            return
        ctx = JobContext(job, db.session())
        user = db.session.get(User, job.created_by_id) if job.created_by_id else None
        if user is not None:
            login_user(user)
        token = cli_actor.set(f"job:{name}:{job_id}")
        beat = None if is_immediate() else Heartbeat(ctx, app)
        if beat:
            beat.start()
        reason = None
        try:
            finish(ctx, kind.handler(ctx))
            db.session.commit()
        except LostClaim:
            log.warning("job %s attempt %s was taken over; its work is dropped", job_id, attempt)
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, name)
            reason = failure_text(exc)
        finally:
            if beat:
                beat.stopped.set()
            cli_actor.reset(token)
            # Ended before the failure is recorded: nothing of the run's work is kept.
            db.session.rollback()
            db.session.remove()
    if reason is not None:
        fail(job_id, attempt, reason)


def finish(ctx: JobContext, result: dict | None) -> None:
    """Mark the run done in the handler's session (committed with the handler's work)."""
    values = {"status": "done", "result": result, "finished_at": utcnow(), "error": "",
              "message": ""}
    if ctx.output is not None:
        values["result_blob"], values["result_name"] = ctx.output
    row = db.session.execute(_fenced(ctx.id, ctx.attempt).values(**values)).rowcount
    if not row:
        raise LostClaim(ctx.id)
    # "done" also completes the progress bar
    db.session.execute(update(Job).where(Job.id == ctx.id).values(done=Job.total))
