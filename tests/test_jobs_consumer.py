"""Jobs through a real Huey consumer (SqliteHuey on a file, worker threads) over a committed
database (SQLite file or a fresh PostgreSQL database): progress readable while a job runs,
a job whose worker died run again by the sweeper, and an import uploaded through one
server finished by another after the first is gone."""
from __future__ import annotations

import datetime as dt
import io
import threading
import time

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from kaohe import create_app
from kaohe.auth import services as auth_services
from kaohe.core.models import utcnow
from kaohe.extensions import db, want_write
from kaohe.interop.excel_import import BATCH
from kaohe.jobs import JobContext, engine, job_kind, services, submit
from kaohe.jobs.models import Job
from kaohe.officials.models import Official
from tests.conftest import PASSWORD
from tests.factories import id_number, unit
from tests.interop_support import official_row, workbook
from tests.scratch import scratch_database

release = threading.Event()


@job_kind("tests.steps", "分步测试任务")
def steps(ctx: JobContext) -> dict:
    """Reports step 1, then waits for the test to look at it before finishing."""
    ctx.progress(1, 2, "第一步完成")
    assert release.wait(20)
    ctx.progress(2, 2)
    return {"thread": threading.current_thread().name}


def _server(url: str, folder, **config) -> Flask:
    original = Flask.auto_find_instance_path
    Flask.auto_find_instance_path = lambda self: str(folder / "instance")
    try:
        return create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                           "SQLALCHEMY_DATABASE_URI": url, "KAOHE_JOBS_IMMEDIATE": False,
                           "KAOHE_EMBEDDED_WORKER": "0", **config})
    finally:
        Flask.auto_find_instance_path = original


@pytest.fixture
def servers(tmp_path, _app):
    """``make(name, **config)`` starts an app (a "server") on one committed database; each
    has its own queue file, as a machine of its own; consumers are stopped afterwards."""
    made, consumers = [], []
    with scratch_database("kaohe_jobs", tmp_path / "jobs.db") as url:
        def make(name: str, **config) -> Flask:
            app = _server(url, tmp_path / name,
                          KAOHE_JOBS_QUEUE_FILE=str(tmp_path / f"{name}-queue.db"), **config)
            if not made:
                with app.app_context():
                    upgrade()
                    auth_services.sync_roles()
                    auth_services.create_user("org", "organization", PASSWORD)
                    db.session.commit()
            made.append(app)
            return app

        def start(app: Flask):
            engine.init_app(app)
            consumers.append(engine.start_consumer(workers=2))

        make.start = start
        try:
            yield make
        finally:
            release.set()
            for consumer in consumers:
                consumer.stop(graceful=True)
            for app in made:
                with app.app_context():
                    db.engine.dispose()
            engine.init_app(_app)  # the suite's app again: immediate mode
            release.clear()


def _wait(app: Flask, job_id: int, until, seconds: float = 30) -> Job:
    deadline = time.monotonic() + seconds
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge_all()
        if until(job) or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_a_consumer_runs_a_job_whose_progress_other_sessions_read(servers):
    app = servers("a")
    servers.start(app)
    with app.app_context():
        job_id = submit("tests.steps").id
        assert db.session.get(Job, job_id).status == "queued"
        db.session.commit()
    job = _wait(app, job_id, lambda j: j.done == 1)
    assert (job.status, job.done, job.total, job.message) == ("running", 1, 2, "第一步完成")
    assert job.heartbeat_at is not None and job.attempts == 1
    release.set()
    job = _wait(app, job_id, lambda j: j.status == "done")
    assert job.status == "done" and job.result["thread"].startswith("Worker-")
    assert job.done == job.total == 2


def test_sweeper_runs_again_the_job_of_a_killed_worker(servers):
    app = servers("a", KAOHE_JOB_STALE_SECONDS=5)
    servers.start(app)
    release.set()
    with app.app_context():
        want_write()  # SQLite: this test writes beside the consumer, as a request would
        job = submit("tests.steps")
        # Its worker took it (attempt 1) and died: no heartbeat for a while.
        job.status, job.attempts = "running", 1
        job.heartbeat_at = utcnow() - dt.timedelta(seconds=6)
        db.session.info.pop(services.PENDING)
        db.session.commit()
        job_id = job.id
        # The consumer sweeps on its own too (its periodic task is queued at start): either
        # sweep may take the job first; the attempts below show it ran again exactly once.
        assert services.sweep()["requeued"] in ([job_id], [])
    job = _wait(app, job_id, lambda j: j.status == "done")
    assert (job.status, job.attempts) == ("done", 2)


def test_an_import_uploaded_through_a_dead_server_is_finished_by_another(servers):
    a = servers("a")  # accepts the upload; its worker never runs (the server is killed)
    with a.app_context():
        unit(name="东城区", code="DC")
        db.session.commit()
    rows = [official_row(f"干部{i}", id_number(dt.date(1975, 1, 1) + dt.timedelta(days=i), i))
            for i in range(30)]
    client = a.test_client()
    client.post("/login", data={"username": "org", "password": PASSWORD})
    response = client.post("/interop/import/officials", content_type="multipart/form-data",
                           data={"officials-file": (io.BytesIO(workbook("officials", rows)),
                                                    "导入.xlsx")})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])

    b = servers("b", KAOHE_JOB_QUEUED_GRACE_SECONDS=0)
    with b.app_context():
        assert db.session.get(Job, job_id).status == "queued"
    servers.start(b)  # its scheduler runs the sweeper at once: the job is sent to b's queue
    job = _wait(b, job_id, lambda j: j.status == "done")
    assert job.status == "done" and job.result["report"]["created"] == 30
    client_b = b.test_client()
    client_b.post("/login", data={"username": "org", "password": PASSWORD})
    assert client_b.get(f"/jobs/{job_id}/status").get_json()["status"] == "done"
    page = client_b.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "导入完成：共 30 行，新增 30 条" in page
    with b.app_context():
        names = db.session.scalars(select(Official.name)).all()
        assert len(names) == 30
        # The rows are the submitter's, as if the request had written them.
        from kaohe.audit.models import AuditLog

        actors = set(db.session.scalars(select(AuditLog.actor_name).where(
            AuditLog.entity_type == "official")))
        assert actors == {"org"}


def test_an_import_job_refused_after_its_first_batch_saves_nothing(servers):
    """Progress is reported while a later batch of rows is checked, after the first
    batch's new officials were inserted (in bulk, no ORM flush): the job's transaction
    has written, so the progress waits for its end; a bad row in the second batch rolls
    every row back."""
    a = servers("a")
    with a.app_context():
        unit(name="东城区", code="DC")
        db.session.commit()
    first = dt.date(1960, 1, 1)
    rows = [official_row(f"干部{i}", id_number(first + dt.timedelta(days=i), i))
            for i in range(BATCH + 600)]
    rows[-1][0] = ""  # 姓名 missing in the last row, in the second batch
    with a.app_context():
        want_write()
        job_id = submit("interop.import_xlsx", {"kind": "officials", "dry_run": False,
                                                "back": "/"},
                        blob=workbook("officials", rows), ref="xlsx:officials").id
        db.session.commit()
    servers.start(a)
    job = _wait(a, job_id, lambda j: j.status in ("done", "failed"), seconds=120)
    assert job.status == "done" and not job.result["report"]["committed"]
    with a.app_context():
        assert db.session.scalar(select(func.count(Official.id))) == 0
