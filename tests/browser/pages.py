"""Small page helpers shared by the browser tests."""
from __future__ import annotations

import io

from pypdf import PdfReader

EDIT_WORDS = ("新增", "修改", "录入", "删除", "添加", "移出", "附材料", "生成", "新建", "分配", "取消")


def expect_403(page, page_guard, url: str) -> None:
    """A direct URL to a forbidden page answers with the Chinese 403 page."""
    page_guard.allow_status(403)
    response = page.goto(url)
    assert response.status == 403, f"{url}: {response.status}"
    assert page.locator(".error-page .code").inner_text() == "403"
    assert page.locator(".error-page h1").inner_text() == "您无权访问此页面"
    assert "如确需访问，请联系系统管理员核实您的角色权限。" in page.locator(".error-page").inner_text()
    assert page.title().startswith("您无权访问此页面")


def main_actions(page) -> list[str]:
    """Texts of the links and buttons in the page body (not the header's 修改密码/退出)."""
    return [t.strip() for t in page.locator("main a, main button").all_inner_texts()]


def no_edit_actions(page, allowed: tuple[str, ...] = ()) -> None:
    """No action that changes records, but the ``allowed`` ones (button texts), whose forms
    are the only posting forms of the page."""
    offending = [t for t in main_actions(page)
                 if any(w in t for w in EDIT_WORDS) and t not in allowed]
    assert not offending, f"edit actions shown on {page.url}: {offending}"
    posting = page.locator("main form[method=post]")
    own = sum(1 for i in range(posting.count())
              if posting.nth(i).locator("button").inner_text().strip() in allowed)
    assert posting.count() == own, f"a form to post on {page.url}"


def nav_labels(page) -> list[str]:
    """The main navigation's link texts, without the to-do count badge."""
    return page.locator("nav.mainnav a").evaluate_all(
        "links => links.map(a => a.firstChild.textContent.trim())")


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login**")


def check_pdf(download) -> bytes:
    """The download is a real PDF (header, size, pages); returns its bytes."""
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    with open(download.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF-"), data[:16]
    assert len(data) > 5_000, len(data)
    assert b"%%EOF" in data[-1024:]
    assert len(PdfReader(io.BytesIO(data)).pages) >= 1
    return data
