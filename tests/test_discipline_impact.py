"""Impact periods: per kind from the settings, chaining of 政务处分 and the 48-month cap."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.discipline import impact, queries, rules
from kaohe.settings.registry import by_key
from tests import discipline_support as ds

D = dt.date
DECIDED = D(2020, 3, 1)


@pytest.mark.parametrize("kind, months, end", [
    ("admonishment", 6, D(2020, 8, 31)),
    ("party_warning", 12, D(2021, 2, 28)),
    ("party_serious_warning", 18, D(2021, 8, 31)),
    ("party_removal", 24, D(2022, 2, 28)),
    ("party_probation", 36, D(2023, 2, 28)),
    ("org_reassignment", 12, D(2021, 2, 28)),
    ("org_resign", 24, D(2022, 2, 28)),
    ("org_removal", 24, D(2022, 2, 28)),
    ("org_demotion", 24, D(2022, 2, 28)),
    ("admin_warning", 6, D(2020, 8, 31)),
    ("admin_demerit", 12, D(2021, 2, 28)),
    ("admin_major_demerit", 18, D(2021, 8, 31)),
    ("admin_demotion", 24, D(2022, 2, 28)),
    ("admin_dismissal", 24, D(2022, 2, 28)),
])
def test_period_per_kind_from_defaults(make, kind, months, end):
    f = ds.finding(make.official(), kind=kind, decided=DECIDED)
    period = queries.findings_with_periods(f.official_id)[0][1]
    assert (period.start, period.end, period.months) == (DECIDED, end, months)
    assert period.covers(end) and not period.covers(end + dt.timedelta(days=1))
    assert not period.covers(DECIDED - dt.timedelta(days=1))


@pytest.mark.parametrize("kind", ["talk_inquiry", "reminder_talk", "criticism", "org_suspension"])
def test_kinds_without_impact(make, kind):
    f = ds.finding(make.official(), kind=kind)
    assert queries.findings_with_periods(f.official_id)[0][1] is None


@pytest.mark.parametrize("kind", ["party_expulsion", "admin_expulsion"])
def test_expulsions_never_end(make, kind):
    f = ds.finding(make.official(), kind=kind)
    period = queries.findings_with_periods(f.official_id)[0][1]
    assert period.permanent and period.covers(D(2060, 1, 1)) and "长期" in period.label


def test_open_cases_have_no_period_yet(make):
    f = ds.finding(make.official(), status="investigation", decided=None)
    assert queries.findings_with_periods(f.official_id)[0][1] is None


def test_every_timed_kind_and_the_cap_are_registered_settings():
    defs = by_key()
    for kind in rules.TIMED_KINDS:
        assert rules.IMPACT_KEY.format(kind) in defs
    assert defs[rules.ADMIN_CAP_KEY].default == 48
    assert defs[rules.OPINION_VALIDITY_KEY].default == 3
    expected = {"admonishment": 6, "party_warning": 12, "party_serious_warning": 18,
                "party_removal": 24, "admin_warning": 6, "admin_demerit": 12,
                "admin_major_demerit": 18, "admin_demotion": 24, "admin_dismissal": 24}
    for kind, months in expected.items():
        assert defs[rules.IMPACT_KEY.format(kind)].default == months


def test_changed_setting_changes_the_period(make):
    ds.set_setting(rules.IMPACT_KEY.format("party_warning"), 6)
    f = ds.finding(make.official(), kind="party_warning", decided=DECIDED)
    assert queries.findings_with_periods(f.official_id)[0][1].end == D(2020, 8, 31)


def test_new_sanction_during_a_running_one_adds_the_remaining_part(make):
    o = make.official()
    first = ds.finding(o, kind="admin_demerit", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    second = ds.finding(o, kind="admin_major_demerit", found=D(2020, 6, 1), decided=D(2020, 7, 1))
    periods = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))
    assert periods[first.id].end == D(2020, 12, 31)
    remaining = (D(2020, 12, 31) - D(2020, 7, 1)).days + 1  # 184 days not yet served
    assert periods[second.id].end == D(2021, 12, 31) + dt.timedelta(days=remaining)
    assert "未执行" in periods[second.id].basis


def test_combined_administrative_period_is_capped_at_48_months(make):
    o = make.official()
    ds.finding(o, kind="admin_dismissal", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    ds.finding(o, kind="admin_demotion", found=D(2019, 12, 1), decided=D(2020, 1, 2))
    third = ds.finding(o, kind="admin_major_demerit", found=D(2019, 12, 1), decided=D(2020, 1, 3))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[third.id]
    assert period.end == D(2024, 1, 2)  # 2020-01-03 + 48 months - 1 day
    assert "最长 48 个月" in period.basis


def test_cap_is_the_setting(make):
    ds.set_setting(rules.ADMIN_CAP_KEY, 30)
    o = make.official()
    ds.finding(o, kind="admin_dismissal", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    second = ds.finding(o, kind="admin_demotion", found=D(2019, 12, 1), decided=D(2020, 1, 2))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[second.id]
    assert period.end == D(2022, 7, 1)


def test_party_and_administrative_periods_are_not_chained(make):
    o = make.official()
    ds.finding(o, kind="party_removal", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    admin = ds.finding(o, kind="admin_warning", found=D(2019, 12, 1), decided=D(2020, 2, 1))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[admin.id]
    assert period.end == D(2020, 7, 31)


def test_exempted_sanction_takes_no_part_in_chaining(make):
    o = make.official()
    first = ds.finding(o, kind="admin_demerit", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    ds.exempt(first)
    second = ds.finding(o, kind="admin_warning", found=D(2020, 1, 5), decided=D(2020, 3, 1))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[second.id]
    assert period.end == D(2020, 8, 31)


def test_period_decided_for_several_sanctions_at_once(make):
    f = ds.finding(make.official(), kind="admin_demerit", decided=DECIDED, period_months=30)
    period = queries.findings_with_periods(f.official_id)[0][1]
    assert period.end == D(2022, 8, 31) and period.months == 30


@pytest.mark.parametrize("day, months, expected", [
    (D(2020, 1, 31), 1, D(2020, 2, 29)),
    (D(2021, 1, 31), 1, D(2021, 2, 28)),
    (D(2020, 11, 15), 3, D(2021, 2, 15)),
    (D(2020, 3, 1), 48, D(2024, 3, 1)),
])
def test_add_months(day, months, expected):
    assert impact.add_months(day, months) == expected
