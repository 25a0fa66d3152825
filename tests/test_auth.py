"""Login, logout, sessions, passwords, API tokens, the CLI and configuration."""
from __future__ import annotations

import hashlib
import os
import re
import stat
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import VerifyMismatchError
from flask import Flask
from sqlalchemy import func, inspect, select, text as sql

import kaohe
from kaohe import create_app
from kaohe.audit.models import AuditLog
from kaohe.auth.models import ApiToken, Role, User
from kaohe.auth.permissions import DEFAULT_ROLES
from kaohe.extensions import db
from tests.conftest import PASSWORD, PRODUCTION_HASHER
from tests.helpers import build_world, form_alerts, text

BAD_LOGIN = "用户名或密码错误，或账户已停用。"


def _user(username) -> User:
    return db.session.scalar(select(User).where(User.username == username)
                             .execution_options(populate_existing=True))


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def _logged_in_as(client) -> str | None:
    """The display name the home page greets, or None when it sends us to /login."""
    response = client.get("/home")
    if response.status_code == 302:
        assert urlsplit(response.location).path == "/login"
        return None
    m = re.search(r"<h1>您好，(.*?)</h1>", text(response))
    return m.group(1)


# --- login / logout ---------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "organization", "assessment", "discipline", "reviewer"])
def test_login_sends_each_role_home(client, auth, ctx, role):
    response = auth.login(role)
    assert response.status_code == 302 and urlsplit(response.location).path == "/home"
    assert _logged_in_as(client) == f"{role}测试"
    label = DEFAULT_ROLES[role][0]
    assert f"当前角色：{label}" in text(client.get("/home"))
    event = db.session.scalars(select(AuditLog).where(AuditLog.action == "login")
                               .order_by(AuditLog.id.desc())).first()
    assert event.actor_name == role and event.entity_id == _user(role).id


@pytest.mark.parametrize("username,password", [
    ("organization", "wrong-password"),
    ("organization", PASSWORD.upper()),
    ("nobody", PASSWORD),
    (" organization", "x" * 300),  # over the field's length limit
])
def test_wrong_credentials_are_refused_in_chinese(client, auth, ctx, username, password):
    before = db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "login_failed"))
    response = auth.login(username, password)
    page = text(response)
    assert response.status_code == 200
    assert _logged_in_as(client) is None
    if len(password) <= 256:
        assert BAD_LOGIN in form_alerts(page)[0]
        after = db.session.scalar(select(func.count(AuditLog.id))
                                  .where(AuditLog.action == "login_failed"))
        assert after == before + 1
    else:
        assert "密码" in page and "error" in page
    assert password not in page


def test_disabled_user_cannot_log_in(client, auth, ctx):
    _user("discipline").active = False
    db.session.commit()
    response = auth.login("discipline")
    assert response.status_code == 200 and BAD_LOGIN in text(response)
    assert _logged_in_as(client) is None


def test_disabling_a_user_ends_their_open_session(client, auth, ctx):
    auth.login("discipline")
    assert _logged_in_as(client) == "discipline测试"
    _user("discipline").active = False
    db.session.commit()
    assert _logged_in_as(client) is None


def test_logout_invalidates_a_copied_session_cookie(app, client, auth, ctx):
    auth.login("organization")
    stolen = _session_cookie(client)
    assert stolen and _logged_in_as(client) == "organization测试"
    response = auth.logout()
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"
    assert _logged_in_as(client) is None
    # Replaying the cookie copied before logout, from the same or another client, fails.
    client.set_cookie("session", stolen)
    assert _logged_in_as(client) is None
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert _logged_in_as(other) is None
    assert other.get("/api/v1/officials").status_code == 401
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "logout")
                             .order_by(AuditLog.id.desc())).actor_name == "organization"


def test_logout_requires_post(client, auth):
    auth.login("organization")
    response = client.get("/logout")
    assert response.status_code == 405 and "不支持该操作方式" in text(response)
    assert _logged_in_as(client) == "organization测试"


def test_session_cookie_flags(client, auth):
    response = auth.login("organization")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_anonymous_is_sent_to_login_and_back(client, auth):
    response = client.get("/officials/?q=王")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    response = client.post(response.location, data={"username": "organization",
                                                     "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/officials/?q=%E7%8E%8B" or \
        response.location == "/officials/?q=王"


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "/\t/evil.example",
    "evil.example",
    "",
])
def test_next_cannot_redirect_off_site(client, target):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "organization", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/home"


@pytest.mark.parametrize("target", ["/officials/", "/units/?x=1", "/officials/1#posts"])
def test_next_keeps_local_targets(client, target):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "organization", "password": PASSWORD})
    assert response.location == target


# --- passwords --------------------------------------------------------------------

def test_passwords_are_stored_as_argon2id_hashes(ctx):
    user = _user("organization")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(user.password_hash, PASSWORD + "x")
    # The hasher the application uses outside the tests: argon2id at full cost.
    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.memory_cost >= 19 * 1024 and PRODUCTION_HASHER.time_cost >= 2


def test_password_hash_never_reaches_the_audit_log(ctx):
    from kaohe.auth import services

    user = services.create_user("audited", "reviewer", "audited-password-1")
    db.session.commit()
    rows = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "user",
                                                     AuditLog.entity_id == user.id)).all()
    assert [r.action for r in rows] == ["create"]
    assert rows[0].after["username"] == "audited"
    assert "password_hash" not in rows[0].after and "session_token" not in rows[0].after


# --- CLI: users and tokens -----------------------------------------------------------

def test_cli_create_user_prints_a_generated_password_once(client, runner, ctx):
    result = runner.invoke(args=["create-user", "kezhang", "--role", "organization",
                                 "--name", "科长"])
    assert result.exit_code == 0, result.output
    passwords = re.findall(r"password: (\S+)", result.output)
    assert len(passwords) == 1 and len(passwords[0]) >= 12
    password = passwords[0]
    assert result.output.count(password) == 1
    user = _user("kezhang")
    assert user.role.name == "organization" and user.display_name == "科长"
    assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash
    client.post("/login", data={"username": "kezhang", "password": password})
    assert _logged_in_as(client) == "科长"


def test_cli_create_user_reads_password_from_stdin(client, runner, ctx):
    result = runner.invoke(args=["create-user", "kuaiji", "--role", "assessment",
                                 "--password-stdin"], input="stdin-password-9\n")
    assert result.exit_code == 0, result.output
    assert "stdin-password-9" not in result.output and "password:" not in result.output
    client.post("/login", data={"username": "kuaiji", "password": "stdin-password-9"})
    assert _logged_in_as(client) == "kuaiji"


@pytest.mark.parametrize("args,stdin,message", [
    (["create-user", "organization", "--role", "reviewer"], None, "该用户名已被使用。"),
    (["create-user", "shorty", "--role", "reviewer", "--password-stdin"], "short\n",
     "密码至少 8 位。"),
    (["create-user", "nobody", "--role", "king"], None, "king"),
])
def test_cli_create_user_refuses_clearly(runner, ctx, args, stdin, message):
    before = db.session.scalar(select(func.count(User.id)))
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count(User.id))) == before
    assert _user("organization").role.name == "organization"


def test_cli_create_token_prints_once_and_stores_only_the_hash(client, runner, make):
    build_world()
    result = runner.invoke(args=["create-token", "discipline"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("kh_") and len(token) > 30 and "\n" not in token
    row = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert row.user.username == "discipline"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # The token itself is stored nowhere.
    for table in ("api_token", "audit_log"):
        dump = " ".join(str(r) for r in db.session.execute(sql(f"SELECT * FROM {table}")))
        assert token not in dump and token[3:] not in dump

    bearer = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/officials", headers=bearer)
    assert response.status_code == 200 and response.get_json()["items"][0]["name"] == "王建国"
    # Not on HTML pages, and it leaves no session behind.
    for url in ("/officials/", "/home", "/units/"):
        response = client.get(url, headers=bearer)
        assert response.status_code == 302 and urlsplit(response.location).path == "/login"
    assert client.get("/api/v1/officials").status_code == 401


@pytest.mark.parametrize("spoil", ["revoked", "disabled", "wrong", "no-bearer-prefix"])
def test_spoiled_tokens_are_refused(client, ctx, spoil):
    from kaohe.auth import services
    from kaohe.core.models import utcnow

    user = _user("organization")
    token = services.create_token(user)
    header = f"Bearer {token}"
    if spoil == "revoked":
        db.session.scalars(select(ApiToken)).all()[-1].revoked_at = utcnow()
    elif spoil == "disabled":
        user.active = False
    elif spoil == "wrong":
        header = f"Bearer {token}x"
    else:
        header = token
    db.session.commit()
    response = client.get("/api/v1/officials", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json() == {"error": "未登录或令牌无效。", "status": 401}


def test_cli_create_token_for_unknown_user(runner, ctx):
    result = runner.invoke(args=["create-token", "ghost"])
    assert result.exit_code != 0 and "用户 ghost 不存在。" in result.output
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


# --- CLI: init-db -----------------------------------------------------------------

def test_init_db_is_idempotent_on_the_test_database(runner, ctx):
    role = db.session.scalar(select(Role).where(Role.name == "discipline"))
    role.permissions = ["users.manage"]  # drifted from the defaults
    db.session.commit()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "数据库已就绪" in result.output
    roles = {r.name: sorted(r.permissions) for r in db.session.scalars(
        select(Role).execution_options(populate_existing=True))}
    assert roles == {name: sorted(str(p) for p in perms)
                     for name, (_label, perms) in DEFAULT_ROLES.items()}


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    """An app on its own instance folder (no SECRET_KEY, no configured database)."""
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    monkeypatch.delenv("KAOHE_DATABASE_URL", raising=False)

    def make(test_config=None):
        return create_app(test_config)

    yield make


def test_init_db_creates_then_keeps_a_fresh_database(_app, fresh_app, tmp_path):
    app = fresh_app()
    runner = app.test_cli_runner()
    for _ in range(2):
        with app.app_context():  # as FlaskGroup does under ``flask --app app``
            result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    engine = db.create_engine(f"sqlite:///{tmp_path / 'instance' / 'kaohe.db'}")
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"official", "post", "assessment_result", "review", "org_note", "unit",
                "user", "role", "audit_log", "alembic_version"} <= tables
        with engine.connect() as conn:
            assert conn.execute(sql("SELECT count(*) FROM role")).scalar() == len(DEFAULT_ROLES)
            [version] = conn.execute(sql("SELECT version_num FROM alembic_version")).scalars()
        from alembic.script import ScriptDirectory
        from kaohe.extensions import MIGRATIONS_DIR

        with app.app_context():
            script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config(
                str(MIGRATIONS_DIR)))
        assert version == script.get_current_head()
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()


# --- configuration ------------------------------------------------------------------

def test_secret_key_is_generated_once_into_the_instance_folder(fresh_app, tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    assert not key_file.exists()
    first = fresh_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = key_file.read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert first.secret_key == key
    second = fresh_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert second.secret_key == key and key_file.read_text().strip() == key
    # An explicit SECRET_KEY wins and leaves the file alone.
    third = fresh_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "explicit"})
    assert third.secret_key == "explicit"


def test_secret_key_creation_race(tmp_path, monkeypatch):
    """A worker that found no key file, while another one wrote it, uses that key."""
    from pathlib import Path

    from kaohe import instance_secret

    winner = instance_secret(tmp_path)
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self.name == "secret_key"
                        else real_exists(self))
    assert instance_secret(tmp_path) == winner
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no leftovers


def test_default_database_is_sqlite_in_the_instance_folder(fresh_app, tmp_path):
    app = fresh_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'kaohe.db'}"


@pytest.mark.parametrize("env,expected", [
    ("sqlite:////srv/kaohe/data.db", "sqlite:////srv/kaohe/data.db"),
    ("postgresql://kaohe:pw@db.internal:5432/kaohe", "postgresql+psycopg://kaohe:pw@db.internal:5432/kaohe"),
    ("postgres://kaohe@db/kaohe", "postgresql+psycopg://kaohe@db/kaohe"),
    ("postgresql+psycopg://kaohe@db/kaohe", "postgresql+psycopg://kaohe@db/kaohe"),
    ("", None),  # set but empty: the default
])
def test_kaohe_database_url_overrides_the_default(fresh_app, monkeypatch, tmp_path, env, expected):
    monkeypatch.setenv("KAOHE_DATABASE_URL", env)
    app = fresh_app()
    default = f"sqlite:///{tmp_path / 'instance' / 'kaohe.db'}"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (expected or default)
    with app.app_context():
        assert db.engine.url.render_as_string(hide_password=False) == (expected or default)


@pytest.mark.parametrize("url,expected", [
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
    ("mysql://u@h/postgresql://", "mysql://u@h/postgresql://"),
])
def test_normalise_db_url(url, expected):
    assert kaohe._normalise_db_url(url) == expected
