"""Impact periods: per kind from the settings, chaining of 政务处分 and the 48-month cap.

Months are counted by 民法典 201–202: the decision day is not counted, the period ends
on the corresponding day of the last month (or that month's last day). These tests
once asserted an end one day earlier (decided 2020-03-01, 12 months → 2021-02-28):
that was the wrong rule.
"""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.discipline import queries, rules
from kaohe.discipline.queries import blocking_conditions
from kaohe.settings.registry import by_key
from tests import discipline_support as ds

D = dt.date
DECIDED = D(2020, 3, 1)


# Decided 2020-03-01 and, at a month's end, 2019-08-31 (no 31st in February, June, …).
@pytest.mark.parametrize("kind, months, end, end_from_aug31", [
    ("admonishment", 6, D(2020, 9, 1), D(2020, 2, 29)),
    ("party_warning", 12, D(2021, 3, 1), D(2020, 8, 31)),
    ("party_serious_warning", 18, D(2021, 9, 1), D(2021, 2, 28)),
    ("party_removal", 24, D(2022, 3, 1), D(2021, 8, 31)),
    ("party_probation", 36, D(2023, 3, 1), D(2022, 8, 31)),
    ("org_reassignment", 12, D(2021, 3, 1), D(2020, 8, 31)),
    ("org_resign", 24, D(2022, 3, 1), D(2021, 8, 31)),
    ("org_removal", 24, D(2022, 3, 1), D(2021, 8, 31)),
    ("org_demotion", 24, D(2022, 3, 1), D(2021, 8, 31)),
    ("admin_warning", 6, D(2020, 9, 1), D(2020, 2, 29)),
    ("admin_demerit", 12, D(2021, 3, 1), D(2020, 8, 31)),
    ("admin_major_demerit", 18, D(2021, 9, 1), D(2021, 2, 28)),
    ("admin_demotion", 24, D(2022, 3, 1), D(2021, 8, 31)),
    ("admin_dismissal", 24, D(2022, 3, 1), D(2021, 8, 31)),
])
def test_period_per_kind_from_defaults(make, kind, months, end, end_from_aug31):
    for decided, last in ((DECIDED, end), (D(2019, 8, 31), end_from_aug31)):
        f = ds.finding(make.official(), kind=kind, found=D(2019, 8, 1), decided=decided)
        period = queries.findings_with_periods(f.official_id)[0][1]
        assert (period.start, period.end, period.months) == (decided, last, months)
        assert period.covers(decided) and period.covers(last)
        assert not period.covers(last + dt.timedelta(days=1))
        assert not period.covers(decided - dt.timedelta(days=1))


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
    assert queries.findings_with_periods(f.official_id)[0][1].end == D(2020, 9, 1)


def test_new_sanction_during_a_running_one_adds_the_remaining_part(make):
    o = make.official()
    first = ds.finding(o, kind="admin_demerit", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    second = ds.finding(o, kind="admin_major_demerit", found=D(2020, 6, 1), decided=D(2020, 7, 1))
    periods = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))
    assert periods[first.id].end == D(2021, 1, 1)
    # Served through the second decision day; 2020-07-02 … 2021-01-01 is left: 184 days,
    # added to the second's own end (2020-07-01 + 18 months = 2022-01-01).
    assert periods[second.id].end == D(2022, 1, 1) + dt.timedelta(days=184) == D(2022, 7, 4)
    assert "未执行的 184 天" in periods[second.id].basis


@pytest.mark.parametrize("decided, end, chained", [
    (D(2020, 7, 13), D(2021, 1, 15), True),   # 2 days left: 2021-01-13 + 2
    (D(2020, 7, 14), D(2021, 1, 15), True),   # 1 day left: 2021-01-14 + 1
    (D(2020, 7, 15), D(2021, 1, 15), False),  # on the earlier last day: nothing left
    (D(2020, 7, 16), D(2021, 1, 16), False),  # after it: its own period only
])
def test_chaining_at_the_end_of_the_running_period(make, decided, end, chained):
    o = make.official()
    ds.finding(o, kind="admin_warning", found=D(2020, 1, 1), decided=D(2020, 1, 15))  # → 07-15
    second = ds.finding(o, kind="admin_warning", found=D(2020, 7, 1), decided=decided)
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[second.id]
    assert period.end == end and ("未执行" in period.basis) is chained
    blocked = [b.source for b in blocking_conditions(o.id, end)]
    assert f"discipline_finding:{second.id}" in blocked
    assert blocking_conditions(o.id, end + dt.timedelta(days=1)) == []


def test_combined_administrative_period_is_capped_at_48_months(make):
    o = make.official()
    ds.finding(o, kind="admin_dismissal", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    ds.finding(o, kind="admin_demotion", found=D(2019, 12, 1), decided=D(2020, 1, 2))
    third = ds.finding(o, kind="admin_major_demerit", found=D(2019, 12, 1), decided=D(2020, 1, 3))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[third.id]
    assert period.end == D(2024, 1, 3)  # 2020-01-03 + 48 months
    assert "最长 48 个月" in period.basis


@pytest.mark.parametrize("first_decided, end, capped", [
    # Dismissal 2020-01-01 → 2022-01-01; demotion 2020-01-02 → 2022-01-02 + 730 days left
    # = 2024-01-02: exactly the cap (2020-01-02 + 48 months), not beyond.
    (D(2020, 1, 1), D(2024, 1, 2), False),
    # Dismissal 2020-01-02 → 2022-01-02: 731 days left → 2024-01-03, one day over the cap.
    (D(2020, 1, 2), D(2024, 1, 2), True),
])
def test_combined_cap_at_its_boundary(make, first_decided, end, capped):
    o = make.official()
    ds.finding(o, kind="admin_dismissal", found=D(2019, 12, 1), decided=first_decided)
    second = ds.finding(o, kind="admin_demotion", found=D(2019, 12, 1), decided=D(2020, 1, 2))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[second.id]
    assert period.end == end and ("最长 48 个月" in period.basis) is capped
    assert [b.source for b in blocking_conditions(o.id, end)] == [
        f"discipline_finding:{second.id}"]  # the dismissal ended long before
    assert blocking_conditions(o.id, end + dt.timedelta(days=1)) == []


def test_cap_is_the_setting(make):
    ds.set_setting(rules.ADMIN_CAP_KEY, 30)
    o = make.official()
    ds.finding(o, kind="admin_dismissal", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    second = ds.finding(o, kind="admin_demotion", found=D(2019, 12, 1), decided=D(2020, 1, 2))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[second.id]
    assert period.end == D(2022, 7, 2)  # 2020-01-02 + 30 months


def test_party_and_administrative_periods_are_not_chained(make):
    o = make.official()
    ds.finding(o, kind="party_removal", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    admin = ds.finding(o, kind="admin_warning", found=D(2019, 12, 1), decided=D(2020, 2, 1))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[admin.id]
    assert period.end == D(2020, 8, 1)


def test_exempted_sanction_takes_no_part_in_chaining(make):
    o = make.official()
    first = ds.finding(o, kind="admin_demerit", found=D(2019, 12, 1), decided=D(2020, 1, 1))
    ds.exempt(first)
    second = ds.finding(o, kind="admin_warning", found=D(2020, 1, 5), decided=D(2020, 3, 1))
    period = dict((f.id, p) for f, p in queries.findings_with_periods(o.id))[second.id]
    assert period.end == D(2020, 9, 1)


def test_period_decided_for_several_sanctions_at_once(make):
    f = ds.finding(make.official(), kind="admin_demerit", decided=DECIDED, period_months=30)
    period = queries.findings_with_periods(f.official_id)[0][1]
    assert period.end == D(2022, 9, 1) and period.months == 30
