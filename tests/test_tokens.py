"""API tokens (issue 16.2): a name, an expiry bounded by a setting, the time of last use;
each user lists, creates (shown once) and revokes their own, the admin lists and revokes
anyone's; a password change, a password reset and 「结束会话」 revoke them all;
``flask create-token --name --expires-days`` and ``flask revoke-token``. An expired or
revoked token gets 401 JSON on every API, reading and writing."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth import tokens
from kaohe.auth.models import ApiToken, User
from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.settings import services as settings
from tests.conftest import PASSWORD
from tests.helpers import audit_total, build_world, field_errors, form_version, table_counts, text

UNAUTHORIZED = {"error": "未登录或令牌无效。", "status": 401}


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _new(username: str, name: str = "对接", days: int | None = None) -> tuple[ApiToken, str]:
    row, token = tokens.create(_user(username), name, days)
    db.session.commit()
    return row, token


def _get(app, token: str, url: str = "/api/v1/officials"):
    """A request carrying the token only (a fresh client: no cookie session)."""
    return app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})


def _works(app, token: str) -> bool:
    response = _get(app, token)
    if response.status_code == 401:
        assert response.get_json() == UNAUTHORIZED
        return False
    assert response.status_code == 200, response.get_data(as_text=True)
    return True


def _token_on(page: str) -> str | None:
    found = re.findall(r"kh_[A-Za-z0-9_-]{40,}", page)
    assert len(found) <= 1
    return found[0] if found else None


# ------------------------------------------------------------------ the user's own page

def test_user_creates_a_token_shown_once(app, client, auth):
    auth.login("discipline")
    response = client.post("/account/tokens", data={"name": "人事系统对接", "days": "30"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "此令牌只显示这一次" in page
    token = _token_on(page)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.digest(token)))
    assert row.user.username == "discipline" and row.name == "人事系统对接"
    assert row.expires_at - row.created_at == timedelta(days=30)
    assert row.last_used_at is None

    page = text(client.get("/account/tokens"))  # listed, never shown again
    assert _token_on(page) is None and "人事系统对接" in page and "有效" in page
    assert _works(app, token)
    db.session.expire_all()
    assert row.last_used_at is not None
    log = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "api_token")).all()
    assert [(e.action, e.actor_name, e.after["name"]) for e in log] == [
        ("create", "discipline", "人事系统对接")]
    assert "token_hash" not in log[0].after and token not in str(log[0].after)


@pytest.mark.parametrize("setting,days,expected", [
    (90, "", 90), (90, "1", 1), (90, "90", 90), (90, "91", None), (90, "0", None),
    (90, "-1", None), (90, "2147483648", None), (90, "abc", None), (90, "1.5", None),
    (30, "", 30), (30, "30", 30), (30, "31", None), (3650, "3650", 3650), (1, "", 1),
])
def test_lifetime_is_bounded_by_the_setting(client, auth, ctx, setting, days, expected):
    settings.set_value("security.api_token_days", setting)
    db.session.commit()
    auth.login("organization")
    before = table_counts()
    response = client.post("/account/tokens", data={"name": "x", "days": days})
    page = text(response)
    if expected is None:
        assert _token_on(page) is None and field_errors(page, "days")
        db.session.expire_all()
        assert table_counts() == before
        return
    row = db.session.scalars(select(ApiToken)).one()
    assert row.expires_at - row.created_at == timedelta(days=expected)
    assert _token_on(page) is not None


@pytest.mark.parametrize("name,message", [
    ("", "请填写令牌名称（用途），例如“人事系统对接”。"),
    ("   ", "请填写令牌名称（用途），例如“人事系统对接”。"),
    ("名" * 65, None),
])
def test_a_name_is_required(client, auth, name, message):
    auth.login("organization")
    before = table_counts()
    page = text(client.post("/account/tokens", data={"name": name}))
    errors = field_errors(page, "name")
    assert errors and (message is None or errors == [message])
    assert table_counts() == before


def test_active_tokens_per_user_are_bounded(client, auth, ctx):
    rows = [_new("organization", f"t{n}")[0] for n in range(tokens.MAX_ACTIVE)]
    auth.login("organization")
    page = text(client.post("/account/tokens", data={"name": "one too many"}))
    assert f"有效令牌已达 {tokens.MAX_ACTIVE} 个" in field_errors(page, "name")[0]
    client.post(f"/account/tokens/{rows[0].id}/revoke")
    assert _token_on(text(client.post("/account/tokens", data={"name": "now fine"})))


def test_owner_revokes_their_token(app, client, auth, ctx):
    row, token = _new("organization")
    kept_row, kept = _new("organization", "另一个")
    assert _works(app, token)
    auth.login("organization")
    response = client.post(f"/account/tokens/{row.id}/revoke")
    assert response.status_code == 302 and "已撤销" in text(client.get(response.location))
    assert not _works(app, token) and _works(app, kept)
    db.session.expire_all()
    assert row.revoked_reason == "owner" and row.revoked_at is not None
    log = db.session.scalars(select(AuditLog).order_by(AuditLog.seq.desc())).first()
    assert (log.action, log.entity_type, log.entity_id, log.actor_name) == (
        "update", "api_token", row.id, "organization")
    assert log.after["revoked_reason"] == "owner"
    response = client.post(f"/account/tokens/{row.id}/revoke")  # again: nothing to do
    assert "此前已撤销" in text(client.get(response.location))


@pytest.mark.parametrize("role", ["admin", "discipline", "assessment", "reviewer"])
def test_nobody_else_revokes_or_sees_a_users_token(app, client, auth, ctx, role):
    row, token = _new("organization", "组织部专用")
    auth.login(role)
    assert "组织部专用" not in text(client.get("/account/tokens"))
    before = table_counts()
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert table_counts() == before and _works(app, token)


# ------------------------------------------------------------------ expiry and use

@pytest.mark.parametrize("offset,works", [
    (timedelta(seconds=-1), True), (timedelta(0), False), (timedelta(seconds=1), False),
    (timedelta(days=365), False),
])
def test_expired_tokens_get_401_json(app, ctx, monkeypatch, offset, works):
    build_world()
    row, token = _new("organization")
    monkeypatch.setattr(tokens, "utcnow", lambda: row.expires_at + offset)
    assert _works(app, token) == works
    # The token-only write API refuses it the same way.
    response = app.test_client().post("/api/v1/officials", json={},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == (400 if works else 401)


def test_last_use_is_written_at_most_once_a_minute(app, ctx, monkeypatch):
    row, token = _new("organization")
    start = utcnow()
    now = [start]
    monkeypatch.setattr(tokens, "utcnow", lambda: now[0])
    audits = audit_total()

    def used_at():
        db.session.expire_all()
        return db.session.get(ApiToken, row.id).last_used_at

    for step, expected in ((timedelta(0), start), (timedelta(seconds=59), start),
                           (timedelta(seconds=60), start + timedelta(seconds=60)),
                           (timedelta(seconds=61), start + timedelta(seconds=60)),
                           (timedelta(days=2), start + timedelta(days=2))):
        now[0] = start + step
        assert _works(app, token)
        assert used_at() == expected, step
    assert audit_total() == audits  # use is not a change anyone made


# ------------------------------------------------------------------ the admin

def test_admin_lists_and_revokes_anyones_tokens(app, client, auth, ctx):
    org_row, org_token = _new("organization", "组织部对接")
    disc_row, disc_token = _new("discipline", "纪委对接")
    old_row, _old = _new("discipline", "已撤销的旧令牌")
    tokens.revoke(old_row, "owner")
    db.session.commit()
    auth.login("admin")
    page = text(client.get("/admin/tokens"))
    assert "组织部对接" in page and "纪委对接" in page and "已撤销的旧令牌" not in page
    assert "已撤销的旧令牌" in text(client.get("/admin/tokens?all=1"))

    user = _user("organization")
    page = text(client.get(f"/admin/users/{user.id}/edit"))
    assert "组织部对接" in page and "纪委对接" not in page
    response = client.post(f"/admin/users/{user.id}/tokens/{org_row.id}/revoke",
                           data={"back": "tokens"})
    assert response.status_code == 302 and response.location.endswith("/admin/tokens")
    assert not _works(app, org_token) and _works(app, disc_token)
    db.session.expire_all()
    assert org_row.revoked_reason == "admin"
    assert "已撤销用户 organization 的令牌“组织部对接”" in text(client.get("/admin/tokens"))
    assert "组织部对接" not in text(client.get("/admin/tokens"))  # active ones only
    # The token of another user, through this user's page: not found, not revoked.
    assert client.post(f"/admin/users/{user.id}/tokens/{disc_row.id}/revoke").status_code == 404
    assert _works(app, disc_token)


def _change_own_password(app, client, auth, user):
    auth.login(user.username)
    new = "一段足够长的新密码 2024"
    response = client.post("/account/password", data={"current_password": PASSWORD,
                                                      "new_password": new, "confirm": new})
    assert response.status_code == 302


def _admin_resets_password(app, client, auth, user):
    auth.login("admin")
    url = f"/admin/users/{user.id}/edit"
    response = client.post(url, data={**form_version(client, url), "display_name": user.name,
                                      "role": user.role.name, "active": "y",
                                      "reset_password": "y"})
    assert "此密码只显示这一次" in text(response)


def _admin_ends_sessions(app, client, auth, user):
    auth.login("admin")
    response = client.post(f"/admin/users/{user.id}/end-sessions")
    assert response.status_code == 302
    assert "并撤销其 2 个 API 令牌" in text(client.get(response.location))


@pytest.mark.parametrize("action,reason", [(_change_own_password, "password"),
                                           (_admin_resets_password, "password"),
                                           (_admin_ends_sessions, "sessions")])
def test_password_changes_and_ended_sessions_revoke_every_token(app, client, auth, ctx,
                                                                action, reason):
    rows = [_new("organization", n) for n in ("甲", "乙")]
    _other_row, other = _new("discipline")
    assert all(_works(app, t) for _r, t in rows)
    action(app, client, auth, _user("organization"))
    assert not any(_works(app, t) for _r, t in rows)
    assert _works(app, other)  # another user's token is untouched
    db.session.expire_all()
    assert {db.session.get(ApiToken, r.id).revoked_reason for r, _t in rows} == {reason}


# ------------------------------------------------------------------ the command line

def test_cli_create_token_with_name_and_lifetime(app, runner, ctx):
    result = runner.invoke(args=["create-token", "organization", "--name", "夜间同步",
                                 "--expires-days", "7"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.digest(token)))
    assert row.name == "夜间同步" and row.expires_at - row.created_at == timedelta(days=7)
    assert _works(app, token)
    result = runner.invoke(args=["create-token", "organization"])
    row = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert result.exit_code == 0 and row.name == "命令行创建"
    assert row.expires_at - row.created_at == timedelta(days=90)


@pytest.mark.parametrize("args,message", [
    (["--expires-days", "0"], "0"), (["--expires-days", "91"], "有效期应为 1 到 90 天。"),
    (["--expires-days", "x"], "x"), (["--name", ""], "请填写令牌名称"),
    (["--name", "名" * 65], "不能超过 64 个字"),
])
def test_cli_create_token_refuses_clearly(runner, ctx, args, message):
    before = table_counts()
    result = runner.invoke(args=["create-token", "organization", *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "kh_" not in result.output and table_counts() == before


def test_cli_revokes_one_or_all(app, runner, ctx):
    (one, t1), (two, t2), (three, t3) = (_new("organization", n) for n in ("一", "二", "三"))
    _other_row, other = _new("discipline")

    result = runner.invoke(args=["revoke-token", "organization"])  # no choice: a list
    assert result.exit_code != 0 and "请指定令牌编号或 --all" in result.output
    assert all(f"{r.id}\t{r.name}" in result.output for r in (one, two, three))
    assert result.output.count("有效") == 3

    result = runner.invoke(args=["revoke-token", "organization", str(one.id)])
    assert result.exit_code == 0 and f"令牌 {one.id}（一）" in result.output
    assert not _works(app, t1) and _works(app, t2)
    result = runner.invoke(args=["revoke-token", "organization", str(one.id)])
    assert result.exit_code == 0 and "此前已撤销" in result.output

    result = runner.invoke(args=["revoke-token", "organization", "--all"])
    assert result.exit_code == 0 and "2 个令牌" in result.output
    assert not _works(app, t2) and not _works(app, t3) and _works(app, other)
    log = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "api_token",
                                                    AuditLog.action == "update")).all()
    assert {e.actor_name for e in log} == {"cli:revoke-token"} and len(log) == 3


@pytest.mark.parametrize("args,message", [
    (["ghost", "--all"], "用户 ghost 不存在。"),
    (["organization", "{other}"], "没有编号为"),
    (["organization", "999999"], "没有编号为"),
    (["organization", "{own}", "--all"], "只指定令牌编号或 --all 之一"),
    (["organization", "0"], "0"),
])
def test_cli_revoke_token_refuses_clearly(app, runner, ctx, args, message):
    own, own_token = _new("organization")
    other, other_token = _new("discipline")
    ids = {"own": own.id, "other": other.id}
    result = runner.invoke(args=["revoke-token", *(a.format(**ids) for a in args)])
    assert result.exit_code != 0 and message in result.output, result.output
    assert _works(app, own_token) and _works(app, other_token)


def test_openapi_document_describes_expiry_and_revocation(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    description = doc["info"]["description"]
    assert "有效期" in description and "撤销" in description
    assert "已过期" in doc["paths"]["/officials"]["get"]["responses"]["401"]["description"]
