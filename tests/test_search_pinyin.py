"""Officials search as people search in Chinese software (issue 14.3): pinyin and initials
with every reading of polyphonic surnames, the extra filters at their boundaries, and saved
searches."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from kaohe.core import clock
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.officials.services import SearchCriteria, save_official, search
from kaohe.search import saved
from kaohe.search.filters import Extra
from kaohe.search.pinyin import index_text, pinyin_query, readings, spelling_choices
from tests.helpers import text

D = dt.date


@pytest.mark.parametrize("name, spellings", [
    ("赵刚伟", ["zhaogangwei", "zgw"]),
    ("单立国", ["shanliguo", "slg", "danliguo", "dlg", "chanliguo"]),  # 单 shan/dan/chan
    ("曾国藩", ["zengguofan", "zgf", "cengguofan"]),
    ("解放", ["xiefang", "xf", "jiefang"]),
    ("仇英", ["qiuying", "qy", "chouying"]),
    ("区小明", ["ouxiaoming", "oxm", "quxiaoming"]),
    ("长孙无忌", ["zhangsunwuji", "zswj", "changsunwuji"]),
])
def test_every_reading_is_indexed(name, spellings):
    tokens = index_text(name).split()
    for spelling in spellings:
        assert spelling in tokens


@pytest.mark.parametrize("name, indexed, archaic", [
    ("王小明", "wangxiaoming wxm", "yu"),  # pypinyin adds 王 yù
    ("干部", "ganbu gb", "an"),  # 干 àn, 部 pǒu
    ("张女", "zhangnv zn", "ru"),  # 女 rǔ
    ("乐平", "leping lp yueping yp", None),  # 乐 lè/yuè: both standard, pypinyin's order
])
def test_standard_characters_keep_their_standard_readings(name, indexed, archaic):
    assert index_text(name) == indexed
    if archaic:
        assert not any(t.startswith(archaic) for t in index_text(name).split())


def test_other_characters_keep_every_reading_pypinyin_knows():
    # 鍾 (traditional 钟) is not among the 8 105 standard characters: pypinyin's readings.
    assert readings("鍾") == ("zhong",)
    assert readings("A") == () and readings("") == ()
    # A character outside the Basic Multilingual Plane (𠮷, Extension B) is looked up as one
    # character; neither dictionary reads it, so the rest of the name is indexed.
    assert readings("𠮷") == ()
    assert index_text("𠮷永康") == "yongkang yk"
    assert readings("朴")[0] == "pu" and "piao" in readings("朴")  # 朴 piáo as a surname


@pytest.mark.parametrize("name", ["", "  ", "Ｘ", "123"])
def test_names_without_pinyin_index_to_nothing_or_letters(name):
    assert index_text(name) in ("", "x")


def test_huge_polyphonic_names_stay_within_the_column():
    name = "单仇解曾区长行乐"  # eight polyphonic characters: thousands of spellings
    indexed = index_text(name)
    assert 0 < len(indexed) <= 600
    assert "shanqiuxiezengouchanghangle" not in indexed or len(indexed) <= 600
    assert indexed.split()[0] == "".join(r[0] for r in [
        ("dan",), ("chou",), ("jie",), ("ceng",), ("qu",), ("zhang",), ("xing",), ("le",)])


@pytest.mark.parametrize("raw, expected", [
    ("zgw", "zgw"), ("ZGW", "zgw"), ("zhao gang wei", "zhaogangwei"), ("赵", None),
    ("zg1", None), ("", None), ("z" * 41, None),
])
def test_pinyin_query(raw, expected):
    assert pinyin_query(raw) == expected


def _names(**criteria) -> list[str]:
    return [o.name for o in search(SearchCriteria(**criteria), per_page=100).items]


@pytest.fixture
def people(make):
    unit = make.unit(name="拼音区")
    return {n: make.official(name=n, unit_obj=unit) for n in
            ("赵刚伟", "单立国", "曾国藩", "张三丰", "赵钢")}


@pytest.mark.parametrize("q, found", [
    ("zgw", ["赵刚伟"]), ("zhaogangwei", ["赵刚伟"]), ("ZhaoGang", ["赵刚伟", "赵钢"]), ("zhaogangw", ["赵刚伟"]),
    ("shanliguo", ["单立国"]), ("danliguo", ["单立国"]), ("slg", ["单立国"]),
    ("zengguofan", ["曾国藩"]), ("zg", ["曾国藩", "赵刚伟", "赵钢"]), ("赵", ["赵刚伟", "赵钢"]),
    ("zhang san", ["张三丰"]), ("xyz", []),
    ("gangwei", []), ("liguo", []),  # the middle of a spelling is not its start
    ("sanfeng", []), ("zsf", ["张三丰"]), ("z%", []), ("g_", []),
])
def test_search_by_pinyin_and_initials(people, q, found):
    assert sorted(_names(q=q)) == sorted(found)


def test_index_is_kept_on_write(people):
    o = people["赵钢"]
    data = {c: getattr(o, c) for c in ("gender", "birth_date", "ethnicity", "native_place",
                                       "id_number", "rank", "unit_id", "current_post",
                                       "political_status", "party_date")}
    save_official(o, {**data, "name": "解钢"})
    db.session.flush()
    assert _names(q="xiegang") == ["解钢"] and _names(q="zhaogang") == ["赵刚伟"]
    stored = db.session.scalar(select(Official.name_pinyin).where(Official.id == o.id))
    assert "xg" in stored.split()


def test_search_page_accepts_pinyin(auth, people, make):
    make.commit()
    page = auth.as_role("organization").get("/officials/?q=zgw")
    assert "赵刚伟" in text(page) and "共 1 人" in text(page)


# ---------------------------------------------------------------- filters


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2026, 12, 3))
    return D(2026, 12, 3)


@pytest.mark.parametrize("birth, age_min, age_max, hit", [
    (D(1986, 12, 3), 40, None, True),  # 40 today
    (D(1986, 12, 4), 40, None, False),  # 40 tomorrow
    (D(1986, 12, 4), None, 39, True),
    (D(1986, 12, 3), None, 39, False),
    (D(1984, 2, 29), 42, 42, True),  # leap-day birth: 42 since 2026-03-01
])
def test_age_range_at_the_birthday(make, frozen, birth, age_min, age_max, hit):
    make.official(name="年龄甲", birth=birth)
    assert (_names(q="年龄甲", extra=Extra(age_min=age_min, age_max=age_max)) == ["年龄甲"]) == hit


def test_education_politics_and_principal(make, frozen):
    unit = make.unit(name="条件区")
    a = make.official(name="条件甲", unit_obj=unit, edu_fulltime="大学", edu_inservice="研究生")
    make.official(name="条件乙", unit_obj=unit, edu_fulltime="省委党校研究生",
                  political_status="民主党派", democratic_party="民盟", party_date=None)
    make.official(name="条件丙", unit_obj=unit, political_status="", party_date=None)
    make.post(a, unit, start=D(2020, 1, 1), principal=True)
    assert sorted(_names(q="条件", extra=Extra(education="研究生"))) == ["条件乙", "条件甲"]
    assert _names(q="条件", extra=Extra(politics="non_ccp")) == ["条件乙"]
    assert _names(q="条件", extra=Extra(politics="unrecorded")) == ["条件丙"]
    assert _names(q="条件", extra=Extra(politics="ccp")) == ["条件甲"]
    assert _names(q="条件", extra=Extra(principal=True)) == ["条件甲"]


@pytest.mark.parametrize("start, years, hit", [
    (D(2021, 12, 3), 5, True), (D(2021, 12, 4), 5, False), (D(2016, 12, 3), 10, True),
])
def test_years_in_current_post(make, frozen, start, years, hit):
    unit = make.unit()
    o = make.official(name="任职甲", unit_obj=unit)
    make.post(o, unit, start=start)
    assert (_names(q="任职甲", extra=Extra(tenure_min=years)) == ["任职甲"]) == hit


def test_excellent_count_in_the_concluded_years(make, monkeypatch):
    o = make.official(name="优秀甲")
    for year in (2022, 2023, 2024, 2025):
        make.result(o, year, "excellent" if year != 2023 else "competent")
    # 2026-03-30: window 2022–2024 (2 优秀); 2026-03-31: 2023–2025 (2 优秀); 3 needs 2022+2024+2025.
    for day, two, three in ((D(2026, 3, 30), True, False), (D(2026, 3, 31), True, False)):
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        assert (_names(q="优秀甲", extra=Extra(excellent_min=2)) == ["优秀甲"]) == two
        assert (_names(q="优秀甲", extra=Extra(excellent_min=3)) == ["优秀甲"]) == three
    make.result(make.official(name="优秀乙"), 2025, "excellent")
    monkeypatch.setattr(clock, "today", lambda: D(2026, 3, 30))
    assert _names(q="优秀乙", extra=Extra(excellent_min=1)) == []  # 2025 not concluded yet
    monkeypatch.setattr(clock, "today", lambda: D(2026, 3, 31))
    assert _names(q="优秀乙", extra=Extra(excellent_min=1)) == ["优秀乙"]


@pytest.mark.parametrize("query, field, message", [
    ("age_min=abc", "age_min", None), ("age_min=10", "age_min", "年龄应在 18 到 80 之间。"),
    ("age_min=50&age_max=40", "age_max", "年龄上限不能小于下限。"),
    ("tenure_min=99", "tenure_min", "年限应在 0 到 60 之间。"),
])
def test_bad_filter_values_are_shown_and_ignored(auth, people, make, query, field, message):
    make.commit()
    page = auth.as_role("organization").get(f"/officials/?q=zgw&{query}")
    assert page.status_code == 200 and "赵刚伟" in text(page)
    body = page.get_data(as_text=True)
    assert 'class="field has-error"' in body
    if message:
        assert message in body


# ---------------------------------------------------------------- saved searches


def test_saved_search_round_trip(auth, people, make, ctx):
    make.commit()
    client = auth.as_role("organization")
    page = client.get("/officials/?q=zgw")
    assert 'name="query" value="q=zgw"' in page.get_data(as_text=True)
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/officials/searches/", data={
        "csrf_token": token, "name": "我的拼音", "query": "q=zgw&page=3&rank="})
    assert response.status_code == 302 and response.headers["Location"].endswith("?q=zgw")
    [kept] = db.session.scalars(select(saved.SavedSearch)).all()
    assert (kept.name, kept.query) == ("我的拼音", "q=zgw")
    listed = client.get("/officials/").get_data(as_text=True)
    assert "我的拼音" in listed and "/officials/?q=zgw" in listed
    # Another user neither sees nor deletes it.
    auth.logout()
    other = auth.as_role("discipline")
    assert "我的拼音" not in other.get("/officials/").get_data(as_text=True)


def test_saved_search_rules(people, ctx):
    from kaohe.auth.models import User
    from kaohe.core.errors import ValidationFailed

    user = db.session.scalars(select(User)).first()
    with pytest.raises(ValidationFailed) as exc:
        saved.save(user.id, "  ", "q=a")
    assert exc.value.errors["name"] == "请填写查询名称。"
    first = saved.save(user.id, "同名", "q=a")
    again = saved.save(user.id, "同名", "q=b")  # same name: replaced, not duplicated
    assert first.id == again.id and again.query == "q=b"
    for i in range(saved.MAX_PER_USER - 1):
        saved.save(user.id, f"查询{i}", "")
    with pytest.raises(ValidationFailed):
        saved.save(user.id, "再多一个", "")
    assert not saved.delete(user.id + 1000, first.id)
    assert saved.delete(user.id, first.id)


def test_spellings_come_fewest_uncommon_readings_first_and_lazily():
    assert list(spelling_choices([2, 3])) == [
        [0, 0], [1, 0], [0, 1], [0, 2], [1, 1], [1, 2]]
    # 64 characters of 2-3 readings: 10^25 spellings, of which only the first are made.
    first = list(itertools.islice(spelling_choices([3] * 64), 3))
    assert first == [[0] * 64, [1] + [0] * 63, [2] + [0] * 63]
    indexed = index_text("单仇解曾" * 16)
    assert 0 < len(indexed) <= 600 and indexed.split()[0].startswith("danchoujieceng")
