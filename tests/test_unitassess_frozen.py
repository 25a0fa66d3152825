"""Issue 12.6: a published scheme is scored by the rule figures frozen when it was published.

Editing a setting afterwards changes nothing of that year (ranking page, breakdown, 公示
page/PDF/Excel, ranking export, API); a scheme published later takes the new value; a
draft reads the live settings.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update

from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.settings.registry import by_key
from kaohe.unitassess import FROZEN
from kaohe.unitassess.models import Scheme
from kaohe.unitassess.services import figures, scheme as svc
from tests import discipline_support as ds
from tests import ua_helpers as h
from tests.helpers import text

# Before publication: 1 of 3 units may be 优秀 (the default 30 % allows none of 3).
BASELINE = {"unitassess.excellent_quota_pct": "40"}


def populate(s, units, leader):
    """东城区 103 (优秀), 西城区 91.5 (省级扣分: 良好), 南湖区 65.5 (一般, lagging on all
    three indicators, a media-found 政务警告 of its official: −3)."""
    a, b, c = units
    for u, ratio, rating in ((a, 1.0, 90), (b, 0.95, 80), (c, 0.7, 60)):
        h.fill(s, u, ratio)
        h.rating(s, u, rating)
    y = s.year
    h.event(s, a, "provincial_commendation", 2, date=dt.date(y, 5, 1), reason="省级表彰")
    h.event(s, b, "provincial_deduction", 1, date=dt.date(y, 5, 1), reason="省级通报扣分")
    h.event(s, c, "efficiency_penalty", 0.5, date=dt.date(y, 5, 1), reason="群众多次跑腿")
    ds.finding(leader, found=dt.date(y, 2, 1), decided=dt.date(y, 3, 1), source="media",
               kind="admin_warning", summary=f"{y} 年媒体曝光问题", details="")


@pytest.fixture
def world(make):
    for key, value in BASELINE.items():
        settings.set_value(key, value)
    city = make.unit(code="CITY", name="某市", kind="city")
    units = [make.unit(code=code, name=name, kind="county", parent=city, leader_in_charge=lead)
             for code, name, lead in (("C01", "东城区", "李副市长"), ("C02", "西城区", "王副市长"),
                                      ("C03", "南湖区", "赵副市长"))]
    leader = make.official(name="周科长", unit_obj=units[2])
    make.post(leader, units[2], start=dt.date(2020, 1, 1), title="科长")
    s = h.scheme(year=2023)
    populate(s, units, leader)
    make.commit()
    return {"s": s, "units": units, "leader": leader}


def _table(page: str, start: str) -> str:
    return page[page.index(start):page.index("</table>", page.index(start))]


def outputs(client, s, unit) -> dict:
    """Everything a reader sees of the year's full round, in comparable form."""
    base = f"/unit-assessment/schemes/{s.id}/full"
    pdf = client.get(f"{base}/publication.pdf")
    assert pdf.status_code == 200
    return {
        "ranking": _table(text(client.get(f"{base}/ranking")), '<table class="grid">'),
        "breakdown": _table(text(client.get(f"{base}/units/{unit.id}")), '<table class="grid" id="lines">'),
        "progress": _table(text(client.get(f"{base}/progress")), "<h1>"),
        "publication": _table(text(client.get(f"{base}/publication")), 'id="publication"'),
        "pdf": "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages),
        "xlsx": _cells(client.get(f"{base}/publication.xlsx").data),
        "export": _cells(client.get(
            f"/interop/unit-assessment/schemes/{s.id}/full/ranking.xlsx").data),
        "api": client.get(f"/api/v1/rankings?year={s.year}&round=full&group=county").get_json(),
    }


def _cells(xlsx: bytes) -> list:
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows()]


def _items(client, year: int) -> dict:
    body = client.get(f"/api/v1/rankings?year={year}&round=full&group=county").get_json()
    return {i["unit_name"]: i for i in body["rankings"][0]["items"]}


# setting, new value, what a scheme published under the new value shows (API items)
CHANGES = [
    ("unitassess.band_excellent", "105", lambda i: i["东城区"]["grade_label"] == "良好"),
    ("unitassess.band_good", "60", lambda i: i["南湖区"]["grade_label"] == "良好"),
    ("unitassess.band_fair", "70", lambda i: i["南湖区"]["grade_label"] == "较差"),
    ("unitassess.excellent_quota_pct", "0",
     lambda i: i["东城区"]["grade_label"] == "良好" and "名额" in i["东城区"]["grade_note"]),
    ("unitassess.provincial_multiplier", "3", lambda i: i["东城区"]["score"] == 105.0),
    ("unitassess.lag_ratio", "50", lambda i: i["南湖区"]["lagging_indicators"] == []),
    ("unitassess.interview_last_n", "2",
     lambda i: i["西城区"]["flags"] == ["排名末位（第 2/3 名）"]),
    ("unitassess.interview_lagging_min", "4",
     lambda i: i["南湖区"]["flags"] == ["排名末位（第 3/3 名）"]),
    ("discipline.deduct.administrative", "5", lambda i: i["南湖区"]["score"] == 63.5),
]


def test_every_changed_setting_is_one_the_year_used():
    """Each setting of CHANGES is frozen, and every frozen figure is changed by a test."""
    assert {key for key, _, _ in CHANGES} | {
        f"discipline.deduct.{c}" for c in figures.DEDUCT_CATEGORIES} == set(figures.RULE_KEYS)


def test_every_rule_setting_of_the_assessment_is_frozen():
    """A new scoring setting must be frozen too (public_weight_default only seeds drafts)."""
    scoring_keys = {k for k in by_key() if k.startswith(("unitassess.", "discipline.deduct."))}
    assert scoring_keys - set(figures.RULE_KEYS) == {"unitassess.public_weight_default"}


def test_the_year_before_the_change(client, auth, world):
    auth.login("assessment")
    items = _items(client, 2023)
    assert [(n, i["score"], i["grade_label"]) for n, i in items.items()] == [
        ("东城区", 103.0, "优秀"), ("西城区", 91.5, "良好"), ("南湖区", 65.5, "一般")]
    assert items["南湖区"]["flags"] == ["排名末位（第 3/3 名）",
                                      "3 项指标进度滞后：地区生产总值、税收收入、固定资产投资"]
    assert items["西城区"]["flags"] == []


@pytest.mark.parametrize("key, value, later", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_setting_changed_after_publication(client, auth, make, world, key, value, later):
    auth.login("assessment")
    s, units = world["s"], world["units"]
    before = outputs(client, s, units[2])
    assert not later(_items(client, 2023))  # the change would show, were it applied
    settings.set_value(key, value)
    db.session.commit()
    assert outputs(client, s, units[2]) == before
    # The next year's scheme, published after the change, is scored by the new value.
    s24 = h.scheme(year=2024)
    populate(s24, units, world["leader"])
    make.commit()
    assert s24.rules[key] == settings.get(key) != s.rules[key]
    assert later(_items(client, 2024))
    assert not later(_items(client, 2023))


def test_publication_freezes_the_current_figures(make):
    settings.set_value("unitassess.band_excellent", "92.5")
    settings.set_value("discipline.deduct.party", "4")
    s = h.scheme()
    assert s.rules == figures.live()
    assert s.rules["unitassess.band_excellent"] == 92.5 and s.rules["discipline.deduct.party"] == 4
    settings.set_value("unitassess.band_excellent", "95")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Scheme, s.id).rules["unitassess.band_excellent"] == 92.5
    assert figures.bands(figures.of(s)).excellent == 92.5


def _figure(page: str, label: str) -> str:
    row = re.search(rf"<tr><td>{re.escape(label)}</td><td class=\"ua-num\">([^<]*)</td>", page)
    assert row, label
    return row.group(1)


def test_draft_reads_live_settings_until_published(client, auth, make):
    auth.login("assessment")
    draft = h.scheme(publish=False)
    make.commit()
    url = f"/unit-assessment/schemes/{draft.id}"
    page = text(client.get(url))
    assert "草案按当前系统规则参数试算" in page and _figure(page, "单位考核优秀分数线") == "90"
    settings.set_value("unitassess.band_excellent", "88")
    db.session.commit()
    assert _figure(text(client.get(url)), "单位考核优秀分数线") == "88"
    assert draft.rules is None and figures.bands(figures.of(draft)).excellent == 88
    client.post(f"{url}/publish")
    settings.set_value("unitassess.band_excellent", "91")
    db.session.commit()
    page = text(client.get(url))
    assert "发布时冻结" in page and _figure(page, "单位考核优秀分数线") == "88"
    assert _figure(page, "省级加减分在市考核中的倍数") == "2"
    assert _figure(page, "党风廉政建设指标扣分：政务处分") == "3"
    assert _figure(page, "民评官权重") == "10" and _figure(page, "满分") == "100"
    progress = text(client.get(f"{url}/full/progress"))
    assert "已发布方案冻结的滞后判定线（90%）" in progress
    assert "发布时尚无此参数" not in page


def test_a_copy_is_a_draft_without_frozen_figures(make):
    s = h.scheme()
    settings.set_value("unitassess.band_good", "85")
    copy = svc.copy_scheme(s, 2024)
    assert copy.rules is None and figures.of(copy)["unitassess.band_good"] == 85
    assert figures.of(s)["unitassess.band_good"] == 80


def test_a_figure_missing_from_the_frozen_rules_takes_its_default(client, auth, make):
    """A figure added to the code after a scheme was published: its default, flagged."""
    s = h.scheme()
    rules = {k: v for k, v in s.rules.items() if k != "unitassess.lag_ratio"}
    db.session.execute(update(Scheme).where(Scheme.id == s.id).values(rules=rules))
    settings.set_value("unitassess.lag_ratio", "50")
    make.commit()
    db.session.expire_all()
    assert figures.params(figures.of(db.session.get(Scheme, s.id))).lag_ratio == 0.9
    auth.login("assessment")
    page = text(client.get(f"/unit-assessment/schemes/{s.id}"))
    assert _figure(page, "指标滞后判定线（完成进度/时间进度）") == "90"
    assert page.count("发布时尚无此参数，按默认值") == 1


def test_the_admin_is_told_an_edit_applies_to_schemes_published_later(client, auth):
    auth.login("admin")
    page = text(client.get("/admin/settings"))
    assert page.count(FROZEN) == sum(k.startswith("unitassess.") for k in figures.RULE_KEYS)
