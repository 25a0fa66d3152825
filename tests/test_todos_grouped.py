"""Reminders about single officials grouped per unit when a kind has many (issue 17:
the organization's home at a province's scale), the paged list behind each line, and
``GET /api/v1/todos?kind=&unit_id=`` giving the same officials."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.todos import grouping, registry
from kaohe.todos import settings as cfg
from kaohe.todos.items import Todo, make as make_todo, url_maker
from kaohe.todos.people import retirement_rule
from kaohe.todos.dates import month_index
from tests.helpers import text as html

TODAY = dt.date(2026, 12, 3)


def text(response) -> str:
    """The page's words, tags left out."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def todo(kind: str, unit: int, due: dt.date, name: str = "甲") -> Todo:
    return make_todo(kind, f"{name}{kind}", due, f"/officials/{name}", {"official_id": 1},
                     TODAY, unit_id=unit)


# -- the grouping alone --------------------------------------------------------------

@pytest.mark.parametrize("over,grouped", [(4, False), (3, True), (0, True)])
def test_a_kind_is_grouped_only_above_the_setting(app, over, grouped):
    """Four 到龄 (three in unit 7, one in none): grouped when more than ``over``; the
    unit with one reminder keeps it as it is; another kind below the figure untouched."""
    dues = [TODAY + dt.timedelta(days=d) for d in (20, 3, 40)]
    todos = sorted([todo("retirement", 7, d, n) for d, n in zip(dues, "甲乙丙")]
                   + [todo("retirement", 0, TODAY + dt.timedelta(days=9), "丁"),
                      todo("probation", 7, TODAY, "戊")], key=Todo.sort_key)
    with app.test_request_context():
        out = grouping.group(todos, over)
    if not grouped:
        assert out == todos
        return
    lines = [t for t in out if t.kind == "retirement"]
    [line] = [t for t in lines if "count" in t.ids]
    assert line.ids == {"unit_id": 7, "count": 3} and line.url == "/todos/retirement?unit_id=7"
    assert line.due == TODAY + dt.timedelta(days=3) and line.urgency == 1  # its most urgent
    assert line.title.endswith("：3 名干部已达到或即将达到退休年龄")
    assert line.details[0] == "其中紧急 1 名；最先：乙retirement"
    assert [t.title for t in lines if "count" not in t.ids] == ["丁retirement"]
    probation = [t for t in out if t.kind == "probation"]
    assert [t.title for t in probation] == ["戊probation"]  # one in its unit: kept as it is
    assert out == sorted(out, key=Todo.sort_key)


def test_no_grouped_kind_is_left_alone(app):
    todos = [make_todo("opinion_waiting", "等", TODAY, "/x", {"official_id": 1}, TODAY)] * 5
    with app.test_request_context():
        assert grouping.group(todos, 0) == todos


# -- through the database, the pages and the API -------------------------------------

@pytest.fixture
def reaching(app, make):
    """Three officials of 浔江区 and one with no unit reaching retirement age this month
    or next (no gradual increase), with the grouping figure at 2."""
    with app.app_context():
        settings.set_value(cfg.DELAY_STEP, 0)
        settings.set_value(cfg.GROUP_OVER, 2)
        unit = make.unit(name="浔江区")
        other = make.unit(name="别的区")
        rule = retirement_rule("M", "正处级")
        month = month_index(TODAY.year, TODAY.month)
        lo, hi = rule.birth_ranges([month])[0]
        people = [make.official(name=n, birth=b, unit_obj=unit)
                  for n, b in (("到龄一", lo), ("到龄二", hi), ("到龄三", lo + dt.timedelta(2)))]
        loose = make.official(name="无单位", birth=hi)
        make.official(name="未到龄", birth=lo - dt.timedelta(days=400), unit_obj=other)
        make.commit()
        yield {"unit": unit.id, "other": other.id, "ids": [p.id for p in people],
               "loose": loose.id}


@pytest.fixture
def on_day(monkeypatch):
    monkeypatch.setattr("kaohe.core.clock.today", lambda: TODAY)


def test_home_shows_one_line_per_unit_and_the_badge_counts_lines(reaching, on_day, client,
                                                                 auth):
    auth.as_role("organization")
    page = text(client.get("/home"))
    assert "浔江区：3 名干部已达到或即将达到退休年龄" in page
    assert "无单位将于" in page  # a unit with one reminder keeps its own line
    assert "到龄一将于" not in page
    items = client.get("/api/v1/todos").get_json()["items"]
    [line] = [i for i in items if i["ids"].get("count")]
    assert line == {**line, "kind": "retirement", "ids": {"unit_id": reaching["unit"], "count": 3},
                    "url": f"/todos/retirement?unit_id={reaching['unit']}"}
    assert f'aria-label="{len(items)} 项待办"' in html(client.get("/officials/"))


def test_the_unit_list_names_every_official(reaching, on_day, client, auth):
    auth.as_role("organization")
    page = text(client.get(f"/todos/retirement?unit_id={reaching['unit']}"))
    assert "到龄退休 · 浔江区" in page and "3 名干部已达到或即将达到退休年龄" in page
    assert all(n in page for n in ("到龄一", "到龄二", "到龄三"))
    assert "无单位" not in page.replace("全部单位", "")
    everyone = text(client.get("/todos/retirement"))
    assert "4 名干部已达到或即将达到退休年龄" in everyone and "各单位人数" in everyone
    assert re.search(r"到龄一[已将]于 [^ ]+ 达到退休年龄（[^）]+） 浔江区", everyone)  # each one's unit
    assert "浔江区 3" in everyone and "未填写单位 1" in everyone
    none = text(client.get("/todos/retirement?unit_id=0"))
    assert "无单位" in none and "到龄一" not in none
    assert "目前没有此类待办" in text(client.get(f"/todos/retirement?unit_id={reaching['other']}"))


def test_the_list_exports_every_official_with_the_unit(reaching, on_day, client, auth,
                                                       monkeypatch):
    monkeypatch.setattr("kaohe.todos.views.PER_PAGE", 2)  # the file has every page
    auth.as_role("organization")
    response = client.get(f"/todos/retirement/export?unit_id={reaching['unit']}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "到龄退休名单（浔江区，2026-12-03）"
    assert rows[1] == ("序号", "紧急程度", "单位", "事项", "期限", "说明")
    assert [r[0] for r in rows[2:]] == [1, 2, 3] and {r[2] for r in rows[2:]} == {"浔江区"}
    assert sorted(r[3][:3] for r in rows[2:]) == ["到龄一", "到龄三", "到龄二"]
    everyone = load_workbook(io.BytesIO(client.get("/todos/retirement/export").data)).active
    assert everyone.max_row == 2 + 4 and "全部单位" in everyone["A1"].value
    assert client.get("/todos/retirement/export?unit_id=x").status_code == 400


def test_the_list_is_paged(reaching, on_day, client, auth, monkeypatch):
    monkeypatch.setattr("kaohe.todos.views.PER_PAGE", 2)
    auth.as_role("organization")
    url = f"/todos/retirement?unit_id={reaching['unit']}"
    first, second = text(client.get(url)), text(client.get(url + "&page=2"))
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    names = ("到龄一", "到龄二", "到龄三")
    assert sum(n in first for n in names) == 2 and sum(n in second for n in names) == 1
    assert text(client.get(url + "&page=99")) == second  # past the last: the last


def test_api_gives_the_officials_of_a_line(reaching, on_day, client, auth):
    auth.as_role("organization")
    data = client.get(f"/api/v1/todos?kind=retirement&unit_id={reaching['unit']}").get_json()
    assert data["total"] == 3 and data["pages"] == 1
    assert sorted(i["ids"]["official_id"] for i in data["items"]) == sorted(reaching["ids"])
    paged = client.get("/api/v1/todos?kind=retirement&per_page=3&page=2").get_json()
    assert paged["total"] == 4 and paged["pages"] == 2 and len(paged["items"]) == 1
    every = client.get("/api/v1/todos?kind=retirement&per_page=4").get_json()["items"]
    assert {i["ids"]["official_id"] for i in every} == {*reaching["ids"], reaching["loose"]}


@pytest.mark.parametrize("query,message", [
    ("kind=opinion_waiting", "参数 kind"), ("kind=nonsense", "参数 kind"),
    ("kind=retirement&unit_id=x", "参数 unit_id 应为整数"),
    ("kind=retirement&unit_id=99999999999", "参数 unit_id 超出范围"),
    ("kind=retirement&unit_id=-1", "参数 unit_id 超出范围"),
    ("kind=retirement&page=0", "参数 page 超出范围"),
    ("kind=retirement&per_page=501", "参数 per_page 超出范围"),
])
def test_api_refuses_bad_arguments(reaching, client, auth, query, message):
    auth.as_role("organization")
    response = client.get(f"/api/v1/todos?{query}")
    assert response.status_code == 400 and message in response.get_json()["error"]


@pytest.mark.parametrize("url,status", [
    ("/todos/retirement?unit_id=x", 400), ("/todos/retirement?unit_id=99999999999", 400),
    ("/todos/opinion_waiting", 404), ("/todos/nonsense", 404), ("/todos/retirement?page=x", 400),
    ("/todos/retirement?unit_id=999999", 404), ("/todos/retirement/export?unit_id=999999", 404),
    ("/todos/nonsense/export", 404),
])
def test_list_page_bad_arguments(reaching, client, auth, url, status):
    auth.as_role("organization")
    response = client.get(url)
    assert response.status_code == status and "Traceback" not in response.get_data(as_text=True)


def test_list_of_a_kind_the_role_does_not_get(reaching, client, auth):
    auth.as_role("discipline")
    assert client.get("/todos/retirement").status_code == 403
    assert client.get("/api/v1/todos?kind=retirement").status_code == 400


def test_recused_official_is_not_in_the_list_nor_counted(reaching, on_day, app):
    with app.test_request_context():
        me = user("organization")
        me.official_id = reaching["ids"][0]
        db.session.flush()
        [line] = [t for t in registry.compute(me) if t.ids.get("count")]
        assert line.ids["count"] == 2
        members = registry.members(me, "retirement", reaching["unit"])
        assert sorted(t.ids["official_id"] for t in members) == sorted(reaching["ids"][1:])


@pytest.mark.parametrize("endpoint,key,anchor", [("officials.profile", "official_id", ""),
                                                 ("officials.profile", "official_id", "posts"),
                                                 ("units.show", "unit_id", "")])
@pytest.mark.parametrize("value", [1, 7, 2_147_483_647])
def test_url_maker_builds_what_url_for_does(app, endpoint, key, anchor, value):
    with app.test_request_context(base_url="http://x/prefix"):
        expected = url_for(endpoint, **{key: value}) + (f"#{anchor}" if anchor else "")
        assert url_maker(endpoint, key, anchor)(value) == expected


def test_openapi_lists_the_query_of_todos(client, auth):
    auth.as_role("organization")
    op = client.get("/api/v1/openapi.json").get_json()["paths"]["/todos"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
    assert set(params) == {"kind", "unit_id", "page", "per_page"}
    assert params["per_page"]["maximum"] == 500 and params["unit_id"]["minimum"] == 0
