"""The name search index of issue 17: keys kept in step by the database on every write
path, each kind of query answered through it with the results of a full scan, and the
estimated count of a common name."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from kaohe.core.estimates import about, about_people
from kaohe.extensions import db
from kaohe.interop.bulk import insert_records
from kaohe.officials import services
from kaohe.officials.models import Official
from kaohe.officials.services import SearchCriteria, search
from kaohe.search import index
from kaohe.search.index import OfficialSearchKey as K
from kaohe.search.pinyin import index_text
from tests import factories
from tests.helpers import text


def _keys(official_id: int) -> set[tuple[str, str, str]]:
    rows = db.session.execute(select(K.kind, K.key, K.name).where(K.official_id == official_id))
    return set(map(tuple, rows))


def _names(**criteria) -> list[str]:
    return [o.name for o in search(SearchCriteria(**criteria), per_page=100).items]


def test_keys_of_a_name(make):
    o = make.official(name="赵刚伟")
    db.session.flush()
    keys = _keys(o.id)
    assert {k for kind, k, _ in keys if kind == "c"} == {"赵", "刚", "伟", "赵刚", "刚伟"}
    assert {k for kind, k, _ in keys if kind == "p"} >= {"z", "zh", "zha", "zhao", "zhaogangwei",
                                                        "zg", "zgw"}
    assert {name for *_, name in keys} == {"赵刚伟"}


def test_keys_follow_renames_bulk_inserts_and_deletes(make):
    o = make.official(name="赵钢")
    db.session.flush()
    db.session.execute(update(Official).where(Official.id == o.id)
                       .values(name="解放", name_pinyin=index_text("解放")))
    assert ("c", "解放", "解放") in _keys(o.id) and not any(k == "赵" for _, k, _ in _keys(o.id))
    assert {"xiefang", "jiefang"} <= {k for kind, k, _ in _keys(o.id) if kind == "p"}
    row = {c: getattr(o, c) for c in ("gender", "birth_date", "ethnicity", "native_place",
                                      "rank", "unit_id", "current_post", "political_status")}
    new_id, = insert_records(Official, [{**row, "name": "钱塘", "name_pinyin": index_text("钱塘"),
                                         "id_number": factories.id_number(o.birth_date)}])
    assert ("p", "qt", "钱塘") in _keys(new_id)
    db.session.execute(delete(Official).where(Official.id == new_id))
    assert _keys(new_id) == set()


@pytest.fixture
def names(make):
    unit = make.unit(name="索引区")
    people = ["王一", "王二", "王小明", "小王", "李王芳", "张三丰", "张丰", "丰张", "赵刚伟",
              "赵钢", "阿不都热合曼", "Anna王", "王%", "汪洋", "黄晓", "黄晓明"]
    return {n: make.official(name=n, unit_obj=unit) for n in people}


@pytest.mark.parametrize("q, found", [
    ("王", ["Anna王", "小王", "李王芳", "王%", "王一", "王二", "王小明"]),
    ("王小", ["王小明"]), ("小王", ["小王"]), ("王小明", ["王小明"]), ("张丰", ["张丰"]),
    ("三丰", ["张三丰"]), ("热合曼", ["阿不都热合曼"]), ("都热合", ["阿不都热合曼"]),
    ("%", ["王%"]), ("王%", ["王%"]), ("na王", ["Anna王"]), ("丰张三", []),
    ("wang", ["王%", "王一", "王二", "王小明", "汪洋"]),  # the start of a spelling only
    ("wangxiaoming", ["王小明"]), ("wxm", ["王小明"]), ("huangxiao", ["黄晓", "黄晓明"]),
    ("huangxiaom", ["黄晓明"]), ("zz", []), ("zzzzzz", []), ("anna", ["Anna王"]),
])
def test_queries_through_the_index(names, q, found):
    assert _names(q=q) == sorted(found)


def test_few_long_spellings_are_read_and_sorted(names, monkeypatch):
    assert index.plan("wangxiaoming").among is not None and index.plan("wang").key is not None
    monkeypatch.setattr(index, "FEW", 0)  # as if thousands spelled so: walk "wang" instead
    assert index.plan("wangxiaoming").key is not None
    assert _names(q="wangxiaoming") == ["王小明"]


def test_rarest_pair_leads(names):
    for i in range(3):
        factories.official(name=f"王小{'甲乙丙'[i]}")
    assert index.plan("王小明").key.compare(index._one("c", "小明"))


def test_page_order_and_other_filters(names, make):
    other = make.unit(name="别处")
    make.official(name="王零", unit_obj=other)
    unit_id = names["王一"].unit_id
    assert _names(q="王", unit_id=unit_id)[:3] == ["Anna王", "小王", "李王芳"]
    assert "王零" not in _names(q="王", unit_id=unit_id) and "王零" in _names(q="王")
    page2 = search(SearchCriteria(q="王"), page=2, per_page=3)
    assert [o.name for o in page2.items] == ["王%", "王一", "王二"] and page2.total == 8
    names["王一"].soft_delete()
    db.session.flush()
    assert "王一" not in _names(q="王")


def test_common_name_total_is_an_estimate(names, monkeypatch, auth, make):
    monkeypatch.setattr(services, "EXACT_MAX", 3)
    monkeypatch.setattr(services, "SAMPLE", 2)
    page = search(SearchCriteria(q="王"), per_page=3)
    assert page.total_estimated and page.total == 7  # 2 of 2 sampled × 7 listed
    assert not search(SearchCriteria(q="王小明")).total_estimated
    # All on one page: the total is known, not estimated.
    assert not search(SearchCriteria(q="王"), per_page=20).total_estimated
    make.commit()
    shown = text(auth.as_role("organization").get("/officials/?q=王"))
    assert "共 7 人" in shown


@pytest.mark.parametrize("q, elsewhere, filters", [
    ("王", ["小王", "王%"], {"unit": True}),  # the unit's share of the key's first 4
    ("王王王", [], {}),  # a name tested on the key's own copy, the key being 王王
    ("王王王", ["王王王"], {"unit": True}),
])
def test_an_estimate_is_the_share_of_the_keys_first_sample(make, monkeypatch, q, elsewhere,
                                                           filters):
    """The sample is the key's first SAMPLE officials in name order, whatever the other
    filters; the estimate their share passing every filter times the key's length."""
    home, other = make.unit(name="本区"), make.unit(name="外区")
    for name in ["Anna王", "小王", "李王芳", "王%", "王一", "王二", "王小明",
                 "王王", "王王一", "王王王", "王王王二", "一王王", "王王王三"]:
        make.official(name=name, unit_obj=other if name in elsewhere else home)
    db.session.flush()
    monkeypatch.setattr(services, "EXACT_MAX", 3)
    monkeypatch.setattr(services, "SAMPLE", 4)
    plan = index.plan(q)
    first = db.session.execute(select(K.name, K.official_id).where(plan.key)
                               .order_by(K.name, K.official_id).limit(4)).all()
    units = dict(db.session.execute(select(Official.id, Official.unit_id)).tuples().all())
    passing = [name for name, oid in first
               if q in name and (not filters.get("unit") or units[oid] == home.id)]
    listed = index.key_total(plan)
    criteria = SearchCriteria(q=q, unit_id=home.id if filters.get("unit") else None)
    page = search(criteria, per_page=1)
    assert page.total_estimated
    assert page.total == max(about(len(passing) * listed / 4), 1)


def test_few_graded_officials_are_found_by_key(make):
    unit = make.unit(name="等次区")
    for i, name in enumerate(["乙", "甲", "丙"]):
        o = make.official(name=name, unit_obj=unit, birth=dt.date(1980, 1, 1 + i))
        make.result(o, 2020, grade="excellent" if name != "丙" else "competent")
    page = search(SearchCriteria(year=2020, grade="excellent", unit_id=unit.id))
    assert [o.name for o in page.items] == ["乙", "甲"] and page.total == 2


@pytest.mark.parametrize("id_list_max,exact_max,sampled_min,total,estimated", [
    (2, 5, 2, 25, True),     # 2 of the first 4 by name are 优秀: 2 / 4 × 50 officials
    (33, 5, 2, 33, False),   # as few results as ID_LIST_MAX: looked up by key, counted
    (2, 50, 2, 33, False),   # a scope of EXACT_MAX officials is counted
    # Fewer than SAMPLED_MIN of the officials sampled pass: the results are sampled, one
    # per official in a year: the first 4 by official are all in the unit, 4 / 4 × 33.
    (2, 5, 3, 33, True),
    (2, 40, 3, 33, False),   # ... unless as few results as EXACT_MAX match: counted
    (2, 5, 5, 33, False),    # fewer than SAMPLED_MIN in either sample: counted
])
def test_common_grade_in_a_large_scope_is_an_estimate(make, monkeypatch, auth, id_list_max,
                                                      exact_max, sampled_min, total, estimated):
    """At a million officials counting 称职 in a large unit read every matching result
    (50-200 ms): a grade/year filter matching many in a large scope is estimated from a
    sample of its officials, or of the matching results when few of those pass, shown as
    「约 N 人」; the pages stay exact, and the last page knows the total."""
    monkeypatch.setattr(services, "ID_LIST_MAX", id_list_max)
    monkeypatch.setattr(services, "EXACT_MAX", exact_max)
    monkeypatch.setattr(services, "SAMPLE", 4)
    monkeypatch.setattr(services, "SAMPLED_MIN", sampled_min)
    unit = make.unit(name="大单位")
    # 甲00 and 甲02 of the first four by name, then every i not divisible by 3: 33 in all.
    excellent = {i for i in range(50) if i in (0, 2) or (i >= 4 and i % 3)}
    for i in range(50):
        o = make.official(name=f"甲{i:02d}", unit_obj=unit, birth=dt.date(1980, 1, 1 + i % 28))
        make.result(o, 2020, grade="excellent" if i in excellent else "competent")
    criteria = SearchCriteria(unit_id=unit.id, year=2020, grade="excellent")
    first = search(criteria, per_page=10)
    assert [o.name for o in first.items][:3] == ["甲00", "甲02", "甲04"]
    assert (first.total, first.total_estimated) == (total, estimated)
    # Without a year an official may have several matching results: never by results.
    by_grade = search(SearchCriteria(unit_id=unit.id, grade="excellent"), per_page=10)
    assert by_grade.total_estimated == (estimated and sampled_min == 2)
    last = search(criteria, page=4, per_page=10)
    assert len(last.items) == 3 and (last.total, last.total_estimated) == (33, False)
    assert [o.name for p in (1, 2, 3, 4) for o in search(criteria, page=p, per_page=10).items] \
        == [f"甲{i:02d}" for i in sorted(excellent)]
    make.commit()
    shown = text(auth.as_role("organization").get(
        f"/officials/?unit_id={unit.id}&year=2020&grade=excellent"))
    assert f"{'约' if estimated else '共'} {total} 人" in shown


@pytest.mark.parametrize("n,shown", [(0, "约 0 人"), (9_949, "约 9900 人"), (9_999, "约 1 万人"),
                                     (10_000, "约 1 万人"), (12_345, "约 1.2 万人"),
                                     (110_000, "约 11 万人"), (118_734, "约 12 万人"),
                                     (1_000_000, "约 100 万人"), (5_300, "约 5300 人")])
def test_estimates_read_in_wan(n, shown):
    """「约 11 万人」 as people read a large estimate, not 「约 110000 人」."""
    assert about_people(n) == shown


def test_the_scope_size_of_an_estimate_is_kept_until_an_official_is_written(make, monkeypatch):
    """The scope's size (the unit's officials) is counted once and kept while no official,
    post, result or unit is written: a new official of the unit changes the estimate at
    once, and a search that wrote nothing yet (pending) counts afresh."""
    monkeypatch.setattr(services, "ID_LIST_MAX", 2)
    monkeypatch.setattr(services, "EXACT_MAX", 5)
    monkeypatch.setattr(services, "SAMPLE", 4)
    monkeypatch.setattr(services, "SAMPLED_MIN", 2)
    services._scope_sizes.clear()
    unit = make.unit(name="保留区")
    for i in range(20):
        o = make.official(name=f"甲{i:02d}", unit_obj=unit, birth=dt.date(1980, 1, 1 + i))
        make.result(o, 2020, grade="excellent" if i % 2 == 0 else "competent")
    make.commit()
    criteria = SearchCriteria(unit_id=unit.id, year=2020, grade="excellent")
    counted = []
    real = services._scope_sizes.get

    def get(key, compute, now, checked=None):
        return real(key, lambda: counted.append(key) or compute(), now, checked)

    monkeypatch.setattr(services._scope_sizes, "get", get)
    assert (search(criteria, per_page=4).total, search(criteria, per_page=4).total) == (10, 10)
    assert len(counted) == 1
    for i in range(20):  # after 甲 in name order: the sample stays the first four
        make.official(name=f"癸{i:02d}", unit_obj=unit, birth=dt.date(1981, 1, 1 + i))
    assert search(criteria, per_page=4).total == 20  # pending: counted afresh (40 × 2/4)
    make.commit()
    assert search(criteria, per_page=4).total == search(criteria, per_page=4).total == 20
    assert len(counted) == 3 and search(criteria, per_page=4).total_estimated


def test_few_matching_results_list_each_official_once(make):
    """A filter matching few results (at most ID_LIST_MAX) looks the officials up by key
    (on PostgreSQL from an array of their ids, whatever the statistics say): an official
    with two matching results is one row of the page and one of the total, in name order;
    a deleted result does not match."""
    unit = make.unit(name="少数区")
    twice, once, deleted, other = (make.official(name=n, unit_obj=unit, birth=dt.date(1980, 1, i))
                                   for i, n in enumerate(["乙二", "甲一", "丙三", "丁四"], 1))
    for year in (2019, 2020):
        make.result(twice, year, grade="basically_competent")
    make.result(once, 2020, grade="basically_competent")
    make.result(deleted, 2020, grade="basically_competent").soft_delete()
    make.result(other, 2020, grade="competent")
    page = search(SearchCriteria(grade="basically_competent", unit_id=unit.id))
    assert [o.name for o in page.items] == ["乙二", "甲一"] and page.total == 2
    by_year = search(SearchCriteria(year=2020, grade="basically_competent"), per_page=1)
    assert [o.name for o in by_year.items] == ["乙二"] and by_year.total == 2
    assert not search(SearchCriteria(year=2018, grade="basically_competent")).items
