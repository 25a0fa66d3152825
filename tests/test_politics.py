"""Political affiliation: the 入党时间 text of the 任免审批表 written and read, and its rules."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from kaohe.core import clock
from kaohe.officials.politics import Affiliation, check_affiliation, parse_party_text, party_text

D = dt.date


def _o(status="", party_date=None, party="", party_since=None):
    return SimpleNamespace(political_status=status, party_date=party_date,
                           democratic_party=party, democratic_party_date=party_since)


@pytest.mark.parametrize("official, lrmx, printed", [
    (_o("中共党员", D(1995, 6, 1)), "199506", "1995.06"),
    (_o("中共预备党员", D(2026, 2, 1)), "202602", "2026.02"),
    (_o("中共党员", D(1995, 6, 1), "民建", D(2003, 1, 1)), "199506；民建", "1995.06；民建"),
    (_o("民主党派", None, "民建", D(2003, 1, 1)), "民建", "民建"),
    (_o("民主党派", None, "九三学社"), "九三学社", "九三学社"),
    (_o("无党派人士"), "无党派人士", "无党派人士"),
    (_o("群众"), "", ""),
    (_o(""), "", ""),
    (_o("中共党员"), "中共党员", "中共党员"),  # date not recorded: the status, not a blank
])
def test_party_text(official, lrmx, printed):
    assert party_text(official) == party_text(official, "lrmx") == lrmx
    assert party_text(official, "print") == printed


@pytest.mark.parametrize("text, expected", [
    ("", Affiliation()),
    ("199506", Affiliation("中共党员", D(1995, 6, 1))),
    ("1995.06", Affiliation("中共党员", D(1995, 6, 1))),
    ("1995年6月", Affiliation("中共党员", D(1995, 6, 1))),
    ("19950615", Affiliation("中共党员", D(1995, 6, 15))),
    ("20000229", Affiliation("中共党员", D(2000, 2, 29))),
    ("民建", Affiliation("民主党派", None, "民建")),
    ("中国民主建国会", Affiliation("民主党派", None, "民建")),
    ("九三", Affiliation("民主党派", None, "九三学社")),
    ("农工", Affiliation("民主党派", None, "农工党")),
    ("台湾民主自治同盟", Affiliation("民主党派", None, "台盟")),
    ("199506；民建", Affiliation("中共党员", D(1995, 6, 1), "民建")),
    ("199506;民建", Affiliation("中共党员", D(1995, 6, 1), "民建")),
    ("民盟，199506", Affiliation("中共党员", D(1995, 6, 1), "民盟")),
    ("无党派人士", Affiliation("无党派人士")),
    ("无党派", Affiliation("无党派人士")),
    ("群众", Affiliation("群众")),
    ("中共预备党员", Affiliation("中共预备党员")),
    ("202602 预备党员", Affiliation("中共预备党员", D(2026, 2, 1))),
    # a member as real forms write one
    ("民建会员", Affiliation("民主党派", None, "民建")),
    ("农工党党员", Affiliation("民主党派", None, "农工党")),
    ("九三学社社员", Affiliation("民主党派", None, "九三学社")),
    ("民盟盟员", Affiliation("民主党派", None, "民盟")),
    ("民革党员", Affiliation("民主党派", None, "民革")),
    ("致公党党员", Affiliation("民主党派", None, "致公党")),
    ("中国民主促进会会员", Affiliation("民主党派", None, "民进")),
    ("199506；民建会员", Affiliation("中共党员", D(1995, 6, 1), "民建")),
])
def test_parse_party_text(text, expected):
    assert parse_party_text(text) == expected


@pytest.mark.parametrize("text, words", [
    ("不详", "“不详”无法识别"),
    ("199513", "不是有效的年月"),
    ("19950230", "不是有效的年月"),
    ("199506；无党派人士", "自相矛盾"),
    ("民建；群众", "自相矛盾"),
    ("民建；民盟", "多个民主党派"),
    ("共青团员", "无法识别"),
    ("会员", "“会员”无法识别"),
    ("社员", "“社员”无法识别"),
    ("工会会员", "“工会会员”无法识别"),
    ("民建会员；民盟盟员", "多个民主党派"),
])
def test_parse_party_text_refuses(text, words):
    with pytest.raises(ValueError, match=words):
        parse_party_text(text)


@pytest.mark.parametrize("official", [
    _o("中共党员", D(1995, 6, 1)), _o("中共党员", D(1995, 6, 1), "民建"),
    _o("民主党派", None, "致公党"), _o("民主党派", None, "九三学社"),
    _o("无党派人士"), _o("群众"), _o(""),
])
def test_party_text_round_trips(official):
    back = parse_party_text(party_text(official))
    expected = official.political_status if official.political_status != "群众" else ""
    assert (back.political_status, back.party_date, back.democratic_party) == (
        expected, official.party_date, official.democratic_party)


def _check(**data):
    errors: dict[str, str] = {}
    out = check_affiliation(data, errors)
    return out, errors


@pytest.mark.parametrize("data, field, words", [
    ({"political_status": "中共党员"}, "party_date", "中共党员须填写入党时间"),
    ({"political_status": "中共预备党员"}, "party_date", "中共预备党员须填写入党时间"),
    ({"political_status": "民主党派"}, "democratic_party", "须选择所在党派"),
    ({"political_status": "民主党派", "democratic_party": "民建", "party_date": D(1995, 6, 1)},
     "party_date", "政治面貌选“中共党员”"),
    ({"political_status": "无党派人士", "democratic_party": "民建"}, "democratic_party",
     "不能填写民主党派"),
    ({"political_status": "群众", "party_date": D(1995, 6, 1)}, "party_date", "只有中共党员"),
    ({"political_status": "群众", "democratic_party_date": D(2001, 1, 1)}, "democratic_party",
     "不能填写民主党派"),
    ({"political_status": "中共党员", "party_date": D(1995, 6, 1),
      "democratic_party_date": D(2001, 1, 1)}, "democratic_party", "须选择所在党派"),
    ({"political_status": "共青团员"}, "political_status", "取值不在允许的范围内"),
    ({"political_status": "民主党派", "democratic_party": "民主党"}, "democratic_party",
     "取值不在允许的范围内"),
])
def test_check_affiliation_refuses(data, field, words):
    _out, errors = _check(**data)
    assert words in errors[field]


def test_check_affiliation_dates_not_in_future(app):
    with app.app_context():
        tomorrow = clock.today() + dt.timedelta(days=1)
        for field in ("party_date", "democratic_party_date"):
            data = {"political_status": "中共党员", "party_date": D(1995, 6, 1),
                    "democratic_party": "民建", field: tomorrow}
            _out, errors = _check(**data)
            assert errors[field] == "日期不能晚于今天。"
        _out, errors = _check(political_status="中共党员", party_date=clock.today())
        assert errors == {}


@pytest.mark.parametrize("data, status", [
    ({"party_date": D(1995, 6, 1)}, "中共党员"),  # old rows and imports without a status
    ({}, ""),
    ({"political_status": "民主党派", "democratic_party": "民建",
      "democratic_party_date": D(2003, 1, 1)}, "民主党派"),
    ({"political_status": "中共党员", "party_date": D(1995, 6, 1), "democratic_party": "民进"},
     "中共党员"),
])
def test_check_affiliation_accepts(data, status):
    out, errors = _check(**data)
    assert errors == {} and out["political_status"] == status
