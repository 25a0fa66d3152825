"""Rows of the access matrix for recusal links and API tokens (issue 16.1-2):
the admin's link and token routes, and every user's own token page
(tests/test_access_matrix.py imports these)."""
from __future__ import annotations

ADMIN = frozenset({"admin"})
REDIRECT = "redirect"  # as ua_access.REDIRECT: a 302 back to the page
NOT_FOUND = 404
TOKEN_NAME = "矩阵令牌"
OWN_TOKEN_NAME = "管理员自己的令牌"
ENDPOINTS = frozenset({"admin.link_official", "admin.add_relative", "admin.tokens",
                       "account.index", "account.create"})


def expected(only, staff: frozenset) -> dict:
    return {
        ("admin.link_official", "POST"): only(ADMIN),
        ("admin.unlink_official", "POST"): only(ADMIN, REDIRECT),  # not linked: refused
        ("admin.add_relative", "POST"): only(ADMIN),
        ("admin.remove_relative", "POST"): only(ADMIN, REDIRECT),
        ("admin.revoke_token", "POST"): only(ADMIN, REDIRECT),
        ("admin.tokens", "GET"): only(ADMIN),
        ("account.index", "GET"): only(staff),
        ("account.create", "POST"): only(staff),
        # The token in the URL is the admin's own: anyone else's request finds nothing.
        ("account.revoke", "POST"): {**only(staff, NOT_FOUND), "admin": REDIRECT},
    }


BLANKED = {"admin.link_official": "own-official_id",
           "admin.add_relative": "relative-official_id", "account.create": "name"}


def url_values(world) -> dict:
    """The world's user (the reviewer) with the world's official declared as a relative
    and a token; a token of the admin (made once per world, committed)."""
    from sqlalchemy import select

    from kaohe.auth import links, tokens
    from kaohe.auth.models import User
    from kaohe.extensions import db

    if not hasattr(world, "relative"):
        world.relative = links.add_relative(world.user, world.official.id, "配偶")
        world.token, _ = tokens.create(world.user, TOKEN_NAME)
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        world.admin_token, _ = tokens.create(admin, OWN_TOKEN_NAME)
        db.session.commit()
    return {"relative_id": world.relative.id, "token_id": world.token.id}


def account_url_values(world) -> dict:
    url_values(world)
    return {"token_id": world.admin_token.id}


def writes(endpoint: str, expected) -> bool:
    """Permitted actions that write (and so add to the audit log)."""
    return expected == REDIRECT and endpoint in (
        "admin.remove_relative", "admin.revoke_token", "account.revoke")


def adjust(counts: dict, endpoint: str, expected) -> dict:
    counts = dict(counts)
    if expected == REDIRECT and endpoint == "admin.remove_relative":
        counts["user_relative"] -= 1
    return counts


def check_allowed(endpoint, method, role, response, page, world, field_errors) -> None:
    if endpoint == "admin.link_official":
        assert "修改用户：reviewer" in page
        assert field_errors(page, "own-official_id") == ["请填写干部编号（可先按姓名或身份证号查找）。"]
    elif endpoint == "admin.add_relative":
        assert "修改用户：reviewer" in page and "王建国" in page  # the declared relative
        assert field_errors(page, "relative-official_id") == [
            "请填写干部编号（可先按姓名或身份证号查找）。"]
    elif endpoint == "admin.tokens":
        assert TOKEN_NAME in page and OWN_TOKEN_NAME in page and ">reviewer</a>" in page
    elif endpoint == "account.index":
        assert 'id="name"' in page and "此令牌只显示这一次" not in page
        # Each user sees their own tokens only (the world's user is the reviewer).
        assert (OWN_TOKEN_NAME in page) == (role == "admin")
        assert (TOKEN_NAME in page) == (role == "reviewer")
    elif endpoint == "account.create":
        assert field_errors(page, "name") == ["请填写令牌名称（用途），例如“人事系统对接”。"]
    else:  # pragma: no cover
        raise AssertionError(f"no content check for {endpoint}")
