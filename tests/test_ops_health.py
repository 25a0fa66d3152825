"""Probes and metrics (issue 15): /healthz never touches the database, /readyz names
what is down (503), /metrics only with its Bearer token (else 404) and with the request,
dossier and job-queue figures."""
from __future__ import annotations

import re

import pytest
from huey.storage import RedisStorage
from sqlalchemy import event

from kaohe import create_app
from kaohe.dossier import services as dossier_services
from kaohe.extensions import db
from kaohe.jobs import engine
from kaohe.jobs.models import Job
from tests import discussions_support
from tests.dossier_support import AS_OF, rich_official
from tests.helpers import text
from tests.test_db_down import LEAKS, UNREACHABLE

TOKEN = "metrics-token-0123456789abcdef"
DOWN_QUEUE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def sample(exposition: str, name: str, **labels) -> float:
    """The value of one sample of the text exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", exposition, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
def down(monkeypatch, tmp_path, request):
    monkeypatch.setenv("KAOHE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param]})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def queue_down(monkeypatch):
    """The job queue's storage is a Redis nobody answers (restored afterwards)."""
    monkeypatch.setattr(engine.huey, "storage", RedisStorage("kaohe", url=DOWN_QUEUE))


def test_healthz_answers_without_a_query(app, client):
    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get("/healthz")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert (response.status_code, text(response), response.mimetype) == (200, "ok\n", "text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == []


@pytest.mark.parametrize("down", sorted(UNREACHABLE), indirect=True)
def test_healthz_is_ok_while_the_database_is_down(down):
    response = down.test_client().get("/healthz")
    assert (response.status_code, text(response)) == (200, "ok\n")


def test_readyz_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "failed": [],
                                   "checks": {"database": "ok", "queue": "ok"}}


@pytest.mark.parametrize("down", sorted(UNREACHABLE), indirect=True)
def test_readyz_names_the_database_when_it_is_down(down):
    response = down.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "unavailable" and body["failed"] == ["database"]
    assert body["checks"] == {"database": "unreachable (OperationalError)", "queue": "ok"}
    for leak in LEAKS[2:]:  # the exception's class is named, nothing of the address
        assert leak not in text(response), leak


def test_readyz_names_the_queue_when_it_is_down(client, queue_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["queue"] and body["checks"]["database"] == "ok"
    assert body["checks"]["queue"].startswith("job queue unreachable")
    assert "127.0.0.1" not in text(response)


@pytest.mark.parametrize("down", ["sqlite"], indirect=True)
def test_readyz_names_both(down, queue_down):
    body = down.test_client().get("/readyz").get_json()
    assert body["failed"] == ["database", "queue"]


# ---------------------------------------------------------------- /metrics


@pytest.mark.parametrize("configured,header", [
    (None, None),
    (None, "Bearer "),
    (None, "Bearer None"),
    (TOKEN, None),
    (TOKEN, ""),
    (TOKEN, f"Bearer {TOKEN[:-1]}"),
    (TOKEN, f"Bearer {TOKEN}x"),
    (TOKEN, f"bearer {TOKEN}"),
    (TOKEN, TOKEN),
    (TOKEN, f"Basic {TOKEN}"),
    ("", "Bearer "),
])
def test_metrics_is_not_found_without_the_right_token(app, client, monkeypatch, configured,
                                                      header):
    monkeypatch.setitem(app.config, "KAOHE_METRICS_TOKEN", configured)
    response = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == 404
    assert "页面或记录不存在" in text(response) and "kaohe_" not in text(response)


@pytest.fixture
def scrape(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "KAOHE_METRICS_TOKEN", TOKEN)

    def get() -> str:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return text(response)
    return get


def test_metrics_count_requests_by_endpoint_method_and_status(client, auth, scrape):
    labels = {"endpoint": "auth.login", "method": "POST", "status": "302"}
    missing = {"endpoint": "none", "method": "GET", "status": "404"}
    before = scrape()
    auth.login("organization")
    for _ in range(3):
        client.get("/no-such-page")
    after = scrape()
    assert sample(after, "kaohe_http_requests_total", **labels) == sample(
        before, "kaohe_http_requests_total", **labels) + 1
    assert sample(after, "kaohe_http_requests_total", **missing) == sample(
        before, "kaohe_http_requests_total", **missing) + 3
    count = "kaohe_http_request_duration_seconds_count"
    assert sample(after, count, **missing) == sample(before, count, **missing) + 3
    buckets = re.findall(r'^kaohe_http_request_duration_seconds_bucket\{endpoint="none",'
                         r'le="([^"]+)",method="GET",status="404"\} (\S+)$', after, re.M)
    assert buckets[-1][0] == "+Inf" and float(buckets[-1][1]) == sample(after, count, **missing)
    assert [float(v) for _le, v in buckets] == sorted(float(v) for _le, v in buckets)


def test_metrics_time_each_dossier(ctx, make, scrape):
    before = scrape()
    official = rich_official()
    for _ in range(2):
        dossier_services.generate(official.id, AS_OF)
    after = scrape()
    count = "kaohe_dossier_generation_seconds_count"
    assert sample(after, count) == sample(before, count) + 2
    spent = sample(after, "kaohe_dossier_generation_seconds_sum") - sample(
        before, "kaohe_dossier_generation_seconds_sum")
    assert 0 < spent < 120


@pytest.mark.parametrize("items", [0, 2])
def test_metrics_time_each_bundle(make, auth, scrape, items):
    d = discussions_support.discussion()
    for n in range(items):
        discussions_support.ready_item(d, discussions_support.official(name=f"王建{n}"))
    make.commit()
    before = scrape()
    client = auth.as_role("organization")
    assert client.post(f"/discussions/{d.id}/bundle").status_code == 302
    assert client.get(f"/discussions/{d.id}/bundle/status").get_json()["status"] == "done"
    after = scrape()
    count = "kaohe_bundle_generation_seconds_count"
    assert sample(after, count) == sample(before, count) + 1
    assert sample(after, "kaohe_bundle_generation_seconds_sum") > sample(
        before, "kaohe_bundle_generation_seconds_sum")


@pytest.mark.parametrize("statuses", [(), ("failed",), ("failed", "failed", "running", "done"),
                                      ("queued", "running", "running")])
def test_metrics_read_the_job_queue_at_scrape_time(ctx, scrape, statuses):
    before = scrape()
    for status in statuses:
        db.session.add(Job(kind="test.kind", status=status))
    db.session.flush()
    after = scrape()
    assert sample(after, "kaohe_job_stats_up") == 1
    for gauge, status in (("kaohe_jobs_failed", "failed"), ("kaohe_jobs_running", "running")):
        assert sample(after, gauge) == sample(before, gauge) + statuses.count(status)
    # Immediate mode (tests): nothing waits in the queue itself.
    assert sample(after, "kaohe_job_queue_depth") == 0


def test_metrics_still_answer_while_the_queue_is_down(client, scrape, queue_down):
    client.get("/login")
    exposition = scrape()
    assert sample(exposition, "kaohe_job_stats_up") == 0
    assert "kaohe_job_queue_depth" not in exposition
    assert sample(exposition, "kaohe_http_requests_total", endpoint="auth.login", method="GET",
                  status="200") >= 1
    assert sample(exposition, "kaohe_jobs_failed") == 0  # the database still answers


@pytest.mark.parametrize("down", ["sqlite"], indirect=True)
def test_metrics_still_answer_while_the_database_is_down(down):
    down.config["KAOHE_METRICS_TOKEN"] = TOKEN
    response = down.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    exposition = text(response)
    assert sample(exposition, "kaohe_job_stats_up") == 0
    assert "kaohe_jobs_failed" not in exposition and "kaohe_http_requests_total" in exposition


def test_a_redis_queue_has_timeouts(app):
    """An unreachable Redis must fail fast (submission, /readyz), not hang on TCP."""
    storage_class, kwargs = engine.storage_for(type("A", (), {
        "config": {"KAOHE_REDIS_URL": "redis://127.0.0.1:6390/0"}, "instance_path": "/tmp"})())
    assert storage_class is RedisStorage
    params = kwargs["connection_pool"].connection_kwargs
    assert params["socket_connect_timeout"] == 5 and params["socket_timeout"] == 30
