"""Background jobs (issue 15): submit → queued at commit → run (immediate mode under
TESTING), progress readable from another session, failures, the sweeper's retries of a
dead worker's job, periodic tasks once per slot, the hourly cleanup, the progress page
and who may read it. tests/test_jobs_consumer.py runs a real Huey consumer."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kaohe.audit.services import current_actor
from kaohe.auth import links
from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.auth.throttle import LoginLimit
from kaohe.core.errors import ValidationFailed
from kaohe.core.models import utcnow
from kaohe.discussions import bundle as bundles
from kaohe.discussions.models import DiscussionBundle
from kaohe.extensions import db
from kaohe.jobs import JobFailed, cleanup, crontab, job_kind, periodic, services, submit
from kaohe.jobs.engine import huey
from kaohe.jobs.models import Job
from kaohe.jobs.runner import JobContext, LostClaim, finish
from kaohe.units.models import Unit
from tests import discussions_support as s
from tests.conftest import PASSWORD
from tests.helpers import text

STALE = services.STALE_SECONDS


@job_kind("tests.echo", "测试任务")
def echo(ctx: JobContext) -> dict:
    """Counts to ``n`` with progress, may write a unit, then behaves as ``mode`` says."""
    n, mode = ctx.payload.get("n", 3), ctx.payload.get("mode", "ok")
    for i in range(1, n + 1):
        ctx.progress(i, n, f"第 {i} 步")
    if ctx.payload.get("unit"):
        from tests import factories

        factories.unit(name=ctx.payload["unit"])
    if mode == "refused":
        raise JobFailed("文件中没有工作表“干部信息”。")
    if mode == "invalid":
        raise ValidationFailed("日期不能晚于今天。", "date")
    if mode == "crash":
        raise RuntimeError("disk full")
    if ctx.blob:
        ctx.result_file(ctx.blob[::-1], "结果.txt")
    return {"n": n, "actor": list(current_actor())}


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _units(name: str) -> int:
    return db.session.scalar(select(func.count(Unit.id)).where(Unit.name == name))


@pytest.mark.parametrize("n", [0, 1, 3, 40])
def test_a_job_runs_once_its_submission_is_committed(ctx, n):
    job = submit("tests.echo", {"n": n, "unit": "任务单位"}, blob=b"abc", total=n)
    assert (job.status, job.attempts, job.max_attempts) == ("queued", 0, 3)
    assert _units("任务单位") == 0  # nothing ran before the commit
    db.session.commit()
    job = _job(job.id)
    assert (job.status, job.done, job.total, job.attempts, job.message) == ("done", n, n, 1, "")
    assert job.result == {"n": n, "actor": [None, "job:tests.echo:%d" % job.id]}
    assert (job.result_blob, job.result_name) == (b"cba", "结果.txt")
    assert job.started_at <= job.finished_at and job.error == ""
    assert _units("任务单位") == 1  # the handler's work, committed with "done"


def test_a_rolled_back_submission_never_runs(ctx):
    job_id = submit("tests.echo", {"unit": "不应出现"}).id
    db.session.rollback()
    db.session.commit()  # a later commit does not run the forgotten job
    assert db.session.get(Job, job_id) is None and _units("不应出现") == 0


@pytest.mark.parametrize("mode,error", [
    ("refused", "文件中没有工作表“干部信息”。"),
    ("invalid", "日期不能晚于今天。"),
    ("crash", "执行出错（RuntimeError），请重试或联系管理员。"),
])
def test_a_failing_handler_fails_its_job_and_keeps_none_of_its_work(ctx, mode, error):
    job = submit("tests.echo", {"n": 2, "mode": mode, "unit": "半途单位"})
    db.session.commit()
    job = _job(job.id)
    assert (job.status, job.error, job.attempts) == ("failed", error, 1)
    assert job.finished_at is not None and job.result is None
    assert _units("半途单位") == 0


def test_a_run_taken_over_can_no_longer_change_its_job(ctx):
    job = _dead(1, 0)
    run = JobContext(job, db.session())  # attempt 1, still working
    job.attempts = 2  # the sweeper gave up on it and another worker took the job
    db.session.commit()
    with pytest.raises(LostClaim):
        run.progress(1, 2, "迟到的进度")
    with pytest.raises(LostClaim):
        finish(run, {"late": True})
    job = _job(job.id)
    assert (job.status, job.attempts, job.done, job.message, job.result) == (
        "running", 2, 0, "", None)


def _dead(attempts: int, age: float, status="running") -> Job:
    """A job whose worker stopped ``age`` seconds ago after ``attempts`` runs."""
    job = submit("tests.echo", {"n": 2})
    job.status, job.attempts = status, attempts
    job.heartbeat_at = utcnow() - dt.timedelta(seconds=age)
    db.session.info.pop(services.PENDING)  # as if its worker had taken it already
    db.session.commit()
    return job


@pytest.mark.parametrize("attempts", [1, 2])
def test_sweeper_runs_again_a_job_whose_worker_died(ctx, attempts):
    job = _dead(attempts, STALE + 1)
    out = services.sweep()
    assert out == {"requeued": [job.id], "failed": [], "resent": []}
    job = _job(job.id)  # queued again and run (at once, in immediate mode)
    assert (job.status, job.attempts, job.done) == ("done", attempts + 1, 2)


@pytest.mark.parametrize("max_attempts", [1, 3])
def test_sweeper_fails_a_job_out_of_attempts(ctx, max_attempts):
    job = _dead(max_attempts, STALE + 1)
    job.max_attempts = max_attempts
    db.session.commit()
    assert services.sweep()["failed"] == [job.id]
    job = _job(job.id)
    assert job.status == "failed" and job.finished_at is not None
    assert job.error == f"执行中断：工作进程退出，已重试 {max_attempts - 1} 次"


@pytest.mark.parametrize("age,stale", [(0, False), (STALE - 1, False), (STALE, False),
                                       (STALE + 0.01, True), (86400 * 400, True)])
def test_sweeper_threshold(ctx, age, stale):
    now = utcnow()
    job = _dead(1, 0)
    job.heartbeat_at = now - dt.timedelta(seconds=age)
    db.session.commit()
    out = services.sweep(now)
    assert out["requeued"] == ([job.id] if stale else [])
    assert _job(job.id).status == ("done" if stale else "running")


@pytest.mark.parametrize("age,resent", [(services.QUEUED_GRACE_SECONDS, False),
                                        (services.QUEUED_GRACE_SECONDS + 1, True)])
def test_sweeper_resends_a_job_no_worker_took(ctx, age, resent):
    now = utcnow()
    job = _dead(0, 0, status="queued")
    job.heartbeat_at = now - dt.timedelta(seconds=age)
    db.session.commit()
    assert services.sweep(now)["resent"] == ([job.id] if resent else [])
    assert _job(job.id).status == ("done" if resent else "queued")


def test_sweeper_task_sweeps_and_schedules_a_second_sweep(ctx):
    job = _dead(1, STALE + 1)
    huey.storage.flush_schedule()
    services.sweep_stale.call_local()
    assert _job(job.id).status == "done"
    [later] = huey.scheduled()
    assert later.name == "kaohe.jobs.sweep_again"
    assert 29 <= (later.eta - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
                  ).total_seconds() <= 30
    huey.storage.flush_schedule()


def test_sweeper_leaves_finished_jobs_alone(ctx):
    for status in ("done", "failed"):
        _dead(1, 86400, status=status)
    assert services.sweep() == {"requeued": [], "failed": [], "resent": []}


def test_queue_health_and_stats(ctx):
    assert services.queue_ok() == (True, "ok")
    _dead(1, 0)
    _dead(1, 0, status="failed")
    _dead(1, 0, status="failed")
    stats = services.queue_stats()
    assert (stats["running"], stats["failed"], stats["queued"], stats["pending"]) == (1, 2, 0, 0)


calls: list[str] = []


@periodic(crontab(), "tests.tick")
def tick() -> None:
    calls.append("tick")
    if len(calls) > 2:
        raise RuntimeError("boom")


def test_periodic_task_runs_once_per_slot_and_records_its_run(ctx):
    calls.clear()
    tick.call_local()
    tick.call_local()  # a second server's scheduler, same minute: skipped
    [row] = db.session.scalars(select(Job).where(Job.kind == "tests.tick")).all()
    assert calls == ["tick"] and row.status == "done" and row.unique_key.startswith("tests.tick@")
    calls.extend(["x", "y"])
    db.session.delete(row)
    db.session.commit()
    tick.call_local()
    row = db.session.scalars(select(Job).where(Job.kind == "tests.tick")).one()
    assert row.status == "failed" and "RuntimeError" in row.error


def _bundle(d, age_days: float, now: dt.datetime) -> int:
    made = bundles.start(d)
    made.created_at = now - dt.timedelta(days=age_days)
    return made.id


@pytest.mark.parametrize("age,kept", [(29, True), (30, True), (30.0001, False), (400, False)])
def test_cleanup_removes_what_is_past_its_keeping_time(make, age, kept):
    now = utcnow()
    d = s.discussion()
    s.ready_item(d, s.official())
    old = _bundle(d, age, now)
    newest_old = _bundle(s.discussion(title="另一会议"), 400, now)  # its discussion's newest
    _bundle(d, 0, now)
    make.commit()
    done_job, running = _dead(1, 0, status="done"), _dead(1, 0)
    done_job.finished_at = now - dt.timedelta(days=age)
    running.created_at = now - dt.timedelta(days=400)
    done_id, running_id = done_job.id, running.id
    db.session.add(LoginLimit(scope="account", key="old", window_start=now - dt.timedelta(days=2),
                              hits=3))
    db.session.add(LoginLimit(scope="account", key="new", window_start=now, hits=3))
    make.commit()
    out = cleanup.clean(now)
    assert out == {"bundles": 0 if kept else 1, "jobs": 0 if kept else 1, "login_limits": 1}
    db.session.expire_all()
    assert (db.session.get(DiscussionBundle, old) is not None) == kept
    assert db.session.get(DiscussionBundle, newest_old) is not None
    assert (db.session.get(Job, done_id) is not None) == kept
    assert db.session.get(Job, running_id) is not None
    assert [r.key for r in db.session.scalars(select(LoginLimit))] == ["new"]


def test_hourly_cleanup_is_a_periodic_task(ctx):
    cleanup.hourly_cleanup.call_local()
    row = db.session.scalars(select(Job).where(Job.kind == "kaohe.jobs.cleanup")).one()
    assert row.status == "done" and row.ref == "periodic"


# ---------------------------------------------------------------- pages


def _user(name: str, role: str = "organization") -> User:
    user = auth_services.create_user(name, role, PASSWORD, display_name=name)
    db.session.flush()
    return user


def test_progress_page_and_status_for_the_submitter(make, auth):
    client = auth.as_role("organization")
    user = db.session.scalar(select(User).where(User.username == "organization"))
    job = Job(kind="tests.echo", status="running", done=2, total=5, message="第 2 步",
              attempts=1, created_by_id=user.id, heartbeat_at=utcnow())
    db.session.add(job)
    make.commit()
    page = text(client.get(f"/jobs/{job.id}"))
    assert "测试任务" in page and "执行中" in page and "2/5 · 第 2 步" in page
    assert 'value="40"' in page and "js/jobs.js" in page and "<script>" not in page
    state = client.get(f"/jobs/{job.id}/status").get_json()
    assert (state["status"], state["percent"], state["done"], state["total"]) == ("running", 40, 2, 5)
    assert client.get(f"/jobs/{job.id}/file").status_code == 404  # not finished
    job.status, job.error = "failed", "执行中断：工作进程退出，已重试 2 次"
    make.commit()
    page = text(client.get(f"/jobs/{job.id}"))
    assert "失败" in page and "执行中断：工作进程退出，已重试 2 次" in page


def test_result_file_download(make, auth):
    client = auth.as_role("organization")
    job = submit("tests.echo", {"n": 1}, blob="内容".encode())
    job.created_by_id = db.session.scalar(select(User.id).where(User.username == "organization"))
    make.commit()
    response = client.get(f"/jobs/{job.id}/file")
    assert response.status_code == 200 and response.data == "内容".encode()[::-1]
    assert response.mimetype == "text/plain"
    assert "filename*=UTF-8''%E7%BB%93%E6%9E%9C.txt" in response.headers["Content-Disposition"]
    assert "下载 结果.txt" in text(client.get(f"/jobs/{job.id}"))


@pytest.mark.parametrize("role", ["admin", "assessment", "discipline", "reviewer"])
def test_someone_elses_job_is_not_found(make, auth, role):
    job = submit("tests.echo", {"n": 1}, blob=b"secret")  # submitted by nobody signed in
    make.commit()
    client = auth.as_role(role)
    for url in (f"/jobs/{job.id}", f"/jobs/{job.id}/status", f"/jobs/{job.id}/file"):
        assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, ctx):
    response = client.get("/jobs/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bundle_job_is_shown_to_managers_not_recused(make, auth, client):
    d = s.discussion()
    s.ready_item(d, s.official(name="王建国"))
    other = s.official(name="李海燕")
    s.item(d, other, action="retire", post="")
    colleague, recused = _user("org2"), _user("org3")
    links.add_relative(recused, other.id, "配偶")
    made = bundles.start(d)
    make.commit()
    job = services.latest(bundles.ref(made.id))
    assert job.status == "done" and job.created_by_id is None
    auth.login("org2")
    assert client.get(f"/jobs/{job.id}").status_code == 200
    auth.logout()
    auth.login("org3")  # 回避: a relative is on the agenda
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/status").status_code == 404
    assert colleague.id != recused.id
