"""The date rules behind the reminders and the dossier windows, at their boundaries:
month ends, 31st → shorter months, leap years and 02-29, year turns, the
day itself vs the day after, settings at their limits.

Expected answers come from DOMAIN.md and the texts it cites:
* 民法典 201–202 (kaohe.core.periods): start day not counted, period ends on the
  corresponding day of the last month, or that month's last day when it has none.
* 全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13) and its tables:
  men 60 → 63 and women 55 → 58, one month later for every 4 months of original
  retirement from 2025-01; women 50 → 55, one month every 2 months. The tables give
  the new retirement *time* per birth *month* (born 1965-01 → 60岁1个月 → 2025年2月).
"""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.assessments.window import window_of
from kaohe.core.periods import age_on, period_end
from kaohe.discipline import services as discipline
from kaohe.extensions import db
from kaohe.moves.services import publicity
from kaohe.moves.workdays import WorkCalendar, add_working_days, working_days_between
from kaohe.settings import services as settings
from kaohe.todos import registry
from kaohe.todos import settings as cfg
from kaohe.todos.dates import RetirementRule, month_index
from tests import discipline_support as ds
from tests import discussions_support as s
from tests import moves_support as ms
from tests.test_todos import user

D = dt.date


def kinds(username: str, today: dt.date, kind: str) -> list:
    return [t for t in registry.members(user(username), kind, today=today)]


def of(todos, key, value):
    return [t for t in todos if t.ids.get(key) == value]


# -- 渐进式延迟退休: the statutory table, per birth month ------------------------------

MEN, WOMEN_55, WOMEN_50 = RetirementRule(60, 4, 36), RetirementRule(55, 4, 36), \
    RetirementRule(50, 2, 60)


@pytest.mark.parametrize("rule,born,months", [
    (MEN, (1964, 12), 60 * 12),            # original retirement 2024-12: no delay
    (MEN, (1965, 1), 60 * 12 + 1),         # 2025-01: one month
    (MEN, (1965, 4), 60 * 12 + 1),
    (MEN, (1965, 5), 60 * 12 + 2),
    (MEN, (1976, 8), 62 * 12 + 11),
    (MEN, (1976, 9), 63 * 12),             # reaches 63
    (MEN, (1990, 1), 63 * 12),             # capped
    (WOMEN_55, (1969, 12), 55 * 12),
    (WOMEN_55, (1970, 1), 55 * 12 + 1),
    (WOMEN_55, (1981, 8), 57 * 12 + 11),
    (WOMEN_55, (1981, 9), 58 * 12),
    (WOMEN_50, (1975, 1), 50 * 12 + 1),
    (WOMEN_50, (1975, 3), 50 * 12 + 2),
    (WOMEN_50, (1984, 10), 54 * 12 + 11),
    (WOMEN_50, (1984, 11), 55 * 12),
])
def test_retirement_age_in_months_matches_the_statutory_table(rule, born, months):
    assert rule.months(month_index(*born)) == months


# Found in review: born on the 29th-31st, the retirement was put in the month AFTER the
# statutory one whenever that month lacks the day (the delay made this common).
@pytest.mark.parametrize("rule,birth,month", [
    (MEN, D(1965, 1, 1), (2025, 2)),
    (MEN, D(1965, 1, 28), (2025, 2)),
    (MEN, D(1965, 1, 29), (2025, 2)),   # was 2025-03-01
    (MEN, D(1965, 1, 31), (2025, 2)),   # was 2025-03-01
    (MEN, D(1966, 10, 31), (2027, 4)),  # was 2027-05-01
    (WOMEN_55, D(1970, 3, 31), (2025, 4)),  # was 2025-05-01
    (WOMEN_55, D(1972, 2, 29), (2027, 9)),  # 55岁7个月: 2027-09-29 exists
    (MEN, D(1965, 11, 30), (2026, 2)),  # was 2026-03-01
    (MEN, D(1965, 11, 29), (2026, 2)),  # was 2026-03-01
])
def test_retirement_falls_in_the_statutory_month(rule, birth, month):
    """The decision's tables give the new retirement *time* per birth month
    (出生时间 1965年1月 → 改革后退休时间 2025年2月, for every day of January 1965). A
    birth day the month lacks was carried to the 1st of the NEXT month (born 1965-01-31
    "reached" 60岁1个月 on 2025-03-01 and was missing from January's list); by 民法典 202
    (kaohe.core.periods.period_end) the day is 2025-02-28, inside the statutory month."""
    reached = rule.reached_on(birth)
    assert (reached.year, reached.month) == month, reached


def test_retirement_reminder_lists_the_statutory_month(req):
    """(same cause as above, seen on the home page): a man born 1965-01-31 retires in
    2025年2月 by the statutory table; on 2025-01-20 (this month or next: January,
    February) the 到龄 list should name him; the code computes 2025-03-01 and leaves
    him out until February, then prints 2025-03-01."""
    o = req.official(name="月末生", birth=D(1965, 1, 31), gender="M", rank="正科级")
    found = of(kinds("organization", D(2025, 1, 20), "retirement"), "official_id", o.id)
    assert len(found) == 1
    assert (found[0].due.year, found[0].due.month) == (2025, 2), found[0].due


@pytest.mark.parametrize("rule", [RetirementRule(70, 1, 120), RetirementRule(45, 24, 120),
                                  RetirementRule(50, 1, 0), RetirementRule(63, 3, 7)])
@pytest.mark.parametrize("month", [(2025, 1), (2025, 2), (2029, 2), (2031, 12), (2040, 3)])
def test_birth_ranges_agree_with_reached_on_at_setting_limits(rule, month):
    """The SQL birth ranges of 到龄 select exactly those whose computed day falls in the
    month, at the settings' limits (step 1 and 24, cap 0 and 120, ages 45 and 70)."""
    index = month_index(*month)
    ranges = rule.birth_ranges([index])
    day, last = D(1940, 1, 1), D(1996, 12, 31)
    while day <= last:
        reached = rule.reached_on(day)
        inside = any(lo <= day <= hi for lo, hi in ranges)
        assert inside == (month_index(reached.year, reached.month) == index), day
        day += dt.timedelta(days=1)


# -- 缺年度考核: who is counted ----------------------------------------------------------

def _missing(today: dt.date, unit_id: int) -> int:
    todos = of(kinds("organization", today, "annual_missing"), "unit_id", unit_id)
    if not todos:
        return 0
    return int(todos[0].title.split("：")[1].split(" ")[0])


def test_annual_missing_leaves_out_a_retired_official(req):
    """kaohe/todos/people.py annual_missing: the count has no
    ``_not_retired`` condition, which every other reminder about officials uses (the
    module's one record of an official out of service). An official whose 退休 was
    issued on 2020-04-21 has no 2021 annual assessment to record, yet on 2022-01-10
    the unit is told "1 名干部缺 2021 年度考核结果", and every year after."""

    unit = req.unit(name="退休区")
    d = s.discussion()  # 2020-04-10
    o = s.official(name="已退休", unit_obj=unit)
    it = s.ready_item(d, o, action="retire", post="")
    ms.held(d, it)
    publicity.record_appointment(it, {"appointed_on": D(2020, 4, 21),
                                      "doc_number": "X组任〔2020〕13号"}, today=D(2020, 4, 21))
    assert _missing(D(2022, 1, 10), unit.id) == 0


def test_annual_missing_leaves_out_a_deleted_official(req):
    unit = req.unit(name="删档区")
    o = req.official(name="删档", unit_obj=unit)
    assert _missing(D(2026, 1, 10), unit.id) == 1
    o.soft_delete()
    db.session.flush()
    assert _missing(D(2026, 1, 10), unit.id) == 0


def test_deleted_official_has_no_retirement_or_probation_reminder(req):
    settings.set_value(cfg.DELAY_STEP, 0)
    unit = req.unit()
    o = req.official(name="删档乙", birth=D(1966, 3, 15), unit_obj=unit)
    post = req.post(o, unit, start=D(2025, 3, 15), probation_months=12)
    today = D(2026, 3, 1)
    assert of(kinds("organization", today, "retirement"), "official_id", o.id)
    assert of(kinds("organization", today, "probation"), "post_id", post.id)
    o.soft_delete()
    db.session.flush()
    assert not of(kinds("organization", today, "retirement"), "official_id", o.id)
    assert not of(kinds("organization", today, "probation"), "post_id", post.id)


# -- 试用期满 --------------------------------------------------------------------------

@pytest.mark.parametrize("start,months,end", [
    (D(2024, 2, 29), 12, D(2025, 2, 28)),   # 试用期一年 from a leap day
    (D(2023, 2, 28), 12, D(2024, 2, 28)),   # not carried to 02-29
    (D(2024, 12, 31), 2, D(2025, 2, 28)),   # over the year turn to a short month
    (D(2023, 8, 31), 6, D(2024, 2, 29)),
    (D(2024, 1, 31), 24, D(2026, 1, 31)),   # the form's limit
])
def test_probation_end_at_month_ends(req, start, months, end):
    unit = req.unit()
    o = req.official(unit_obj=unit)
    post = req.post(o, unit, start=start, probation_months=months)
    assert post.probation_end == end
    on_day = of(kinds("organization", end, "probation"), "post_id", post.id)
    assert [t.due for t in on_day] == [end] and "届满" in on_day[0].title
    assert "已届满" not in on_day[0].title  # the last day itself is not past
    after = of(kinds("organization", end + dt.timedelta(days=1), "probation"), "post_id",
               post.id)
    assert "已届满" in after[0].title and after[0].urgency == 0


# -- 影响期届满 -------------------------------------------------------------------------

def _closed(o, decided, kind):
    return discipline.save_finding(o, None, {
        "found_date": decided - dt.timedelta(days=10), "source": "petition", "kind": kind,
        "status": "closed", "decision_date": decided, "period_months": None,
        "summary": "违反工作纪律", "details": ""})


@pytest.mark.parametrize("decided,kind,end", [
    (D(2019, 8, 31), "admin_warning", D(2020, 2, 29)),          # 6 → leap day
    (D(2018, 8, 31), "party_serious_warning", D(2020, 2, 29)),  # 18 months
    (D(2018, 2, 28), "admin_demotion", D(2020, 2, 28)),         # 24: not carried to 29
    (D(2019, 12, 31), "admin_demerit", D(2020, 12, 31)),        # year turn
    (D(2019, 6, 30), "admonishment", D(2019, 12, 30)),
])
def test_impact_ending_on_its_last_day_and_not_after(req, decided, kind, end):
    o = req.official()
    f = _closed(o, decided, kind)
    for role, k in (("organization", "impact_ending"), ("discipline", "finding_impact_ending")):
        assert [t.due for t in of(kinds(role, end, k), "finding_id", f.id)] == [end]
        assert not of(kinds(role, end + dt.timedelta(days=1), k), "finding_id", f.id)
    assert discipline.blocking_conditions(o.id, end)
    assert not discipline.blocking_conditions(o.id, end + dt.timedelta(days=1))


@pytest.mark.parametrize("months", [1, 2, 3])
def test_impact_ending_with_short_configured_periods(req, months):
    """Settings at their low end: the query's month margins still find the finding."""
    settings.set_value("discipline.impact.admonishment", months)
    o = req.official()
    decided = D(2024, 12, 31)
    f = _closed(o, decided, "admonishment")
    end = period_end(decided, months)
    for today in (end - dt.timedelta(days=30), end):
        assert [t.due for t in of(kinds("organization", today, "impact_ending"),
                                  "finding_id", f.id)] == [end], today


def test_impact_ending_horizon_at_its_limit(req):
    settings.set_value(cfg.IMPACT_DAYS, 180)
    o = req.official()
    f = _closed(o, D(2023, 8, 31), "party_removal")  # 24 months → 2025-08-31
    end = D(2025, 8, 31)
    assert of(kinds("organization", end - dt.timedelta(days=180), "impact_ending"),
              "finding_id", f.id)
    assert not of(kinds("organization", end - dt.timedelta(days=181), "impact_ending"),
                  "finding_id", f.id)


# -- 党风廉政意见: expiring before the meeting --------------------------------------------

@pytest.mark.parametrize("meeting,kind", [
    (D(2020, 2, 29), None),                # valid through its last day
    (D(2020, 3, 1), "opinion_expiring"),   # the day after: expired at the meeting
])
def test_opinion_expiring_before_the_meeting(req, meeting, kind):

    o = req.official(name="意见甲")
    ds.opinion(o, requested=D(2019, 11, 20), outcome=1, answered=D(2019, 11, 30))
    # 3 months from 2019-11-30 → 2020-02-29
    d = s.discussion(date=meeting)
    it = s.item(d, o)
    today = D(2020, 2, 20)
    found = [t for t in registry.compute(user("organization"), today)
             if t.kind.startswith("opinion_") and t.ids.get("item_id") == it.id]
    assert [t.kind for t in found] == ([kind] if kind else [])
    if kind:
        assert found[0].due == D(2020, 2, 29) and "2020-02-29 到期" in found[0].title
        assert found[0].details[-1].endswith("须在会前重新征求")


@pytest.mark.parametrize("asked", [D(2020, 2, 10), D(2020, 2, 20)])
def test_opinion_expiring_with_a_new_request_waiting(req, asked):
    """Asked again and not yet answered: the reminder stays (the answer must arrive before
    the meeting) but says it was asked, not that it must be."""
    o = req.official(name="意见乙")
    ds.opinion(o, requested=D(2019, 11, 20), outcome=1, answered=D(2019, 11, 30))
    ds.opinion(o, requested=D(2020, 1, 5), outcome=1, answered=D(2020, 1, 6))  # older
    ds.opinion(o, requested=asked)
    d = s.discussion(date=D(2020, 5, 6))
    it = s.item(d, o)
    [t] = [t for t in registry.compute(user("organization"), D(2020, 2, 20))
           if t.kind.startswith("opinion_") and t.ids.get("item_id") == it.id]
    assert t.kind == "opinion_expiring" and "2020-04-06 到期" in t.title
    assert t.details == (f"回复日期 2020-01-06（未收到问题线索），已于 {asked.isoformat()} "
                         "重新征求，待纪委回复（须在会前收到）",)


# -- 近三年考核 window -----------------------------------------------------------------

@pytest.mark.parametrize("as_of,concludes,years", [
    (D(2024, 2, 28), "02-29", (2020, 2021, 2022)),  # 2023 concludes 2024-02-29
    (D(2024, 2, 29), "02-29", (2021, 2022, 2023)),
    (D(2025, 2, 28), "02-29", (2022, 2023, 2024)),  # common year: 02-28
    (D(2025, 12, 31), "12-31", (2022, 2023, 2024)),  # 2024 concludes this day
    (D(2025, 12, 30), "12-31", (2021, 2022, 2023)),
    (D(2025, 1, 1), "01-01", (2022, 2023, 2024)),
    (D(2024, 12, 31), "01-01", (2021, 2022, 2023)),
])
def test_window_at_the_conclusion_day(as_of, concludes, years):
    assert window_of(as_of, 3, concludes).years == years


# -- 任前公示 working days ---------------------------------------------------------------

SPRING_2024 = WorkCalendar(
    holidays=frozenset(D(2024, 2, d) for d in range(10, 18)),
    workdays=frozenset({D(2024, 2, 4), D(2024, 2, 18)}))
NEW_YEAR_2021 = WorkCalendar(holidays=frozenset({D(2021, 1, 1)}))


@pytest.mark.parametrize("cal,start,end", [
    (SPRING_2024, D(2024, 2, 7), D(2024, 2, 19)),   # 7, 8, 9, 18 (Sunday, 调休), 19
    (SPRING_2024, D(2024, 2, 4), D(2024, 2, 8)),    # starts on the 调休 Sunday
    (NEW_YEAR_2021, D(2020, 12, 28), D(2021, 1, 4)),  # over the year turn and 元旦
    (WorkCalendar(), D(2024, 2, 26), D(2024, 3, 1)),  # over 02-29
])
def test_five_working_days(cal, start, end):
    assert add_working_days(start, 5, cal) == end
    assert working_days_between(start, end, cal) == 5
    assert working_days_between(start, end - dt.timedelta(days=1), cal) == 4


def test_appointment_only_after_the_publicity_ends(req):

    d, it, made = ms.ready_to_appoint(name="公示丙")
    assert made.end_on == ms.END  # 2020-04-17
    assert publicity.appointment_problems(it, ms.END, today=D(2020, 4, 20))
    assert not publicity.appointment_problems(it, ms.END + dt.timedelta(days=1),
                                              today=D(2020, 4, 20))


# -- age ---------------------------------------------------------------------------------

@pytest.mark.parametrize("birth,day,age", [
    (D(1964, 2, 29), D(2024, 2, 28), 59),
    (D(1964, 2, 29), D(2024, 2, 29), 60),
    (D(1965, 12, 31), D(2025, 12, 31), 60),
    (D(1965, 12, 31), D(2025, 12, 30), 59),
    (D(1965, 1, 1), D(2024, 12, 31), 59),
])
def test_age_on(birth, day, age):
    assert age_on(birth, day) == age
