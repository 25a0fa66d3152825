"""gunicorn.conf.py (issue 15): its figures from the environment, and a real gunicorn with
two worker processes whose metrics add up in one scrape and whose logs are JSON lines."""
from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.error import URLError
from urllib.request import Request, urlopen

import pytest
from flask import Flask

from kaohe.config import ConfigError
from kaohe.extensions import db
from tests.test_ops_health import sample

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "gunicorn.conf.py"


@pytest.fixture
def conf(monkeypatch, tmp_path):
    """load(**environ): gunicorn.conf.py's namespace as gunicorn reads it."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    monkeypatch.setenv("KAOHE_LOG_FORMAT", "text")  # the file only sets a default

    def load(**environ):
        for name in [n for n in os.environ if n.startswith("KAOHE_WEB_")]:
            monkeypatch.delenv(name)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONF))
    return load


@pytest.mark.parametrize("environ,expected", [
    ({}, {"bind": "0.0.0.0:8000", "workers": min(2 * os.cpu_count() + 1, 12), "threads": 4,
          "timeout": 120, "graceful_timeout": 30, "keepalive": 75, "max_requests": 200_000,
          "max_requests_jitter": 20_000}),
    ({"KAOHE_WEB_BIND": "127.0.0.1:9000", "KAOHE_WEB_WORKERS": "3", "KAOHE_WEB_THREADS": "1",
      "KAOHE_WEB_TIMEOUT": "300", "KAOHE_WEB_GRACEFUL_TIMEOUT": "10",
      "KAOHE_WEB_KEEPALIVE": "2", "KAOHE_WEB_MAX_REQUESTS": "0",
      "KAOHE_WEB_MAX_REQUESTS_JITTER": "0"},
     {"bind": "127.0.0.1:9000", "workers": 3, "threads": 1, "timeout": 300,
      "graceful_timeout": 10, "keepalive": 2, "max_requests": 0, "max_requests_jitter": 0}),
])
def test_figures_come_from_the_environment(conf, environ, expected):
    settings = conf(**environ)
    assert {k: settings[k] for k in expected} == expected
    assert settings["worker_class"] == "gthread" and settings["accesslog"] is None
    assert settings["control_socket_disable"] is True


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_metric_files_are_removed_at_start_and_a_dead_worker_s_gauges_on_exit(
        conf, tmp_path):
    settings = conf()
    folder = tmp_path / "metrics"
    assert folder.is_dir()  # made by the file itself: a preloaded app writes there first
    dead, alive = _dead_pid(), os.getpid()  # alive: e.g. a job worker sharing the folder
    for name in (f"counter_{dead}.db", f"histogram_{dead}.db", f"counter_{alive}.db",
                 f"histogram_{alive}.db", "unnamed.db"):
        (folder / name).write_bytes(b"figures")
    settings["on_starting"](None)
    assert sorted(p.name for p in folder.iterdir()) == [f"counter_{alive}.db",
                                                        f"histogram_{alive}.db"]
    for path in folder.iterdir():
        path.unlink()
    for name in ("gauge_liveall_222.db", "gauge_livesum_222.db", "counter_222.db",
                 "gauge_liveall_333.db"):
        (folder / name).write_bytes(b"")
    settings["child_exit"](None, SimpleNamespace(pid=222))
    # Live gauges of the dead worker go; its counters stay (they still count).
    assert sorted(p.name for p in folder.iterdir()) == ["counter_222.db", "gauge_liveall_333.db"]


@pytest.mark.parametrize("environ,preload", [
    ({}, True), ({"KAOHE_WEB_PRELOAD": "0"}, False), ({"KAOHE_WEB_PRELOAD": " Off "}, False),
    ({"KAOHE_WEB_PRELOAD": "1"}, True)])
def test_the_app_is_preloaded_unless_told_otherwise(conf, environ, preload):
    assert conf(**environ)["preload_app"] is preload


def test_a_mistyped_preload_setting_stops_the_start(conf):
    with pytest.raises(ConfigError, match="KAOHE_WEB_PRELOAD='maybe'"):
        conf(KAOHE_WEB_PRELOAD="maybe")


def test_a_forked_worker_lets_go_of_the_master_s_connections_without_closing_them(conf, app):
    settings = conf()
    engine = db.engine
    held = engine.raw_connection()  # the master's connection, e.g. opened while loading
    driver = held.driver_connection
    held.close()  # back into the pool (with any an earlier test left there)
    assert engine.pool.checkedin() >= 1
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True),
                             app=SimpleNamespace(wsgi=lambda: app))
    settings["post_fork"](server, None)
    assert engine.pool.checkedin() == 0  # the worker opens its own
    driver.cursor().execute("SELECT 1")  # still open: it is the master's to close
    driver.close()


@pytest.mark.parametrize("wsgi", [Flask("bare"), lambda environ, start_response: []],
                         ids=["flask-without-a-database", "plain-wsgi"])
def test_a_forked_worker_of_an_app_without_a_database_starts(conf, wsgi):
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True),
                             app=SimpleNamespace(wsgi=lambda: wsgi))
    assert conf()["post_fork"](server, None) is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict | None = None):
    with urlopen(Request(url, headers=headers or {}), timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


@pytest.fixture(params=["1", "0"], ids=["preloaded", "imported-by-each-worker"])
def gunicorn(request, _app, database_url, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAOHE_", "PROMETHEUS_"))}
    if request.param == "1":  # a metrics folder named but not made yet, as on a new server
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "new" / "metrics")
    env.update({"KAOHE_DATABASE_URL": database_url, "KAOHE_INSTANCE_PATH": str(tmp_path),
                "KAOHE_WEB_BIND": f"127.0.0.1:{port}", "KAOHE_WEB_WORKERS": "2",
                "KAOHE_EMBEDDED_WORKER": "0", "KAOHE_METRICS_TOKEN": "tok",
                "KAOHE_SECRET_KEY": "gunicorn-test", "KAOHE_WEB_PRELOAD": request.param})
    log = open(tmp_path / "gunicorn.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONF), "app:app"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(f"{base}/healthz")
                break
            except (URLError, OSError):
                time.sleep(0.2)
        yield SimpleNamespace(base=base, log=tmp_path / "gunicorn.log")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()


def test_two_workers_add_up_in_one_scrape_and_log_json(gunicorn):
    for n in range(20):
        status, headers, body = _get(f"{gunicorn.base}/healthz", {"X-Request-ID": f"probe-{n}"})
        assert (status, body, headers["X-Request-ID"]) == (200, "ok\n", f"probe-{n}")
    _status, _headers, exposition = _get(f"{gunicorn.base}/metrics",
                                         {"Authorization": "Bearer tok"})
    assert sample(exposition, "kaohe_http_requests_total", endpoint="ops.healthz",
                  method="GET", status="200") >= 20  # + the start-up probes
    assert sample(exposition, "kaohe_job_stats_up") == 1
    lines = [json.loads(x) for x in gunicorn.log.read_text().splitlines() if x.startswith("{")]
    probes = [x for x in lines if x.get("request_id", "").startswith("probe-")]
    assert sorted(x["request_id"] for x in probes) == sorted(f"probe-{n}" for n in range(20))
    assert {(x["endpoint"], x["status"], x["path"]) for x in probes} == {
        ("ops.healthz", 200, "/healthz")}
