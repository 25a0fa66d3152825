"""Reviewers (干部工作领导小组成员): only the discussions they are assigned to, read only,
with the dossier downloadable; a reviewer assigned to nothing sees nothing."""
from __future__ import annotations

import pytest

from tests.browser.conftest import SPARE_REVIEWER
from tests.browser.pages import check_pdf, expect_403, logout, no_edit_actions

pytestmark = pytest.mark.browser


def test_reviewer_reads_only_assigned_discussion(live_server, page, login, shot, page_guard):
    d = live_server.facts["discussion"]
    item = live_server.facts["item_with_dossier"]
    login("demo-reviewer")
    assigned = page.locator("#assigned")
    links = assigned.get_by_role("link").all_inner_texts()
    assert len(links) == 1 and d["title"] in links[0], links
    no_edit_actions(page)
    shot("home")

    page.locator("nav.mainnav").get_by_role("link", name="干部讨论").click()
    page.wait_for_url("**/discussions/")
    assert "以下是分配给您审阅的会议。查阅和下载均登记在案。" in page.locator("main").inner_text()
    rows = page.locator("main table.grid tbody tr")
    assert rows.count() == 1 and d["title"] in rows.inner_text()
    no_edit_actions(page)
    shot("discussions")

    rows.get_by_role("link", name=d["title"]).click()
    page.wait_for_url(f"**/discussions/{d['id']}")
    assert page.locator("#attach").count() == 0 and page.locator("#reviewers").count() == 0
    no_edit_actions(page, allowed=("生成汇编 PDF",))  # the reviewer's own bundle only
    shot("discussion")

    page.locator("#agenda").get_by_role("link", name=item["name"], exact=True).click()
    page.wait_for_url(f"**/discussions/{d['id']}/items/{item['id']}")
    no_edit_actions(page)
    shot("item")
    with page.expect_download() as info:
        page.locator("#dossiers").get_by_role("link", name="下载 PDF").first.click()
    check_pdf(info.value)

    for url in (f"/discussions/{d['id']}/edit", f"/discussions/{d['id']}/items/new",
                f"/discussions/{d['id']}/items/{item['id']}/edit",
                f"/discussions/{d['id']}/register", f"/discussions/{d['id']}/hold"):
        expect_403(page, page_guard, url)
    shot("forbidden-edit")


def test_unassigned_reviewer_sees_nothing(live_server, page, login, shot, page_guard):
    d = live_server.facts["discussion"]
    item = live_server.facts["item_with_dossier"]
    user, password = SPARE_REVIEWER
    login(user, password)
    assert "目前没有分配给您审阅的会议。" in page.locator("#assigned").inner_text()
    assert "您的账户只能查阅分配给您的干部讨论材料。" in page.locator("main").inner_text()
    shot("home")
    page.goto("/discussions/")
    assert page.locator("main table").count() == 0
    assert "目前没有分配给您审阅的会议。" in page.locator("main").inner_text()
    shot("discussions")
    for url in (f"/discussions/{d['id']}", f"/discussions/{d['id']}/items/{item['id']}",
                f"/discussions/{d['id']}/items/{item['id']}/dossiers/1.pdf"):
        expect_403(page, page_guard, url)
    shot("forbidden")
    logout(page)
