"""Two daily workflows walked through the pages only, counting the user's actions:

* a 常委会 with three officials: meeting from the saved member list, three agenda items,
  one letter for all integrity opinions, the four musts and 动议谈话/考察 of each item,
  the discipline user's answers from the queue, all dossiers attached in one job;
* one round of indicator data: a block pasted into the grid and saved once.

Every ``click``/``check``/``select_option`` of a locator is a click, every
``fill``/``type``/``press_sequentially`` a typed field (counted by wrapping Playwright's
Locator); a paste (Ctrl+V) is one typed field; opening the site by URL is one click.
The counts go to ``tests/artifacts/clicks.json`` and must stay within ``BOUNDS``."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from kaohe.core import clock
from tests.browser.conftest import ARTIFACTS
from tests.browser.pages import logout

pytestmark = pytest.mark.browser

CLICKS_FILE = ARTIFACTS.parent / "clicks.json"
ACTIONS = {"click": "clicks", "check": "clicks", "select_option": "clicks",
           "fill": "typed", "type": "typed", "press_sequentially": "typed"}
# Measured + a little: a change that adds steps fails here.
BOUNDS = {"committee_three_officials": (88, 42), "indicator_round": (12, 4)}
CHECKS = ("file_audit", "personal_report", "petition")  # 凡提四必 the department records
OUTCOME = "1. 未收到问题线索"


class Tally:
    """Clicks and typed fields of one workflow, per phase."""

    def __init__(self):
        self.phases: dict[str, dict[str, int]] = {}
        self.phase = "start"

    def add(self, kind: str) -> None:
        self.phases.setdefault(self.phase, {"clicks": 0, "typed": 0})[kind] += 1

    def total(self, kind: str) -> int:
        return sum(p[kind] for p in self.phases.values())

    def check(self, workflow: str) -> None:
        """Print the counts, merge them into ``CLICKS_FILE`` and hold them to ``BOUNDS``."""
        counts = {"clicks": self.total("clicks"), "typed": self.total("typed"),
                  "phases": self.phases}
        print(f"\n{workflow}: {json.dumps(counts, ensure_ascii=False)}")
        saved = json.loads(CLICKS_FILE.read_text()) if CLICKS_FILE.exists() else {}
        CLICKS_FILE.parent.mkdir(parents=True, exist_ok=True)
        CLICKS_FILE.write_text(json.dumps({**saved, workflow: counts}, ensure_ascii=False,
                                          indent=2) + "\n")
        clicks, typed = BOUNDS[workflow]
        assert counts["clicks"] <= clicks and counts["typed"] <= typed, counts


@pytest.fixture
def tally(monkeypatch):
    """Counts every user action of a Locator (also those of the ``login`` fixture)."""
    from playwright.sync_api import Locator  # here: without playwright conftest decides

    counter = Tally()
    for name, kind in ACTIONS.items():
        def counted(self, *args, _original=getattr(Locator, name), _kind=kind, **kwargs):
            counter.add(_kind)
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(Locator, name, counted)
    return counter


def sign_in(login, tally, user: str, first: bool = False) -> None:
    """The login form (2 typed, 1 click); the first one also opens the site (1 click).
    After 退出 the browser is already on the login page: the fixture's goto is free."""
    tally.phase = "sign-in"
    if first:
        tally.add("clicks")
    login(user)


def nav(page, label: str) -> None:
    page.locator("nav.mainnav").get_by_role("link", name=label, exact=True).click()


def fill_form(page, fields: dict, button: str = "保存") -> None:
    """Fill the labelled fields (a tuple value: the option to select) and submit."""
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if isinstance(value, tuple):
            field.select_option(label=value[0])
        else:
            field.fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def three_officials(live_server) -> list[str]:
    """Names of three officials a committee could discuss: unique names, in post, never
    discussed or asked about, no findings or low grades, not another test's official."""
    unused = "".join(f" AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.official_id = o.id)"
                     for table in ("discipline_finding", "integrity_opinion", "agenda_item",
                                   "user_relative"))
    rows = live_server.query(
        "SELECT o.name FROM official o WHERE o.deleted_at IS NULL AND o.id <> ? "
        "AND (SELECT count(*) FROM official x WHERE x.name = o.name) = 1 "
        "AND EXISTS (SELECT 1 FROM post p WHERE p.official_id = o.id AND p.end_date IS NULL "
        "AND p.deleted_at IS NULL) AND NOT EXISTS (SELECT 1 FROM assessment_result r WHERE "
        f"r.official_id = o.id AND r.grade IN ('basically_competent', 'incompetent')){unused} "
        "ORDER BY o.id LIMIT 3", live_server.facts["official"]["id"])
    assert len(rows) == 3, rows
    return [r[0] for r in rows]


def ready_item(page, name: str, today: str) -> None:
    """From the agenda: the item's three checks, its 动议谈话 and 考察, back to the agenda."""
    page.locator("#agenda").get_by_role("link", name=name, exact=True).click()
    for kind in CHECKS:
        page.locator(f"#check-{kind}").get_by_role("link", name="录入").click()
        # 核查人 and 核查日期 come filled: the signed-in user, today.
        fill_form(page, {"核查结果": ("未发现问题",)}, "保存核查结果")
    page.locator("#move-talk").get_by_role("link", name="添加").click()
    assert page.get_by_label("谈话类别", exact=True).input_value() == "motion"  # the only kind
    fill_form(page, {"谈话日期": today, "谈话人": "市委组织部部长 王建",
                     "谈话要点": f"{name}同志表示服从组织安排。"})
    page.locator("#move-assess").get_by_role("link", name="添加").click()
    fill_form(page, {"考察（考核）类别": ("考察",), "考察（考核）日期": today,
                     "考察组（考核人）": "市委组织部考察组", "结论": "德才兼备，符合任职条件"})
    missing = page.locator(".notready li").all_inner_texts()  # only what comes later
    assert [m.split("（")[0] for m in missing] == ["纪检监察机关意见未完成", "未附三年考评材料"], missing
    page.locator("p.crumbs a").nth(1).click()  # the meeting


def test_committee_with_three_officials(live_server, page, login, shot, tally):
    names = three_officials(live_server)
    today = clock.today()
    title = "市委常委会第150次会议（干部任免）"
    sign_in(login, tally, "demo-org", first=True)

    tally.phase = "meeting"
    nav(page, "干部讨论")
    page.get_by_role("link", name="新建会议").click()
    members = page.get_by_label("套用成员名单").locator("option", has_text="常委会组成人员")
    page.get_by_label("套用成员名单").select_option(label=members.inner_text())
    fill_form(page, {"会议类型": ("常委会",), "会议日期": (today + dt.timedelta(days=7)).isoformat(),
                     "会议名称": title})
    page.wait_for_url(re.compile(r"/discussions/\d+$"))
    discussion_id = int(page.url.rsplit("/", 1)[1])
    listed = live_server.query("SELECT e.name FROM member_list_entry e JOIN member_list m "
                               "ON m.id = e.list_id WHERE m.name = '常委会组成人员'")
    assert f"应到会成员 {len(listed)} 人" in page.locator("#members").inner_text()
    shot("meeting")

    tally.phase = "agenda"
    for n, name in enumerate(names, 1):
        page.get_by_role("link", name="添加议题").click()
        fill_form(page, {"干部": name, "任免事项": ("进一步使用",), "拟任职务": f"市直部门正职（第{n}名）",
                         "任免理由": f"{name}同志工作实绩突出，经民主推荐和组织考察，拟进一步使用。"})
        page.wait_for_url(re.compile(rf"/discussions/{discussion_id}#item\d+$"))
        assert f"已将{name}列入议程。" in page.locator(".flash-success").inner_text()
    shot("agenda-items")

    tally.phase = "integrity letter"
    page.get_by_role("link", name="一并征求廉政意见").click()
    page.locator("#ask tbody tr").nth(2).wait_for()
    assert page.locator("#ask tbody tr").count() == 3
    fill_form(page, {"文号": f"组干函〔{today.year}〕88号"}, "一并征求并生成征求意见函")
    assert "已一并征求 3 名干部的党风廉政意见" in page.locator(".flash-success").inner_text()
    shot("letter")
    page.locator("p.crumbs a").nth(1).click()

    tally.phase = "four musts, talks, inspections"
    for name in names:
        ready_item(page, name, today.isoformat())
    shot("agenda-checked")

    tally.phase = "sign-in"
    logout(page)
    sign_in(login, tally, "demo-discipline")
    tally.phase = "discipline answers"
    nav(page, "党风廉政意见")
    shot("queue")
    waiting = list(names)
    while waiting:
        opened = page.locator("p.crumbs a").last.inner_text() if "/answer" in page.url else None
        if opened not in waiting:  # the next request preselected is not one of this letter's
            if "/answer" in page.url:
                nav(page, "党风廉政意见")
            page.locator("main table.grid tbody tr", has_text=waiting[0]) \
                .get_by_role("link", name="回复").click()
            opened = waiting[0]
        if len(waiting) == len(names):
            shot("answer-form")
        fill_form(page, {"回复结论": (OUTCOME,), "回复意见": f"经查，未收到反映{opened}同志的问题线索。"},
                  "回复")
        assert "党风廉政意见已回复。" in page.locator(".flash-success").inner_text()
        waiting.remove(opened)

    tally.phase = "sign-in"
    logout(page)
    sign_in(login, tally, "demo-org")
    tally.phase = "attach dossiers"
    nav(page, "干部讨论")
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="一键附/更新全部考评材料").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    page.locator("#attach-result").wait_for(timeout=120_000)  # jobs.js reloads when done
    assert page.locator("#attach-attached").inner_text().split("\t")[1:] == [
        "3 人", "、".join(names)], page.locator("#attach-attached").inner_text()
    shot("attach-job")
    page.get_by_role("link", name="返回会议议程").click()
    page.wait_for_url(re.compile(rf"/discussions/{discussion_id}#agenda$"))

    # The agenda shows what the database holds: each item's dossier and opinion, ready.
    facts = live_server.query(
        "SELECT o.name, d.number, i.outcome FROM agenda_item a JOIN official o ON o.id = "
        "a.official_id JOIN item_dossier l ON l.item_id = a.id JOIN dossier d ON d.id = "
        "l.dossier_id JOIN integrity_opinion i ON i.official_id = a.official_id "
        "WHERE a.discussion_id = ? AND a.deleted_at IS NULL ORDER BY a.position",
        discussion_id)
    assert [f[0] for f in facts] == names and {f[2] for f in facts} == {1}, facts
    for name, number, _outcome in facts:
        row = page.locator("#agenda tbody tr", has_text=name)
        assert row.get_by_role("link", name=number).is_visible()
        assert "第 1 版" in row.inner_text()
        assert row.locator(".opinion").inner_text() == "未收到问题线索"
        assert row.locator(".must.done").count() == 4 and row.locator(".must.todo").count() == 0
        assert row.locator("td").nth(6).inner_text() == "具备上会条件"
    shot("agenda-ready")
    tally.check("committee_three_officials")


def this_year(method: str, higher: bool, target, actual, grade: str) -> tuple[str, str]:
    """A cell's text from last year's full round (grown 5 %), and what the breakdown shows."""
    def f(x):
        return f"{x:.2f}".rstrip("0").rstrip(".")

    def grown(x):  # a count stays whole
        return round(x * 1.05, 0 if x == int(x) else 2) if higher else x
    if method == "grade":
        return grade, f"评定等次「{grade}」"
    if method == "rank":
        return f(actual), f"实际 {f(actual)}"
    value, goal = grown(actual), grown(target)
    seen = f"目标 {f(goal)}，累计完成 {f(value)}" if higher else \
        f"目标不高于 {f(goal)}，实际 {f(value)}"
    return f"{f(value)}/{f(goal)}", seen


def test_one_round_of_indicator_data(live_server, page, login, shot, tally):
    """This year's full round (never in the demo data: it ends on 31 December)."""
    (scheme_id, scheme_name), (last_year, _name) = live_server.query(
        "SELECT id, name FROM ua_scheme WHERE \"group\" = 'department' ORDER BY year DESC LIMIT 2")
    before = {(u, i): this_year(m, h, t, a, g) for u, i, m, h, t, a, g in live_server.query(
        "SELECT r.unit_id, cur.id, i.method, i.higher_is_better, r.target, r.actual, r.grade "
        "FROM ua_result r JOIN ua_indicator i ON i.id = r.indicator_id JOIN ua_indicator cur "
        "ON cur.code = i.code AND cur.scheme_id = ? WHERE r.scheme_id = ? AND r.round = 'full'",
        scheme_id, last_year)}
    sign_in(login, tally, "demo-assess", first=True)

    tally.phase = "open the grid"
    nav(page, "目标考核")
    page.get_by_role("link", name=scheme_name).click()
    page.get_by_role("link", name="表格录入").click()
    page.wait_for_url(f"**/schemes/{scheme_id}/full/grid")
    assert "全年" in page.locator("main h1").inner_text()
    grid = page.locator("form[data-grid] tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.querySelectorAll('input'), i => i.name))")
    cells = [[tuple(map(int, n.split("-")[1:])) for n in row] for row in grid]
    assert sum(map(len, cells)) == len(before) > 100
    assert all(v == "" for v in page.locator("form[data-grid] tbody input").evaluate_all(
        "inputs => inputs.map(i => i.value)"))

    tally.phase = "paste and save"
    block = "\r\n".join("\t".join(before[c][0] for c in row) for row in cells) + "\r\n"
    first = page.locator("form[data-grid] tbody input").first
    first.click()
    tally.add("typed")  # Ctrl+V of the block copied from Excel
    first.evaluate("""(cell, text) => { const data = new DataTransfer();
        data.setData('text/plain', text);
        cell.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                         cancelable: true})); }""", block)
    assert page.locator("[data-grid-status]").inner_text() == f"已修改 {len(before)} 个单元格，尚未保存"
    shot("grid-pasted")
    page.get_by_role("button", name="保存全部").click()
    assert page.locator(".flash-success").inner_text() == \
        f"已保存：新增 {len(before)} 项，修改 0 项（未改动 0 项）。"
    shot("grid-saved")

    tally.phase = "check results"
    page.locator("p.crumbs a").nth(1).click()
    entered = f"已录入 {len(before)}/{len(before)} 项"
    full = page.locator("main tr", has=page.locator("td", has_text=re.compile("^全年$")))
    assert entered in full.inner_text()
    full.get_by_role("link", name="排名与等次").click()
    assert entered in page.locator("#completeness").inner_text()
    page.wait_for_load_state()  # the charts
    shot("ranking")
    rows = page.locator("main table.grid tbody tr")
    assert rows.count() == len(cells)
    rows.first.get_by_role("link").click()
    page.locator("#lines tr.ua-line-indicator").first.wait_for()  # the breakdown, loaded
    unit_id = int(re.search(r"/units/(\d+)", page.url).group(1))
    lines = page.locator("#lines tr.ua-line-indicator").all_inner_texts()
    shown = [seen for (u, _i), (_text, seen) in before.items() if u == unit_id]
    assert len(lines) == len(shown) == len(cells[0])
    assert all(any(seen in line for line in lines) for seen in shown), (shown, lines)
    page.wait_for_load_state()  # the chart
    shot("breakdown")
    tally.check("indicator_round")
