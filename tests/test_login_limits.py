"""Logins (issue 16.6): hashing outside any transaction, atomic lockout counts, and a
per-address rate limit checked before any hashing, shared through the database.

The concurrency tests run against their own database (a SQLite file, or a fresh
PostgreSQL database when ``KAOHE_TEST_PG_SERVER`` is set), committed for real, with
one thread per client and argon2 slowed down to 0.3 s so that the requests overlap.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from kaohe import create_app
from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.auth import throttle
from kaohe.extensions import db
from kaohe.settings import services as settings_services
from tests.conftest import PASSWORD
from tests.scratch import scratch_database
from tests.helpers import form_alerts, text

BAD_LOGIN = "用户名或密码错误，或账户已停用。"
LOCKED = ("登录失败次数过多，该账户或本机地址已被暂时锁定，请 15 分钟后再试；"
          "如需立即解除，请联系系统管理员。")


class SlowHasher:
    """The tests' argon2 hasher, whose verification takes ``seconds`` and is recorded:
    the hashes it was asked about, the most verifications at once, and ``probe()``'s
    answer during each (``probe`` runs inside the request, in its app context)."""

    def __init__(self, inner, seconds: float, probe=None):
        self.inner, self.seconds, self.probe = inner, seconds, probe
        self.lock = threading.Lock()
        self.hashes: list[str] = []
        self.probes: list = []
        self.running = self.most = 0

    def verify(self, hash_, password):
        with self.lock:
            self.hashes.append(hash_)
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            if self.probe:
                self.probes.append(self.probe())
            time.sleep(self.seconds)
            return self.inner.verify(hash_, password)
        finally:
            with self.lock:
                self.running -= 1

    def hash(self, password):
        return self.inner.hash(password)

    def check_needs_rehash(self, hash_):
        return self.inner.check_needs_rehash(hash_)


@pytest.fixture
def slow(monkeypatch):
    def install(seconds=0.3, probe=None) -> SlowHasher:
        hasher = SlowHasher(auth_services._hasher, seconds, probe)
        monkeypatch.setattr(auth_services, "_hasher", hasher)
        return hasher
    return install


# ---------------------------------------------------------------- a database of its own


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """An app on its own database, committed for real, with 30 users (u00…u29)."""
    folder = tmp_path_factory.mktemp("live")
    with scratch_database("kaohe_live", folder / "live.db") as url:
        yield from _live_app(url, folder)


def _live_app(url, folder):
    original = Flask.auto_find_instance_path
    Flask.auto_find_instance_path = lambda self: str(folder / "instance")
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": url,
                          "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40, "max_overflow": 0}})
    finally:
        Flask.auto_find_instance_path = original
    with app.app_context():
        upgrade()
        auth_services.sync_roles()
        for i in range(30):
            auth_services.create_user(f"u{i:02d}", "organization", PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def fresh(live):
    """``live`` with no login counters left by an earlier test."""
    with live.app_context():
        db.session.execute(sa.delete(throttle.LoginLimit))
        db.session.commit()
    return live


def _login(app, username, password=PASSWORD, address="127.0.0.1"):
    return app.test_client().post("/login", data={"username": username, "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def _together(calls):
    """Run the ``calls`` at once, one thread each; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _write_lock_free(app) -> bool:
    """Whether another connection could take the SQLite write lock right now."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_the_password_is_hashed_outside_any_transaction(fresh, slow):
    sqlite_file = fresh.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    hasher = slow(0.05, probe=lambda: (db.session().in_transaction(),
                                       _write_lock_free(fresh) if sqlite_file else True))
    assert _login(fresh, "u00").status_code == 302
    assert _login(fresh, "u00", "wrong-password-1").status_code == 200
    assert _login(fresh, "nobody", "wrong-password-1").status_code == 200
    assert hasher.probes == [(False, True)] * 3  # no transaction, nothing locked


def test_concurrent_logins_are_hashed_in_parallel_without_database_is_locked(fresh, slow):
    # Before: each login held SQLite's write lock through argon2 (BEGIN IMMEDIATE), so
    # 30 logins of 0.4 s queued for 12 s, past the 10 s busy timeout: "database is locked".
    hasher = slow(0.4)
    responses = _together([lambda i=i: _login(fresh, f"u{i:02d}", address=f"10.0.1.{i}")
                           for i in range(30)])
    assert [r.status_code for r in responses] == [302] * 30
    assert hasher.most > 1 and len(hasher.hashes) == 30


@pytest.mark.parametrize("limit", [1, 5])
def test_concurrent_failures_stop_exactly_at_the_account_limit(fresh, slow, limit):
    """Before: every attempt read the count, hashed, then wrote a failure, so on
    PostgreSQL 7 of 12 simultaneous attempts (or all) passed a limit of 5."""
    with fresh.app_context():
        settings_services.set_value("security.lockout_account_failures", limit)
        db.session.commit()
        target = db.session.scalar(select(auth_services.User.password_hash)
                                   .where(auth_services.User.username == "u01"))
    try:
        hasher = slow(0.3)
        responses = _together([lambda i=i: _login(fresh, "u01", "wrong-password-1",
                                                  address=f"10.0.2.{i}") for i in range(12)])
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] * limit + [429] * (12 - limit)
        assert hasher.hashes.count(target) == limit  # the refused ones were never hashed
        assert all(BAD_LOGIN in text(r) for r in responses if r.status_code == 200)
        assert all(form_alerts(text(r)) == [f"<p>{LOCKED}</p>"] and
                   1 <= int(r.headers["Retry-After"]) <= 15 * 60 + 1
                   for r in responses if r.status_code == 429)
        assert _login(fresh, "u01").status_code == 429  # even the right password
    finally:
        with fresh.app_context():
            settings_services.set_value("security.lockout_account_failures", 5)
            db.session.commit()


def test_concurrent_attempts_from_one_address_stop_at_its_rate(fresh, slow):
    with fresh.app_context():
        settings_services.set_value("security.login_rate_per_minute", 4)
        db.session.commit()
    try:
        hasher = slow(0.2)
        responses = _together([lambda i=i: _login(fresh, f"ghost{i}", "wrong-password-1",
                                                  address="10.0.3.1") for i in range(10)])
        assert sorted(r.status_code for r in responses) == [200] * 4 + [429] * 6
        assert len(hasher.hashes) == 4
    finally:
        with fresh.app_context():
            settings_services.set_value("security.login_rate_per_minute", 30)
            db.session.commit()


# ---------------------------------------------------------------- rules, one request at a time


@pytest.fixture
def rate(ctx):
    def set_rate(value: int) -> None:
        settings_services.set_value("security.login_rate_per_minute", value)
        db.session.commit()
    return set_rate


def _post(client, username, password="wrong-password-1", address="192.0.2.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _age(scope: str, seconds: int) -> None:
    """Move the windows of ``scope`` back by ``seconds`` (in Python: SQLite keeps text)."""
    for row in db.session.scalars(select(throttle.LoginLimit)
                                  .where(throttle.LoginLimit.scope == scope)):
        row.window_start -= dt.timedelta(seconds=seconds)
    db.session.commit()


@pytest.mark.parametrize("limit", [1, 3])
def test_rate_limit_per_address_is_checked_before_hashing(client, rate, slow, limit):
    rate(limit)
    hasher = slow(0)
    for i in range(limit):
        assert BAD_LOGIN in text(_post(client, f"ghost{i}"))  # unknown users, hashed too
    assert len(hasher.hashes) == limit
    refused = _post(client, "organization", PASSWORD)  # even a right password
    assert refused.status_code == 429 and len(hasher.hashes) == limit
    assert form_alerts(text(refused))[0].startswith("<p>本机地址登录尝试过于频繁，请 ")
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert _post(client, "organization", PASSWORD, address="192.0.2.2").status_code == 302


def test_rate_window_runs_out(client, rate, slow):
    rate(2)
    slow(0)
    for _ in range(2):
        _post(client, "ghost")
    assert _post(client, "organization", PASSWORD).status_code == 429
    _age("rate", 59)
    assert _post(client, "organization", PASSWORD).status_code == 429
    _age("rate", 1)
    assert _post(client, "organization", PASSWORD).status_code == 302


@pytest.mark.parametrize("other,shared", [("2001:db8::2", True), ("2001:db8::ffff:1", True),
                                          ("2001:db8:0:1::1", False), ("192.0.2.9", False),
                                          ("::ffff:192.0.2.1", False)])
def test_an_ipv6_client_is_its_64_network(client, rate, slow, other, shared):
    rate(1)
    slow(0)
    _post(client, "ghost", address="2001:db8::1")
    assert _post(client, "ghost", address=other).status_code == (429 if shared else 200)


def test_a_rate_refusal_is_audited_once_per_window(client, rate, slow):
    rate(1)
    slow(0)
    for _ in range(4):
        _post(client, "ghost")
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.action.like("login%")).order_by(AuditLog.seq)).all()
    assert actions == ["login_failed", "login_rate_limited"]


def test_unknown_usernames_are_locked_out_like_accounts(client, slow):
    hasher = slow(0)
    for _ in range(5):
        assert BAD_LOGIN in text(_post(client, "nobody-here"))
    assert hasher.hashes == [auth_services.dummy_hash()] * 5  # the same work as a real account
    assert _post(client, "nobody-here").status_code == 429 and len(hasher.hashes) == 5


def test_a_success_clears_the_account_and_gives_the_address_its_count_back(client, ctx, slow):
    settings_services.set_value("security.lockout_address_failures", 5)
    db.session.commit()
    slow(0)
    for _ in range(4):
        _post(client, "organization")
    assert _post(client, "organization", PASSWORD).status_code == 302
    client.post("/logout")
    counts = dict(db.session.execute(select(throttle.LoginLimit.scope, throttle.LoginLimit.hits)
                                     .where(throttle.LoginLimit.scope != "rate")).all())
    assert counts == {"address": 4}  # the account's failures are gone
    assert BAD_LOGIN in text(_post(client, "discipline"))  # the address's 5th failure
    assert _post(client, "discipline").status_code == 429  # its 6th: locked


def test_long_expired_counters_are_forgotten(client, slow):
    slow(0)
    _post(client, "ghost-a", address="192.0.2.50")
    _age("account", 15 * 60 + 86_400 + 1)
    _age("address", 15 * 60 + 86_400 + 1)
    _age("rate", 61)
    _post(client, "ghost-b", address="192.0.2.50")  # a new rate window: the purge runs
    keys = set(db.session.scalars(select(throttle.LoginLimit.key)))
    assert "ghost-a" not in keys and {"ghost-b", "192.0.2.50"} <= keys
    assert db.session.scalar(select(func.count()).select_from(throttle.LoginLimit)) == 3
