"""Two staff edit the same official at once, in two real browser sessions: the later
save is refused with the other's newer value shown, and only a conscious re-submit wins."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_stale_edit_shows_the_newer_value(live_server, browser, context, page, login, shot):
    official_id, = live_server.query(
        "SELECT id FROM official WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 1")[0]
    edit = f"/officials/{official_id}/edit"

    login("demo-org")
    page.goto(edit)
    mine = page.get_by_label("现任职务")

    # A colleague opens the same form in another session and saves first.
    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        theirs = other.new_page()
        theirs.goto("/login")
        theirs.get_by_label("用户名").fill("demo-org")
        theirs.get_by_label("密码").fill(live_server.passwords["demo-org"])
        theirs.get_by_role("button", name="登录").click()
        theirs.wait_for_url("**/home")
        theirs.goto(edit)
        theirs.get_by_label("现任职务").fill("同事保存的职务")
        theirs.get_by_role("button", name="保存").click()
        theirs.wait_for_url(f"**/officials/{official_id}")
    finally:
        other.close()

    mine.fill("我填写的职务")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    alert = page.locator(".flash-error").inner_text()
    assert "该记录已被他人修改" in alert and "未保存您的修改" in alert
    table = page.locator("table.conflict")
    assert table.get_by_role("row", name="现任职务 同事保存的职务").count() == 1
    field = page.locator(".field", has=page.get_by_label("现任职务"))
    assert "当前保存的值：同事保存的职务" in field.inner_text()
    assert mine.input_value() == "我填写的职务"  # what the user typed is kept
    shot("conflict", page)
    (stored,), = live_server.query("SELECT current_post FROM official WHERE id = ?", official_id)
    assert stored == "同事保存的职务"

    # Having seen the newer value, the user saves again on purpose.
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/officials/{official_id}")
    assert "干部信息已保存。" in page.locator(".flash-success").inner_text()
    (stored,), = live_server.query("SELECT current_post FROM official WHERE id = ?", official_id)
    assert stored == "我填写的职务"
