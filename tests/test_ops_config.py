"""Configuration from the environment (issue 15): kaohe/config.py is the one reader of
the environment; a shared KAOHE_SECRET_KEY makes a session valid on every server;
KAOHE_PROXY_HOPS lets the login throttle see each client's own address."""
from __future__ import annotations

from pathlib import Path

import flask
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy import text as sa_text
from werkzeug.test import Client

from kaohe import create_app
from kaohe.audit.models import AuditLog
from kaohe.config import ConfigError, ENVIRONMENT, engine_options, from_environment, instance_path
from kaohe.extensions import db
from kaohe.ops import trust_proxies
from tests.conftest import PASSWORD
from tests.helpers import form_alerts, text

LOCKED = ("<p>登录失败次数过多，该账户或本机地址已被暂时锁定，请 15 分钟后再试；"
          "如需立即解除，请联系系统管理员。</p>")


@pytest.mark.parametrize("variable,value,key,expected", [
    ("KAOHE_SECRET_KEY", "s3cret", "SECRET_KEY", "s3cret"),
    ("KAOHE_DATABASE_URL", "postgresql://k@db/k", "SQLALCHEMY_DATABASE_URI", "postgresql://k@db/k"),
    ("KAOHE_PROXY_HOPS", "0", "KAOHE_PROXY_HOPS", 0),
    ("KAOHE_PROXY_HOPS", " 2 ", "KAOHE_PROXY_HOPS", 2),
    ("KAOHE_PROXY_HOPS", "10", "KAOHE_PROXY_HOPS", 10),
    ("KAOHE_HTTPS", "1", "KAOHE_HTTPS", True),
    ("KAOHE_HTTPS", "Yes", "KAOHE_HTTPS", True),
    ("KAOHE_HTTPS", "off", "KAOHE_HTTPS", False),
    ("KAOHE_LOG_FORMAT", "JSON", "KAOHE_LOG_FORMAT", "json"),
    ("KAOHE_LOG_FORMAT", "text", "KAOHE_LOG_FORMAT", "text"),
    ("KAOHE_METRICS_TOKEN", "tok", "KAOHE_METRICS_TOKEN", "tok"),
    ("KAOHE_REDIS_URL", "redis://r:6379/0", "KAOHE_REDIS_URL", "redis://r:6379/0"),
    ("KAOHE_SMTP_HOST", "mail.gov.example", "KAOHE_SMTP_HOST", "mail.gov.example"),
    ("KAOHE_SMTP_PORT", "1", "KAOHE_SMTP_PORT", 1),
    ("KAOHE_SMTP_PORT", "65535", "KAOHE_SMTP_PORT", 65535),
    ("KAOHE_SMTP_USER", "kaohe", "KAOHE_SMTP_USER", "kaohe"),
    ("KAOHE_SMTP_PASSWORD", "p w", "KAOHE_SMTP_PASSWORD", "p w"),
    ("KAOHE_SMTP_FROM", "考核系统 <kaohe@gov.example>", "KAOHE_SMTP_FROM",
     "考核系统 <kaohe@gov.example>"),
    ("KAOHE_SMTP_STARTTLS", "true", "KAOHE_SMTP_STARTTLS", True),
    ("KAOHE_DB_PING_AFTER_SECONDS", "0", "KAOHE_DB_PING_AFTER_SECONDS", 0),
    ("KAOHE_DB_PING_AFTER_SECONDS", "86400", "KAOHE_DB_PING_AFTER_SECONDS", 86400),
])
def test_each_variable_sets_its_key(variable, value, key, expected):
    assert from_environment({variable: value}) == {key: expected}


@pytest.mark.parametrize("variable,value", [
    ("KAOHE_PROXY_HOPS", "-1"), ("KAOHE_PROXY_HOPS", "11"), ("KAOHE_PROXY_HOPS", "one"),
    ("KAOHE_PROXY_HOPS", "1.5"), ("KAOHE_SMTP_PORT", "0"), ("KAOHE_SMTP_PORT", "65536"),
    ("KAOHE_HTTPS", "maybe"), ("KAOHE_SMTP_STARTTLS", "2"), ("KAOHE_LOG_FORMAT", "xml"),
    ("KAOHE_DB_PING_AFTER_SECONDS", "-1"), ("KAOHE_DB_PING_AFTER_SECONDS", "86401"),
    ("KAOHE_DB_PING_AFTER_SECONDS", "2.5"),
])
def test_an_unusable_value_stops_the_start_naming_the_variable(variable, value, monkeypatch,
                                                              tmp_path):
    with pytest.raises(ConfigError, match=variable):
        from_environment({variable: value})
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("KAOHE_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match=variable):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_variable_counts_as_unset(value):
    assert from_environment({name: value for name in ENVIRONMENT}) == {}
    assert instance_path({"KAOHE_INSTANCE_PATH": value}) is None


def test_every_variable_is_documented_in_the_readme():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for name in [*ENVIRONMENT, "KAOHE_INSTANCE_PATH", "PROMETHEUS_MULTIPROC_DIR"]:
        assert f"`{name}`" in readme, name


@pytest.fixture
def server(tmp_path, monkeypatch):
    """make(name): an app as a separate machine would run it: its own instance folder,
    the environment's settings, one shared SQLite database file."""
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: "/nonexistent-kaohe")

    def make(name: str, **environ):
        for key, value in environ.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("KAOHE_INSTANCE_PATH", str(tmp_path / name))
        return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}"})
    return make


def test_the_secret_key_comes_from_the_environment(server, tmp_path):
    app = server("a", KAOHE_SECRET_KEY="shared-key-of-the-deployment")
    assert app.instance_path == str(tmp_path / "a")
    assert app.secret_key == "shared-key-of-the-deployment"
    assert not (tmp_path / "a" / "secret_key").exists()  # no file made beside it


def test_without_it_each_machine_generates_its_own(server, tmp_path, monkeypatch):
    monkeypatch.delenv("KAOHE_SECRET_KEY", raising=False)
    a, b = server("a"), server("b")
    assert a.secret_key == (tmp_path / "a" / "secret_key").read_text().strip()
    assert b.secret_key == (tmp_path / "b" / "secret_key").read_text().strip()
    assert a.secret_key != b.secret_key


@pytest.mark.parametrize("shared", [True, False])
def test_a_cookie_signed_on_one_server_is_read_on_another_only_with_the_shared_key(
        server, monkeypatch, shared):
    if shared:
        monkeypatch.setenv("KAOHE_SECRET_KEY", "one-key-for-every-server")
    else:
        monkeypatch.delenv("KAOHE_SECRET_KEY", raising=False)
    a, b = server("a"), server("b")
    with a.test_request_context("/"):
        cookie = a.session_interface.get_signing_serializer(a).dumps({"probe": "从A签发"})
    with b.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        read = b.session_interface.open_session(b, flask.request)
    assert (dict(read) == {"probe": "从A签发"}) == shared


# ------------------------------------------------------------ proxies and the throttle


def _fail_from(client, address_headers, environ, n):
    for i in range(n):
        r = client.post("/login", data={"username": f"nobody{i}", "password": "wrong-pass"},
                        headers=address_headers, environ_base=environ)
        assert r.status_code == 200 and "用户名或密码错误" in text(r)


@pytest.mark.parametrize("hops,attacker,victim,proxy", [
    # One proxy: it appends the client's address to X-Forwarded-For.
    (1, {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9"}, "10.0.0.2"),
    # The attacker's own forged entry is left of the one the trusted proxy added.
    (1, {"X-Forwarded-For": "198.51.100.9, 203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9"},
     "10.0.0.2"),
    # Two proxies (load balancer, then nginx): the second entry from the right.
    (2, {"X-Forwarded-For": "203.0.113.7, 10.0.0.1"},
     {"X-Forwarded-For": "2001:db8::5, 10.0.0.1"}, "10.0.0.2"),
])
def test_behind_proxies_one_address_locked_out_does_not_lock_out_another(
        app, client, monkeypatch, hops, attacker, victim, proxy):
    monkeypatch.setitem(app.config, "KAOHE_PROXY_HOPS", hops)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)
    trust_proxies(app)
    environ = {"REMOTE_ADDR": proxy}  # every request reaches the app from the proxy
    _fail_from(client, attacker, environ, 20)
    r = client.post("/login", data={"username": "organization", "password": PASSWORD},
                    headers=attacker, environ_base=environ)
    assert r.status_code == 429 and form_alerts(text(r)) == [LOCKED]  # the 21st: locked
    r = client.post("/login", data={"username": "organization", "password": PASSWORD},
                    headers=victim, environ_base=environ)
    assert r.status_code == 302 and r.headers["Location"].endswith("/home")
    login = db.session.scalars(select(AuditLog).where(AuditLog.action == "login")
                              .order_by(AuditLog.seq.desc())).first()
    assert login.after["remote_addr"] == victim["X-Forwarded-For"].split(",")[-hops].strip()


def test_without_proxy_hops_forwarded_headers_are_ignored(app, client):
    """Hops 0 (the default): a client cannot pick its address with a header, so the
    proxy's one address counts every user's failures (the issue's lockout of everyone)."""
    assert app.config["KAOHE_PROXY_HOPS"] == 0
    environ = {"REMOTE_ADDR": "10.0.0.2"}
    _fail_from(client, {"X-Forwarded-For": "203.0.113.7"}, environ, 20)
    r = client.post("/login", data={"username": "organization", "password": PASSWORD},
                    headers={"X-Forwarded-For": "198.51.100.9"}, environ_base=environ)
    assert r.status_code == 429 and form_alerts(text(r)) == [LOCKED]


@pytest.mark.parametrize("hops,expected", [
    (0, ("10.0.0.2", "http", "kaohe-app:8000")),
    (1, ("198.51.100.9", "https", "kaohe.gov.example")),
    (2, ("203.0.113.7", "https", "kaohe.gov.example")),
])
def test_trusted_hops_give_the_client_address_scheme_and_host(app, monkeypatch, hops, expected):
    seen = {}

    def probe(environ, start_response):
        seen.update(environ)
        start_response("204 No Content", [])
        return []

    monkeypatch.setitem(app.config, "KAOHE_PROXY_HOPS", hops)
    monkeypatch.setattr(app, "wsgi_app", probe)
    trust_proxies(app)
    Client(app.wsgi_app).get("/", base_url="http://kaohe-app:8000/", headers={
        "X-Forwarded-For": "203.0.113.7, 198.51.100.9", "X-Forwarded-Proto": "https, https",
        "X-Forwarded-Host": "kaohe.gov.example, kaohe.gov.example"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert (seen["REMOTE_ADDR"], seen["wsgi.url_scheme"], seen["HTTP_HOST"]) == expected


@pytest.mark.parametrize("url, extra, expected", [
    ("postgresql+psycopg://k@db/kaohe", {},
     {"connect_timeout": 5, "options": "-c plan_cache_mode=force_custom_plan -c jit=off"}),
    # The URL's or the deployment's own choices are kept.
    ("postgresql+psycopg://k@db/kaohe?connect_timeout=2&options=-c%20work_mem%3D64MB", {}, {}),
    ("postgresql+psycopg://k@db/kaohe", {"connect_args": {"options": "-c jit=off"}},
     {"connect_timeout": 5, "options": "-c jit=off"}),
    ("sqlite:///kaohe.db", {}, None),
])
def test_postgresql_plans_prepared_statements_for_their_parameters(url, extra, expected):
    """A generic plan kept from a table's empty start made an import of 30 000 officials
    1.6 times slower (kaohe.config.CUSTOM_PLANS)."""
    options = engine_options({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **extra},
                              "SQLALCHEMY_DATABASE_URI": url, "KAOHE_DB_CONNECT_TIMEOUT": 5,
                              "KAOHE_DB_PING_AFTER_SECONDS": 10})
    assert options.get("connect_args") == expected and options["pool_pre_ping"] is True


def test_the_database_session_plans_for_its_parameters(ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert db.session.execute(sa_text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    assert db.session.execute(sa_text("SHOW jit")).scalar() == "off"
