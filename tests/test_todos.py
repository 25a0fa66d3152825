"""To-do kinds at their boundaries (issue 14.1): retirement month turns and 02-29,
probation ending on a month end, 任现职满 5/10 years ± 1 day, impact periods, missing
annual results at the year turn, opinion requests, recusal."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.core.periods import age_on, period_end
from kaohe.discipline import services as discipline
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.todos import registry
from kaohe.todos import settings as cfg
from kaohe.todos.dates import RetirementRule, full_months_day, month_index, years_ago
from kaohe.todos.people import RETIREMENT_OVERDUE_MONTHS, retirement_rule


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def kinds(username: str, today: dt.date, kind: str) -> list:
    return [t for t in registry.compute(user(username), today) if t.kind == kind]


# -- pure date rules ---------------------------------------------------------------

@pytest.mark.parametrize("start,months,expected", [
    (dt.date(2000, 1, 31), 1, dt.date(2000, 3, 1)),  # no 02-31: the 1st of the next month
    (dt.date(2000, 2, 29), 12, dt.date(2001, 3, 1)),  # like age_on in a common year
    (dt.date(2000, 2, 29), 48, dt.date(2004, 2, 29)),
    (dt.date(1999, 12, 31), 2, dt.date(2000, 3, 1)),
    (dt.date(2016, 12, 3), 120, dt.date(2026, 12, 3)),
])
def test_full_months_day_agrees_with_age_on(start, months, expected):
    day = full_months_day(start, months)
    assert day == expected
    if months % 12 == 0:
        assert age_on(start, day) == months // 12
        assert age_on(start, day - dt.timedelta(days=1)) == months // 12 - 1


@pytest.mark.parametrize("birth,age,step,cap,expected", [
    (dt.date(1964, 12, 15), 60, 4, 36, dt.date(2024, 12, 15)),  # before 2025: no delay
    (dt.date(1965, 1, 15), 60, 4, 36, dt.date(2025, 2, 15)),    # 2025-01: one month
    (dt.date(1965, 4, 30), 60, 4, 36, dt.date(2025, 5, 30)),    # still one month
    (dt.date(1965, 5, 1), 60, 4, 36, dt.date(2025, 7, 1)),      # 2025-05: two months
    (dt.date(1976, 12, 1), 55, 4, 36, dt.date(2033, 9, 1)),     # 2031-12: 21 months
    (dt.date(1985, 1, 1), 55, 4, 36, dt.date(2043, 1, 1)),      # capped at 36 months
    (dt.date(1968, 2, 29), 57, 0, 0, dt.date(2025, 2, 28)),     # 02-29: February still
    (dt.date(1964, 2, 29), 60, 0, 0, dt.date(2024, 2, 29)),     # in a leap year
    (dt.date(1966, 10, 31), 60, 4, 36, dt.date(2027, 4, 30)),   # 60y6m: no 04-31, April
    (dt.date(1965, 1, 31), 60, 4, 36, dt.date(2025, 2, 28)),    # 60y1m: February's last
    (dt.date(1965, 11, 29), 60, 4, 36, dt.date(2026, 2, 28)),   # 60y3m: no 2026-02-29
])
def test_retirement_day(birth, age, step, cap, expected):
    assert RetirementRule(age, step, cap).reached_on(birth) == expected


@pytest.mark.parametrize("rule", [RetirementRule(60, 4, 36), RetirementRule(55, 4, 36),
                                  RetirementRule(57, 0, 0), RetirementRule(50, 2, 60)])
@pytest.mark.parametrize("month", [(2025, 2), (2025, 3), (2026, 12), (2027, 1), (2028, 2)])
def test_birth_ranges_are_exactly_those_reaching_in_the_month(rule, month):
    index = month_index(*month)
    ranges = rule.birth_ranges([index])
    day, last = dt.date(1955, 1, 1), dt.date(1985, 12, 31)
    while day <= last:
        reached = rule.reached_on(day)
        inside = any(lo <= day <= hi for lo, hi in ranges)
        assert inside == (month_index(reached.year, reached.month) == index), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("day,years,expected", [
    (dt.date(2028, 2, 29), 5, dt.date(2023, 2, 28)),
    (dt.date(2026, 2, 28), 2, dt.date(2024, 2, 28)),
    (dt.date(2026, 12, 31), 10, dt.date(2016, 12, 31)),
])
def test_years_ago(day, years, expected):
    assert years_ago(day, years) == expected
    assert age_on(expected, day) == years
    assert age_on(expected + dt.timedelta(days=1), day) == years - 1


# -- kinds against the database ------------------------------------------------------

@pytest.mark.parametrize("offset,listed", [
    (-RETIREMENT_OVERDUE_MONTHS - 1, False), (-RETIREMENT_OVERDUE_MONTHS, True), (-1, True),
    (0, True), (1, True), (2, False)])
@pytest.mark.parametrize("today", [dt.date(2026, 11, 30), dt.date(2026, 12, 1),
                                   dt.date(2026, 12, 31)])
def test_retirement_this_month_or_next(req, today, offset, listed):
    """Listed when the day falls in today's month or the next one (year turn included),
    and for RETIREMENT_OVERDUE_MONTHS after it while no 退休 is issued (a November case
    nobody handled is still there in December). Without the gradual increase, every month
    has officials reaching the age (with it, one month in five has none:
    test_birth_ranges_are_exactly_those_reaching_in_the_month)."""
    settings.set_value(cfg.DELAY_STEP, 0)
    month = month_index(today.year, today.month) + offset
    rule = retirement_rule("M", "正科级")
    lo, hi = rule.birth_ranges([month])[0]
    o = req.official(name="到龄甲", birth=hi, rank="正科级")
    found = [t for t in kinds("organization", today, "retirement") if t.ids["official_id"] == o.id]
    assert bool(found) == listed
    if listed:
        reached = rule.reached_on(hi)
        assert found[0].due == reached and reached.isoformat() in found[0].title
        assert found[0].url == f"/officials/{o.id}"


@pytest.mark.parametrize("gender,rank,age", [
    ("F", "正处级", 60), ("F", "正科级", 55), ("M", "正处级", 60),
    ("F", "四级调研员", 60), ("F", "二级巡视员", 60), ("F", "一级主任科员", 55)])
def test_retirement_age_by_gender_and_rank(req, gender, rank, age):
    settings.set_value(cfg.DELAY_STEP, 0)
    today = dt.date(2026, 3, 10)
    birth = dt.date(2026 - age, 3, 31)
    o = req.official(name="到龄乙", birth=birth, gender=gender, rank=rank)
    [t] = [t for t in kinds("organization", today, "retirement") if t.ids["official_id"] == o.id]
    assert t.due == dt.date(2026, 3, 31) and f"{age} 周岁" in t.title


def test_retirement_born_on_02_29(req):
    settings.set_value(cfg.DELAY_STEP, 0)
    settings.set_value(cfg.RETIRE_MALE, 57)
    o = req.official(name="闰日生", birth=dt.date(1968, 2, 29))
    def ids(day):
        return [t.ids["official_id"] for t in kinds("organization", day, "retirement")]
    assert o.id in ids(dt.date(2025, 2, 15))  # reaches 57 on 2025-02-28: born in February
    assert o.id in ids(dt.date(2025, 1, 15))  # next month
    assert o.id not in ids(dt.date(2024, 12, 31))  # two months ahead
    assert o.id in ids(dt.date(2026, 2, 28))  # reached, no 退休 issued: a year on
    assert o.id not in ids(dt.date(2026, 3, 1))
    [t] = [t for t in kinds("organization", dt.date(2025, 2, 15), "retirement")
           if t.ids["official_id"] == o.id]
    assert t.due == dt.date(2025, 2, 28)


@pytest.mark.parametrize("today,listed", [
    (dt.date(2025, 1, 28), False),  # 31 days before the end
    (dt.date(2025, 1, 29), True),   # 30 days before (the setting)
    (dt.date(2025, 2, 28), True),   # the last day
    (dt.date(2026, 2, 28), True),   # 365 days after, no probation assessment
    (dt.date(2026, 3, 1), False),
])
def test_probation_ending_on_a_month_end(req, today, listed):
    unit = req.unit()
    o = req.official(unit_obj=unit)
    post = req.post(o, unit, start=dt.date(2024, 1, 31), probation_months=13)
    assert post.probation_end == period_end(dt.date(2024, 1, 31), 13) == dt.date(2025, 2, 28)
    found = kinds("organization", today, "probation")
    assert [t.ids["post_id"] for t in found] == ([post.id] if listed else [])
    if listed:
        assert found[0].due == dt.date(2025, 2, 28) and "2025-02-28" in found[0].title
        assert found[0].urgency == (0 if today > dt.date(2025, 2, 28) else 1 if
                                    (dt.date(2025, 2, 28) - today).days <= 7 else 2)


def test_probation_done_once_on_a_discussion(req, today):
    from kaohe.discussions.services import agenda
    unit = req.unit()
    o = req.official(unit_obj=unit)
    start = years_ago(today, 1)
    req.post(o, unit, start=start, probation_months=12)
    assert [t.ids["official_id"] for t in kinds("organization", today, "probation")] == [o.id]
    d = agenda.save_discussion(None, {"kind": "standing", "date": today, "title": "常委会",
                                      "member_names": "甲\n乙"})
    agenda.save_item(d, None, {"official_id": str(o.id), "action": "probation",
                               "proposed_post": "区长", "reason": "试用期满"})
    assert kinds("organization", today, "probation") == []


START = dt.date(2016, 2, 29)  # 5 years on 2021-03-01, 10 on 2026-03-01


@pytest.mark.parametrize("today,kind,urgency", [
    (dt.date(2021, 2, 28), None, None),
    (dt.date(2021, 3, 1), "rotation", 1),
    (dt.date(2021, 3, 2), None, None),
    (dt.date(2026, 2, 28), None, None),
    (dt.date(2026, 3, 1), "rotation_must", 0),
    (dt.date(2027, 3, 1), "rotation_must", 0),  # stays until the official is moved
])
def test_years_in_post_exactly(req, today, kind, urgency):
    settings.set_value(cfg.ROTATION_DAYS, 0)
    unit = req.unit()
    o = req.official(unit_obj=unit)
    post = req.post(o, unit, start=START)
    found = [t for t in registry.compute(user("organization"), today)
             if t.kind in ("rotation", "rotation_must") and t.ids["post_id"] == post.id]
    assert [(t.kind, t.urgency) for t in found] == ([(kind, urgency)] if kind else [])


@pytest.mark.parametrize("start,end,kind", [
    (dt.date(2021, 12, 3), None, "rotation"),  # open, 5 years today
    (dt.date(2021, 12, 3), dt.date(2027, 1, 1), "rotation"),  # ends later
    (dt.date(2021, 12, 3), dt.date(2026, 12, 2), None),  # ended yesterday
    (dt.date(2016, 12, 3), None, "rotation_must"),  # open, 10 years today
    (dt.date(1999, 1, 1), dt.date(2026, 12, 3), "rotation_must"),  # ends today: held
    (dt.date(1999, 1, 1), dt.date(2026, 12, 2), None),
    (dt.date(2021, 12, 4), None, None),  # 5 years tomorrow
])
def test_years_in_post_open_or_ending_later(req, start, end, kind):
    """Each slice the query reads (open posts, posts ending later; the 5-year window,
    10 years and more) on 2026-12-03, once each."""
    settings.set_value(cfg.ROTATION_DAYS, 0)
    unit = req.unit()
    post = req.post(req.official(unit_obj=unit), unit, start=start, end=end)
    found = [t.kind for t in registry.compute(user("organization"), dt.date(2026, 12, 3))
             if t.kind.startswith("rotation") and t.ids["post_id"] == post.id]
    assert found == ([kind] if kind else [])


@pytest.mark.parametrize("first,must,days", [(10, 10, 0), (12, 10, 30), (5, 10, 180)])
def test_years_in_post_listed_once_whatever_the_settings(req, first, must, days):
    """Marks set equal (or the first above the second) and the widest window: a post is
    listed once, as the exchange it requires when at the second mark."""
    for key, value in ((cfg.ROTATION_YEARS, first), (cfg.ROTATION_MUST_YEARS, must),
                       (cfg.ROTATION_DAYS, days)):
        settings.set_value(key, value)
    today = dt.date(2026, 12, 3)
    unit = req.unit()
    post = req.post(req.official(unit_obj=unit), unit, start=years_ago(today, must))
    found = [t.kind for t in registry.compute(user("organization"), today)
             if t.kind.startswith("rotation") and t.ids["post_id"] == post.id]
    assert found == ["rotation_must"]


def test_years_in_post_ended_post_is_not_listed(req):
    settings.set_value(cfg.ROTATION_DAYS, 0)
    unit = req.unit()
    o = req.official(unit_obj=unit)
    req.post(o, unit, start=START, end=dt.date(2020, 1, 1))
    assert kinds("organization", dt.date(2026, 3, 1), "rotation_must") == []


def _closed_finding(o, decided: dt.date, kind: str = "admin_warning"):
    return discipline.save_finding(o, None, {
        "found_date": decided - dt.timedelta(days=10), "source": "petition", "kind": kind,
        "status": "closed", "decision_date": decided, "period_months": None,
        "summary": "违反工作纪律", "details": ""})


@pytest.mark.parametrize("days_before_end,listed", [(-1, False), (0, True), (30, True),
                                                    (31, False)])
def test_impact_period_ending(req, days_before_end, listed):
    o = req.official()
    finding = _closed_finding(o, dt.date(2025, 8, 31))  # 6 months → 2026-02-28
    end = dt.date(2026, 2, 28)
    today = end - dt.timedelta(days=days_before_end)
    org = kinds("organization", today, "impact_ending")
    dis = kinds("discipline", today, "finding_impact_ending")
    assert [t.ids["finding_id"] for t in org] == ([finding.id] if listed else [])
    assert [t.ids["finding_id"] for t in dis] == ([finding.id] if listed else [])
    if listed:
        assert org[0].due == dis[0].due == end
        assert dis[0].url == f"/officials/{o.id}/discipline/findings/{finding.id}"


def test_impact_chained_sanction_extends_the_end(req):
    """A second sanction during the first adds the rest of it (the discipline service)."""
    o = req.official()
    _closed_finding(o, dt.date(2025, 1, 10))  # alone: 2025-07-10
    second = _closed_finding(o, dt.date(2025, 5, 10), "admin_demerit")  # 12 months + 61 days
    ends = {t.ids["finding_id"]: t.due for t in kinds("organization", dt.date(2026, 6, 15),
                                                        "impact_ending")}
    assert ends == {second.id: dt.date(2026, 7, 10)}


@pytest.mark.parametrize("today,year", [(dt.date(2026, 1, 1), 2025), (dt.date(2025, 12, 31), 2024)])
def test_annual_results_missing_at_the_year_turn(req, today, year):
    unit = req.unit(name="西湖区")
    with_result, without = req.official(unit_obj=unit), req.official(name="李四", unit_obj=unit)
    req.result(with_result, year)
    req.result(without, year - 1)
    [t] = [t for t in kinds("organization", today, "annual_missing") if t.ids["unit_id"] == unit.id]
    assert t.title == f"西湖区：1 名干部缺 {year} 年度考核结果" and t.ids["year"] == year
    req.result(without, year)
    assert not [t for t in kinds("organization", today, "annual_missing")
                if t.ids["unit_id"] == unit.id]


def test_waiting_opinions_oldest_first_with_days(req, today):
    a, b = req.official(name="甲"), req.official(name="乙")
    discipline.request_opinion(b, {"purpose": "拟提拔", "requested_on": today - dt.timedelta(3)})
    discipline.request_opinion(a, {"purpose": "拟交流", "requested_on": today - dt.timedelta(20)})
    found = kinds("discipline", today, "opinion_waiting")
    assert [t.ids["official_id"] for t in found] == [a.id, b.id]
    assert "已等待 20 天" in found[0].title and "已等待 3 天" in found[1].title
    assert found[0].urgency == 0  # past the answer days (setting 10)


def test_recused_officials_are_left_out(req, today):
    """The organization user linked to official O sees no to-do about O (回避)."""
    o, other = req.official(name="本人"), req.official(name="他人")
    discipline.request_opinion(o, {"purpose": "拟提拔", "requested_on": today})
    discipline.request_opinion(other, {"purpose": "拟提拔", "requested_on": today})
    me = user("discipline")
    me.official_id = o.id
    db.session.flush()
    assert [t.ids["official_id"] for t in registry.compute(me, today)
            if t.kind == "opinion_waiting"] == [other.id]


@pytest.mark.parametrize("role,expected", [
    ("organization", {"retirement", "probation", "annual_missing", "discussion_not_ready",
                      "publicity_ending"}),
    ("discipline", {"opinion_waiting", "finding_impact_ending"}),
    ("assessment", {"round_data_missing", "interview_due"}),
    ("reviewer", {"dossier_unread"}),
    ("admin", {"user_idle", "token_expiring"}),
])
def test_each_role_gets_its_kinds_only(req, role, expected):
    kinds_of_role = set(registry.kinds_for(user(role)))
    assert expected <= kinds_of_role
    others = set(registry.KINDS) - set(registry.ROLE_KINDS[role])
    assert not kinds_of_role & others


@pytest.mark.parametrize("today,listed", [
    (dt.date(2020, 4, 13), False),  # 4 days before the end (setting: 3)
    (dt.date(2020, 4, 14), True),
    (dt.date(2020, 4, 17), True),   # the last day
    (dt.date(2020, 6, 1), True),    # ended, outcome not recorded: stays
])
def test_publicity_ending(req, today, listed):
    from tests import moves_support as ms
    d, item = ms.approved(name="公示甲")
    made = ms.publish(d)  # 2020-04-13 to 2020-04-17
    found = kinds("organization", today, "publicity_ending")
    assert [t.ids["publicity_id"] for t in found] == ([made.id] if listed else [])
    if listed:
        assert found[0].due == ms.END and found[0].ids["item_ids"] == [item.id]
        assert "公示甲：公示结果待登记" in found[0].details
    ms.no_objection(made.entries[0])
    assert kinds("organization", dt.date(2020, 6, 1), "publicity_ending") == []


def test_publicity_objection_being_checked_stays(req):
    from kaohe.moves.services import publicity
    from tests import moves_support as ms
    d, item = ms.approved(name="公示乙")
    made = ms.publish(d)
    publicity.record_outcome(made.entries[0], {"outcome": "objection", "objection": "反映问题",
                                               "objection_state": "pending", "handling": ""},
                             today=dt.date(2020, 4, 15))
    [t] = kinds("organization", dt.date(2020, 4, 20), "publicity_ending")
    assert "公示乙：异议正在核查" in t.details and t.urgency == 0


def test_deleted_official_has_no_impact_reminder_and_breaks_no_list(req):
    """A deleted official's running impact period is no reminder (it broke both lists)."""
    o = req.official()
    _closed_finding(o, dt.date(2025, 8, 31))  # 6 months → 2026-02-28
    today = dt.date(2026, 2, 20)
    assert len(kinds("organization", today, "impact_ending")) == 1
    o.soft_delete()
    db.session.flush()
    db.session.expire_all()
    assert kinds("organization", today, "impact_ending") == []
    assert kinds("discipline", today, "finding_impact_ending") == []


@pytest.mark.parametrize("start", [dt.date(2021, 12, 3), dt.date(2016, 12, 3)])
def test_deleted_official_has_no_years_in_post_reminder(req, start):
    """Their posts stay; the reminder goes with the official (5 and 10 years)."""
    settings.set_value(cfg.ROTATION_DAYS, 0)
    unit = req.unit()
    o = req.official(unit_obj=unit)
    req.post(o, unit, start=start)
    day = dt.date(2026, 12, 3)
    assert [t.ids["official_id"] for t in registry.compute(user("organization"), day)
            if t.kind.startswith("rotation")] == [o.id]
    o.soft_delete()
    db.session.flush()
    assert not [t for t in registry.compute(user("organization"), day)
                if t.kind.startswith("rotation")]


def test_deleted_official_on_a_coming_agenda_is_named_not_ready(req, client, auth):
    """An item whose official was deleted since keeps its discussion not ready, said so
    (the lists, so every page's count, failed on the missing name)."""
    from kaohe.core import clock
    from tests import discussions_support as s

    o = req.official(name="删档甲")
    d = s.discussion(date=clock.today() + dt.timedelta(days=5))
    it = s.item(d, o)
    req.commit()
    o.soft_delete()
    db.session.commit()
    db.session.expire_all()
    [t] = kinds("organization", clock.today(), "discussion_not_ready")
    assert t.ids["item_ids"] == [it.id]
    assert t.details[0].startswith(f"（已删除的干部，编号 {o.id}）（提拔）：干部档案已删除，请核实议题")
    assert not [x for x in kinds("organization", clock.today(), "opinion_missing")
                if x.ids["item_id"] == it.id]
    page = auth.as_role("organization").get("/home")
    assert page.status_code == 200 and "干部档案已删除" in page.get_data(as_text=True)


@pytest.mark.parametrize("reached,words", [
    (dt.date(2026, 12, 5), "已于 2026-12-05 达到退休年龄"),   # earlier this month
    (dt.date(2026, 12, 20), "已于 2026-12-20 达到退休年龄"),  # today
    (dt.date(2026, 12, 21), "将于 2026-12-21 达到退休年龄"),
    (dt.date(2027, 1, 31), "将于 2027-01-31 达到退休年龄"),   # next month, over the year turn
])
def test_retirement_title_says_reached_or_will_reach(req, reached, words):
    """A retirement age reached earlier this month is said to be reached, not to come."""
    settings.set_value(cfg.DELAY_STEP, 0)
    o = req.official(name="到龄丙", birth=reached.replace(year=reached.year - 60))
    [t] = [t for t in kinds("organization", dt.date(2026, 12, 20), "retirement")
           if t.ids["official_id"] == o.id]
    assert t.due == reached and f"到龄丙{words}（60 周岁）" == t.title
