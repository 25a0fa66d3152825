"""Test fixtures (flaskr style) with a per-test rolled-back transaction.

The schema is built once per session through the Alembic migrations, on a
temporary SQLite file, or on a fresh PostgreSQL database created on the server
named by ``KAOHE_TEST_PG_SERVER`` (e.g. ``postgresql://postgres@127.0.0.1``)
and dropped afterwards. Every test runs inside an outer transaction that is
rolled back, so tests never see each other's data.
"""
from __future__ import annotations

import contextvars

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskCliRunner, FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from kaohe.core import clock
from kaohe import create_app
from kaohe.auth import services as auth_services
from kaohe.extensions import db
from kaohe.jobs import queue as jobs_queue
from tests.scratch import scratch_database

PASSWORD = "test-password-123"
ROLES = ("admin", "organization", "assessment", "discipline", "reviewer")


class _ConnectionSession(FlaskSession):
    """Session bound to the test's connection (Flask-SQLAlchemy ignores ``bind``)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


class _IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Flask reuses an already pushed app context (the ``ctx``/``make`` fixtures push
    one), which would share ``g`` (Flask-Login's cached user) and the database
    session between requests and with the test itself.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


class _IsolatedCliRunner(FlaskCliRunner):
    """CLI commands run in their own app context and context variables (cli_actor),
    as under ``flask --app app`` (whose FlaskGroup pushes the app context)."""

    def invoke(self, *args, **kwargs):
        def run():
            with self.app.app_context():
                return FlaskCliRunner.invoke(self, *args, **kwargs)

        return contextvars.Context().run(run)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with scratch_database("kaohe_test", tmp_path_factory.mktemp("db") / "test.db") as url:
        yield url


# The production hasher (argon2id, OWASP minimum) costs ~35 ms per login; tests
# log in hundreds of times, so they use argon2id with minimal cost. Hashes made by
# either verify with the other (parameters live in the hash).
PRODUCTION_HASHER = auth_services._hasher
auth_services._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
auth_services.dummy_hash.cache_clear()  # the dummy hash is made with the test hasher


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
    })
    app.test_client_class = _IsolatedClient
    app.test_cli_runner_class = _IsolatedCliRunner
    with app.app_context():
        upgrade()
        auth_services.sync_roles()
        for role in ROLES:
            auth_services.create_user(role, role, PASSWORD, display_name=f"{role}测试")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app with every database access inside a transaction rolled back afterwards."""
    if jobs_queue.state.app is not _app:
        # A test that made an app of its own (not testing: queued jobs) bound the job
        # queue to it; the suite's app runs its jobs where they are submitted again.
        jobs_queue.init_app(_app)
    with _app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({
            "bind": connection, "class_": _ConnectionSession,
            "join_transaction_mode": "create_savepoint",
        })
        try:
            yield _app
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username="organization", password=PASSWORD):
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")

    def as_role(self, role: str | None):
        """Log in as the test user of ``role`` (None: stay anonymous); returns the client."""
        if role is not None:
            response = self.login(role)
            assert response.status_code == 302, response.get_data(as_text=True)
        return self._client


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def ctx(app):
    """An app context for calling services directly."""
    with app.app_context():
        yield


@pytest.fixture
def make(ctx):
    """Factory for records, built through the real services."""
    from tests import factories

    return factories


@pytest.fixture
def req(app, make):
    """``make`` inside a test request: the to-do rules read the signed-in user's recusals."""
    with app.test_request_context():
        yield make


@pytest.fixture
def today():
    return clock.today()
