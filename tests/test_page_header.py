"""The page header kept per user and to-do count (kaohe.main.header, issue 17): what it
shows follows the user, the role, the name and the count, and its logout form carries the
viewer's own CSRF token."""
from __future__ import annotations

import re

import pytest

from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.todos import registry
from tests.helpers import text

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')
NAV = re.compile(r'<nav class="mainnav">(.*?)</nav>', re.S)
WHO = re.compile(r'<div class="who">\s*<span>([^<]*)</span>')


def _links(page: str) -> list[str]:
    return re.findall(r">([^<>]+)</a>", NAV.search(page).group(1))


@pytest.mark.parametrize("role, shown, hidden", [
    ("admin", ["用户管理", "规则参数", "节假日", "单位"], ["干部讨论", "党风廉政意见"]),
    ("reviewer", ["干部讨论"], ["用户管理", "规则参数", "单位"]),
    ("discipline", ["党风廉政意见"], ["用户管理", "目标考核"]),
])
def test_each_role_sees_its_own_links_page_after_page(client, auth, role, shown, hidden):
    auth.as_role(role)
    for _ in range(2):  # the second page is served from the kept header
        links = _links(text(client.get("/home")))
        assert set(shown) <= set(links) and not set(hidden) & set(links)


def test_two_users_of_one_role_each_see_their_own_name(app, auth):
    auth_services.create_user("organization2", "organization", "test-password-123",
                              display_name="第二组织员")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    assert first.post("/login", data={"username": "organization",
                                      "password": "test-password-123"}).status_code == 302
    assert second.post("/login", data={"username": "organization2",
                                       "password": "test-password-123"}).status_code == 302
    assert WHO.search(text(first.get("/home"))).group(1) == "organization测试（组织部干部科）"
    assert WHO.search(text(second.get("/home"))).group(1) == "第二组织员（组织部干部科）"


def test_a_new_name_and_a_new_count_show_at_once(client, auth, monkeypatch):
    auth.as_role("organization")
    monkeypatch.setattr(registry, "nav_count", lambda user: 3)
    page = text(client.get("/home"))
    assert 'aria-label="3 项待办">3</span>' in page
    monkeypatch.setattr(registry, "nav_count", lambda user: 0)
    page = text(client.get("/home"))
    assert "项待办" not in NAV.search(page).group(1)
    user = db.session.query(User).filter_by(username="organization").one()
    user.display_name = "改名后的组织员"
    db.session.commit()
    assert WHO.search(text(client.get("/home"))).group(1) == "改名后的组织员（组织部干部科）"


def test_the_logout_form_carries_the_viewers_own_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    clients = [app.test_client(), app.test_client()]
    tokens = []
    for client in clients:
        login_token = TOKEN.search(text(client.get("/login"))).group(1)
        assert client.post("/login", data={"username": "organization", "csrf_token": login_token,
                                           "password": "test-password-123"}).status_code == 302
        page = text(client.get("/home"))
        assert "kaohe-header-csrf" not in page
        tokens.append(TOKEN.search(page).group(1))
    assert tokens[0] != tokens[1]
    assert clients[0].post("/logout", data={"csrf_token": tokens[1]}).status_code == 400
    response = clients[0].post("/logout", data={"csrf_token": tokens[0]})
    assert response.status_code == 302
    assert clients[0].get("/home").status_code == 302  # signed out
