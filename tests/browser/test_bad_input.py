"""Bad input through the browser: the Chinese message appears next to the field, the
typed values stay in the form, and nothing is saved."""
from __future__ import annotations

import pytest

from kaohe.officials.idcard import check_digit

pytestmark = pytest.mark.browser


def field_error(page, input_id: str):
    """The ``.field`` wrapper of an input: marked as erroneous, with its message."""
    wrapper = page.locator(f".field:has(#{input_id})")
    assert "has-error" in wrapper.get_attribute("class")
    assert page.locator(f"#{input_id}").get_attribute("aria-invalid") == "true"
    return wrapper.locator(".error").inner_text()


def test_new_official_with_bad_id_number(live_server, page, login, shot):
    name = "浏览器测试·错号"
    first17 = "11010519800506001"
    wrong = next(c for c in "0123456789X" if c != check_digit(first17))
    login("demo-org")
    page.goto("/officials/new")
    page.get_by_label("姓名").fill(name)
    page.get_by_label("出生年月").fill("1980-05-06")
    page.get_by_label("性别").select_option(label="男")  # nothing is preselected
    page.get_by_label("身份证号").fill(first17 + wrong)
    shot("form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.url.endswith("/officials/new")
    assert field_error(page, "id_number") == "身份证号校验位不正确，请核对。"
    assert page.locator(".flash-error").inner_text() == \
        "保存失败：请按红色提示修改后重新提交，未保存任何内容。"
    assert page.get_by_label("姓名").input_value() == name  # what was typed is kept
    shot("errors")

    page.goto(f"/officials/?q={name}")
    assert "没有符合条件的干部。" in page.locator("main").inner_text()
    shot("not-saved")
    assert live_server.query("SELECT count(*) FROM official WHERE name = ?", name) == [(0,)]


def test_review_with_malformed_date(live_server, page, login, shot):
    o = live_server.facts["official"]
    summary = "浏览器测试：日期有误的研判，不应保存。"
    login("demo-org")
    page.goto(f"/officials/{o['id']}/reviews/new")
    date = page.get_by_label("研判日期")
    # Chromium's date picker cannot produce a malformed value; a hand-typed one can
    # still arrive (older browsers, scripts), so type it into a plain text box.
    date.evaluate("el => { el.type = 'text'; }")
    date.fill("2024-02-30")
    page.get_by_label("研判人").fill("浏览器测试")
    page.get_by_label("研判结论").select_option(label="较好")  # nothing is preselected
    page.get_by_label("综合意见").fill(summary)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/officials/{o['id']}/reviews/new")
    assert field_error(page, "date") == "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"
    assert "未保存任何内容" in page.locator(".flash-error").inner_text()
    assert page.get_by_label("综合意见").input_value() == summary
    shot("errors")

    page.goto(f"/officials/{o['id']}")
    assert summary not in page.locator("main").inner_text()
    assert live_server.query("SELECT count(*) FROM review WHERE summary = ?", summary) == [(0,)]


def test_wrong_password(live_server, page, shot):
    page.goto("/login")
    page.get_by_label("用户名").fill("browser-nobody")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.url.endswith("/login")
    assert page.locator(".flash-error").inner_text() == "用户名或密码错误，或账户已停用。"
    assert page.locator("nav.mainnav").count() == 0
    shot("login-error")
