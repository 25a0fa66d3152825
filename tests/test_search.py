"""Officials search: name substring, unit subtree, rank, grade in a year, pages, API."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories
from tests.helpers import text


def _names(page: str) -> list[str]:
    return re.findall(r'<td><a href="/officials/\d+">(.*?)</a></td>', page)


@pytest.fixture
def city(make):
    """A small city: units in a tree and officials with ranks and annual grades."""
    c = factories.unit(name="测试市", kind="city")
    east = factories.unit(name="东城区", kind="county", parent=c)
    east_street = factories.unit(name="东城区东华街道", kind="county", parent=east)
    east_street_office = factories.unit(name="东华街道办事处", kind="department",
                                        parent=east_street)
    west = factories.unit(name="西城区", kind="county", parent=c)
    dept = factories.unit(name="市财政局", kind="department", parent=c)

    births = iter(dt.date(1970, 1, 1) + dt.timedelta(days=97 * i) for i in range(100))

    def official(name, unit, rank, grades=(), **kw):
        o = factories.official(name=name, unit_obj=unit, rank=rank, birth=next(births), **kw)
        for year, grade in grades:
            factories.result(o, year, grade=grade)
        return o

    people = {
        "王建国": official("王建国", east, "正处级", [(2019, "excellent"), (2020, "competent")]),
        "李建华": official("李建华", east_street, "副处级", [(2019, "competent")]),
        "赵建": official("赵建", east_street_office, "正科级", [(2020, "excellent")]),
        "张三": official("张三", west, "正处级", [(2019, "basically_competent")]),
        "陈静": official("陈静", dept, "副处级", [(2018, "excellent")]),
        "刘_伟": official("刘_伟", dept, "正科级"),
    }
    # Not annual, or deleted: never count for the grade filter.
    factories.result(people["张三"], 2019, kind="quarterly", quarter=1, grade="excellent")
    gone = factories.result(people["陈静"], 2019, grade="excellent")
    gone.soft_delete()
    deleted = official("王建民", east, "正处级", [(2019, "excellent")])
    deleted.soft_delete()
    factories.commit()
    return {"units": {"city": c, "east": east, "east_street": east_street, "west": west,
                      "dept": dept}, "people": people}


@pytest.mark.parametrize("query,expected", [
    ("q=建", ["李建华", "王建国", "赵建"]),
    ("q=+建国+", ["王建国"]),
    ("q=王", ["王建国"]),  # 王建民 is deleted
    ("q=静", ["陈静"]),
    ("q=不存在", []),
    ("q=_", ["刘_伟"]),  # LIKE wildcards are literal
    ("q=%25", []),
    ("unit_id={city}", ["李建华", "刘_伟", "王建国", "张三", "赵建", "陈静"]),
    ("unit_id={east}", ["李建华", "王建国", "赵建"]),  # includes sub-units, two levels down
    ("unit_id={east_street}", ["李建华", "赵建"]),
    ("unit_id={west}", ["张三"]),
    ("rank=正处级", ["王建国", "张三"]),
    ("rank=副处级", ["李建华", "陈静"]),
    ("rank=正处级&unit_id={east}", ["王建国"]),
    ("grade=excellent&year=2019", ["王建国"]),  # quarterly and deleted results do not count
    ("grade=excellent&year=2020", ["赵建"]),
    ("grade=excellent", ["王建国", "赵建", "陈静"]),  # in any year
    ("grade=competent&year=2019", ["李建华"]),
    ("grade=basically_competent", ["张三"]),
    ("year=2019", ["李建华", "王建国", "张三"]),  # any annual result that year
    ("year=2018", ["陈静"]),
    ("q=建&grade=excellent&unit_id={east}", ["王建国", "赵建"]),
    ("grade=bogus&rank=bogus", ["李建华", "刘_伟", "王建国", "张三", "赵建", "陈静"]),
])
def test_search_filters(client, auth, city, query, expected):
    auth.login()
    ids = {k: u.id for k, u in city["units"].items()}
    page = text(client.get("/officials/?" + query.format(**ids)))
    assert sorted(_names(page)) == sorted(expected)
    assert f"共 {len(expected)} 人" in page
    # The API answers the same question the same way.
    api = client.get("/api/v1/officials?" + query.format(**ids)).get_json() \
        if "bogus" not in query else None
    if api is not None:
        assert sorted(i["name"] for i in api["items"]) == sorted(expected)
        assert api["total"] == len(expected)


def test_search_form_keeps_the_chosen_filters(client, auth, city):
    auth.login()
    east = city["units"]["east"].id
    page = text(client.get(f"/officials/?q=建&unit_id={east}&rank=正处级&year=2019&grade=excellent"))
    assert 'value="建"' in page
    assert re.search(rf'<option selected value="{east}">', page)
    assert '<option selected value="正处级">' in page
    assert '<option selected value="2019">' in page
    assert '<option selected value="excellent">' in page


def test_pagination(client, auth, make):
    for i in range(45):
        factories.official(name=f"测试{i:02d}", birth=dt.date(1970, 1, 1) + dt.timedelta(days=i))
    factories.official(name="其他人")
    factories.commit()
    auth.login()
    first = text(client.get("/officials/?q=测试"))
    assert _names(first) == [f"测试{i:02d}" for i in range(20)]
    assert "共 45 人，第 1 / 3 页" in first
    assert 'href="/officials/?page=2&amp;q=%E6%B5%8B%E8%AF%95"' in first  # the query is kept
    second = text(client.get("/officials/?q=测试&page=2"))
    assert _names(second) == [f"测试{i:02d}" for i in range(20, 40)]
    assert "第 2 / 3 页" in second and "上一页" in second and "下一页" in second
    third = text(client.get("/officials/?q=测试&page=3"))
    assert _names(third) == [f"测试{i:02d}" for i in range(40, 45)]
    assert "下一页" not in third
    beyond = text(client.get("/officials/?q=测试&page=9"))
    assert _names(beyond) == [] and "没有符合条件的干部。" in beyond


def test_api_search_shape_and_pages(client, auth, make):
    unit = factories.unit(name="东城区", kind="county")
    for i in range(7):
        factories.official(name=f"测试{i}", unit_obj=unit, rank="正科级",
                           birth=dt.date(1980, 1, 1) + dt.timedelta(days=i))
    factories.commit()
    auth.login()
    data = client.get("/api/v1/officials?q=测试&per_page=3&page=2").get_json()
    assert set(data) == {"items", "total", "total_estimated", "page", "per_page", "pages"}
    assert (data["total"], data["page"], data["per_page"], data["pages"]) == (7, 2, 3, 3)
    assert data["total_estimated"] is False
    assert [i["name"] for i in data["items"]] == ["测试3", "测试4", "测试5"]
    item = data["items"][0]
    assert set(item) == {"id", "version", "name", "gender", "gender_label", "birth_date", "rank",
                         "current_post", "unit_id", "unit_name", "id_number"}
    assert (item["gender_label"], item["birth_date"], item["rank"], item["unit_name"]) == (
        "男", "1980-01-04", "正科级", "东城区")
    last = client.get("/api/v1/officials?q=测试&per_page=3&page=3").get_json()
    assert [i["name"] for i in last["items"]] == ["测试6"]


@pytest.mark.parametrize("role", ["organization", "discipline"])
def test_id_number_masked_in_lists_except_for_organization(client, auth, make, role):
    o = factories.official(name="王建国", birth=dt.date(1975, 3, 8))
    factories.commit()
    auth.login(role)
    [item] = client.get("/api/v1/officials?q=王建国").get_json()["items"]
    if role == "organization":
        assert item["id_number"] == o.id_number
    else:
        assert item["id_number"] == o.id_number[:3] + "*" * 11 + o.id_number[-4:]
        assert o.id_number[6:14] not in item["id_number"]  # the birth date is hidden
    # The HTML list shows no ID numbers at all.
    page = text(client.get("/officials/?q=王建国"))
    assert _names(page) == ["王建国"]
    assert o.id_number not in page and o.id_number[6:14] not in page
