"""Per role: log in through the form, check the navigation, what the role's pages show
and hide, and that direct URLs to forbidden pages answer with the Chinese 403 page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ROLE_USERS
from tests.browser.pages import expect_403, logout, main_actions, nav_labels, no_edit_actions

pytestmark = pytest.mark.browser

NAV = {  # the main navigation, in order, exactly
    "organization": ["首页", "干部", "单位", "党风廉政意见", "目标考核", "干部讨论", "队伍分析"],
    "assessment": ["首页", "单位", "目标考核"],
    "discipline": ["首页", "干部", "单位", "党风廉政意见"],
    "reviewer": ["首页", "干部讨论"],
    "admin": ["首页", "单位", "用户管理", "规则参数", "节假日"],
}
ROLE_LABEL = {"organization": "组织部干部科", "assessment": "考核办", "discipline": "纪委监委",
              "reviewer": "干部工作领导小组成员", "admin": "系统管理员"}


def forbidden_urls(role: str, facts: dict) -> list[str]:
    o, f, d = facts["official"]["id"], facts["finding"], facts["discussion"]["id"]
    finding = f"/officials/{f['official_id']}/discipline/findings/{f['id']}"
    return {
        "organization": ["/admin/users", f"/officials/{f['official_id']}/discipline/findings/new",
                         "/unit-assessment/schemes/new"],
        "assessment": ["/officials/", finding, "/integrity-opinions/", "/discussions/"],
        "discipline": ["/discussions/", f"/officials/{o}/reviews/new", f"/officials/{o}/dossiers",
                       "/unit-assessment/"],
        "reviewer": [f"/officials/{o}", finding, "/units/", "/discussions/new"],
        "admin": [f"/officials/{o}", finding, "/integrity-opinions/", f"/discussions/{d}"],
    }[role]


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_role_navigation_and_forbidden_pages(role, live_server, page, login, shot, page_guard):
    user = ROLE_USERS[role]
    login(user)
    assert page.locator(".who").inner_text().startswith(f"演示·")
    assert f"（{ROLE_LABEL[role]}）" in page.locator(".who").inner_text()
    assert page.locator("main h1").inner_text().startswith("您好，")
    assert nav_labels(page) == NAV[role]
    shot("home")
    for n, url in enumerate(forbidden_urls(role, live_server.facts)):
        expect_403(page, page_guard, url)
        if n == 0:
            shot("forbidden")
    if role == "organization":  # logging out through the header form ends the session
        page.goto("/home")
        logout(page)
        page.goto("/home")
        assert "/login" in page.url


def test_organization_sees_edit_actions_and_full_id(live_server, page, login, shot):
    o = live_server.facts["official"]
    login("demo-org")
    assert "新增干部" in main_actions(page)
    page.goto(f"/officials/{o['id']}")
    actions = main_actions(page)
    for label in ("生成考评材料", "修改基本信息", "录入考核结果", "录入研判记录", "录入组织掌握情况",
                  "新增任职", "征求党风廉政意见"):
        assert label in actions, label
    assert "录入纪委了解的情况" not in actions
    assert page.locator("dt:text-is('身份证号') + dd").inner_text() == o["id_number"]
    shot("profile")


def test_discipline_details_only_for_discipline(live_server, browser, page, login, shot):
    """The discipline commission sees a finding's details; organization staff only the summary."""
    f = live_server.facts["finding"]
    url = f"/officials/{f['official_id']}/discipline/findings/{f['id']}"
    login("demo-discipline")
    page.goto(url)
    body = page.locator("main").inner_text()
    assert f["summary"] in body and f["details"] in body
    assert page.get_by_role("heading", name="详细情况").is_visible()
    assert "修改" in main_actions(page)
    shot("discipline-finding")
    # The profile of that official: no record editing, no dossier, ID number masked.
    page.goto(f"/officials/{f['official_id']}")
    actions = main_actions(page)
    assert "录入纪委了解的情况" in actions
    for label in ("生成考评材料", "修改基本信息", "录入考核结果", "录入研判记录", "新增任职"):
        assert label not in actions, label
    shown_id = page.locator("dt:text-is('身份证号') + dd").inner_text()
    assert "*" in shown_id and len(shown_id) == 18
    shot("discipline-profile")

    logout(page)
    login("demo-org")
    page.goto(url)
    body = page.locator("main").inner_text()
    assert f["summary"] in body
    assert f["details"] not in body and "详细情况" not in body
    no_edit_actions(page)
    shot("organization-finding")
    page.goto(f"/officials/{f['official_id']}/discipline/")
    assert f["details"] not in page.content()
    assert "录入纪委了解的情况" not in main_actions(page)
    shot("organization-discipline-index")


def test_assessment_office_pages(live_server, page, login, shot):
    login("demo-assess")
    tiles = page.locator(".tiles").inner_text()
    assert "单位" in tiles and "干部档案" not in tiles
    page.get_by_role("link", name="目标考核").click()
    page.wait_for_url("**/unit-assessment/")
    assert page.locator("main h1").count() >= 1
    assert "纪委" not in page.locator("main").inner_text()
    shot("unit-assessment")


def test_admin_manages_users_without_record_content(live_server, page, login, shot):
    login("demo-admin")
    page.get_by_role("link", name="用户管理").click()
    page.wait_for_url("**/admin/users")
    table = page.locator("main").inner_text()
    for user in ROLE_USERS.values():
        assert user in table
    shot("users")
    page.get_by_role("link", name="规则参数").click()
    page.wait_for_url("**/admin/settings")
    shot("settings")
    assert live_server.facts["official"]["name"] not in page.content()
