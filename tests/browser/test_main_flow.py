"""The main flow as organization staff, in a real browser:
officials list → search → profile → add a review record (研判) → 「生成考评材料」 and
download the PDF → new personnel discussion → agenda item with a frozen dossier."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from kaohe.core import clock
from tests.browser.pages import check_pdf

pytestmark = pytest.mark.browser


def test_official_record_dossier_discussion(live_server, page, login, shot):
    o = live_server.facts["official"]
    today = clock.today()
    login("demo-org")
    shot("home")

    # Officials list → search by name → profile.
    page.locator("nav.mainnav").get_by_role("link", name="干部", exact=True).click()
    page.wait_for_url("**/officials/")
    assert page.get_by_role("heading", name="干部查询").is_visible()
    shot("officials")
    page.get_by_label("姓名").fill(o["name"])
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"/officials/\?.*q="))
    assert page.locator("main p.muted").first.inner_text().startswith("共 1 人")
    shot("search")
    page.locator("table.grid").get_by_role("link", name=o["name"], exact=True).click()
    page.wait_for_url(f"**/officials/{o['id']}")
    assert page.locator("main h1").inner_text().startswith(o["name"])
    shot("profile")

    # A review record (研判) through its form, then seen on the profile.
    summary = f"浏览器测试：{today.isoformat()} 专题研判，综合表现较好，建议进一步使用。"
    page.get_by_role("link", name="录入研判记录").click()
    page.wait_for_url(f"**/officials/{o['id']}/reviews/new")
    page.get_by_label("研判日期").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_label("研判类型").select_option(label="专题研判")
    page.get_by_label("研判人").fill("干部一科 浏览器测试")
    page.get_by_label("研判结论").select_option(label="较好")
    page.get_by_label("主要优点").fill("政治站位高，担当作为，善于抓落实。")
    page.get_by_label("综合意见").fill(summary)
    shot("review-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/officials/{o['id']}(#.*)?$"))
    assert "研判记录已保存。" in page.locator(".flash-success").inner_text()
    record = page.locator("article.record", has_text=summary)
    assert record.count() == 1
    assert "研判人：干部一科 浏览器测试" in record.inner_text()
    assert "专题研判" in record.inner_text() and "较好" in record.inner_text()
    shot("profile-with-review")

    # 「生成考评材料」 (as of the proposed date: the server's today) → the list → the PDF.
    as_of = page.get_by_label("材料截止日期").input_value()
    assert dt.date.fromisoformat(as_of) - today in (dt.timedelta(0), dt.timedelta(days=1))
    page.get_by_role("button", name="生成考评材料").click()
    page.wait_for_url(re.compile(rf"/officials/{o['id']}/dossiers#d\d+$"))
    row = page.locator("table.grid tbody tr").first
    number = row.locator("td.mono").first.inner_text()
    assert number
    assert row.locator("td").nth(1).inner_text() == as_of
    assert f"考评材料已生成，材料编号 {number}。" in page.locator(".flash-success").inner_text()
    shot("dossiers")
    with page.expect_download() as info:
        row.get_by_role("link", name="下载 PDF").click()
    check_pdf(info.value)

    # A new personnel discussion with the official on its agenda and a frozen dossier.
    page.locator("nav.mainnav").get_by_role("link", name="干部讨论").click()
    page.wait_for_url("**/discussions/")
    shot("discussions")
    page.get_by_role("link", name="新建会议").click()
    title = "浏览器测试·书记专题会（干部任免）"
    page.get_by_label("会议类型").select_option(label="书记专题会")
    page.get_by_label("会议日期").fill((today + dt.timedelta(days=7)).isoformat())
    page.get_by_label("会议名称").fill(title)
    page.get_by_label("应到会成员").fill("张建国\n李卫东\n王晓红\n赵志刚\n陈丽华")
    shot("discussion-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/discussions/\d+$"))
    discussion_url = page.url
    assert "会议已创建，请添加议题。" in page.locator(".flash-success").inner_text()
    assert page.locator("main h1").inner_text().startswith(title)
    assert "议程中还没有议题。" in page.locator("#agenda").inner_text()

    page.get_by_role("link", name="添加议题").click()
    page.get_by_label("干部").fill(str(o["id"]))
    page.get_by_label("任免事项").select_option(label="进一步使用")
    page.get_by_label("拟任职务").fill("市直部门副职")
    page.get_by_label("任免理由").fill("工作实绩突出，经民主推荐和组织考察，拟进一步使用。")
    shot("item-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/discussions/\d+(#item\d+)?$"))
    assert f"已将{o['name']}列入议程。" in page.locator(".flash-success").inner_text()
    item_row = page.locator("#agenda tbody tr", has_text=o["name"])
    assert item_row.locator(".missing").inner_text() == "未附"
    shot("agenda-item")

    item_row.get_by_role("button", name="附材料").click()
    page.wait_for_url(re.compile(r"/discussions/\d+/items/\d+$"))
    flash = page.locator(".flash-success").inner_text()
    assert f"已附{o['name']}的考评材料第 1 版" in flash
    frozen = re.search(r"（(.+?)）", flash).group(1)
    assert frozen != number  # frozen as of the meeting date: a new dossier
    shot("item-with-dossier")

    page.goto(discussion_url)
    item_row = page.locator("#agenda tbody tr", has_text=o["name"])
    assert item_row.get_by_role("link", name=frozen).is_visible()
    assert "第 1 版" in item_row.inner_text()
    assert item_row.get_by_role("button", name="附材料").count() == 0
    shot("agenda-with-dossier")
    with page.expect_download() as info:
        item_row.get_by_role("link", name=frozen).click()
    check_pdf(info.value)
