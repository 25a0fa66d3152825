"""party_conduct_deductions: only higher-level / inspection / media sources cost points,
never self-found, exempted, cleared or open findings; attributed by the post on the
finding date; points per kind category are settings."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.discipline import rules
from kaohe.discipline.services import party_conduct_deductions
from tests import discipline_support as ds

D = dt.date
YEAR = (D(2020, 1, 1), D(2020, 12, 31))


@pytest.fixture
def world(make):
    unit = make.unit(name="东城区")
    official = make.official(unit_obj=unit)
    make.post(official, unit, start=D(2016, 1, 1), principal=True)
    return unit, official


@pytest.mark.parametrize("source, costs", [
    ("self_found", False), ("petition", False), ("audit", False),
    ("higher_level", True), ("inspection", True), ("media", True),
])
def test_only_higher_level_and_media_sources_cost(world, source, costs):
    unit, official = world
    ds.finding(official, source=source, kind="party_warning")
    items = party_conduct_deductions(unit.id, *YEAR)
    if not costs:
        assert items == []
        return
    [item] = items
    assert item.points == 3.0 and item.unit_id == unit.id and item.official_id == official.id
    assert rules.SOURCES[source] in item.reason and "党纪处分·警告" in item.reason
    assert "扣 3 分" in item.reason and ds.SECRET not in item.reason


def test_exempted_and_cleared_cost_nothing(world):
    unit, official = world
    f = ds.finding(official, source="media", kind="admonishment")
    ds.exempt(f)
    ds.finding(official, source="media", kind="talk_inquiry", status="cleared")
    ds.finding(official, source="media", kind="pending", status="investigation", decided=None)
    assert party_conduct_deductions(unit.id, *YEAR) == []


def test_points_per_category_follow_the_settings(world):
    unit, official = world
    ds.finding(official, source="media", kind="admin_demerit", decided=D(2020, 3, 1))
    ds.finding(official, source="inspection", kind="reminder_talk", decided=D(2020, 4, 1))
    ds.set_setting(rules.DEDUCT_KEY.format("administrative"), 4.5)
    items = party_conduct_deductions(unit.id, *YEAR)
    assert [(i.kind, i.points) for i in items] == [("admin_demerit", 4.5), ("reminder_talk", 0.5)]
    ds.set_setting(rules.DEDUCT_KEY.format("talk"), 0)
    assert [i.kind for i in party_conduct_deductions(unit.id, *YEAR)] == ["admin_demerit"]


def test_window_is_by_decision_date(world):
    unit, official = world
    ds.finding(official, found=D(2019, 11, 1), decided=D(2020, 1, 1))
    ds.finding(official, found=D(2020, 11, 1), decided=D(2021, 1, 1))
    assert [i.date for i in party_conduct_deductions(unit.id, *YEAR)] == [D(2020, 1, 1)]


def test_finding_counts_against_the_unit_of_the_post_held_on_the_finding_date(make):
    old_unit, new_unit = make.unit(name="西城区"), make.unit(name="南城区")
    official = make.official(unit_obj=new_unit)
    make.post(official, old_unit, start=D(2015, 1, 1), end=D(2019, 12, 31))
    make.post(official, new_unit, start=D(2020, 1, 1), principal=True)
    f = ds.finding(official, found=D(2019, 6, 1), decided=D(2020, 3, 1))
    assert f.unit_id == old_unit.id
    assert len(party_conduct_deductions(old_unit.id, *YEAR)) == 1
    assert party_conduct_deductions(new_unit.id, *YEAR) == []


def test_without_a_post_the_official_unit_is_used(make):
    unit = make.unit()
    official = make.official(unit_obj=unit)
    f = ds.finding(official)
    assert f.unit_id == unit.id
    assert party_conduct_deductions(unit.id, *YEAR)[0].as_dict()["date"] == "2020-03-01"
