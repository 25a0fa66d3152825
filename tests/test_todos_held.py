"""To-dos read posts and units the way the rest of the product does: a post is held
through its end date inclusive (``kaohe.stats.queries.holds_post_on``), so a 挂职 with a
future end date has its 试用期满 and 任现职满 reminders; a missing annual result counts in
the unit of the post held on 31 December (the 优秀 quota's ``year_end_unit``), and a year
before 参加工作时间 has no result to miss."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.todos import registry
from kaohe.todos import settings as cfg


def found(kind: str, today: dt.date, key: str, value: int) -> list:
    org = db.session.scalar(select(User).where(User.username == "organization"))
    return [t for t in registry.compute(org, today) if t.kind.startswith(kind)
            and t.ids.get(key) == value]


# -- 试用期满: probation 2025-03-01 .. 2026-02-28 (12 months from 2025-02-28) --------------

PROBATION_START, PROBATION_END = dt.date(2025, 2, 28), dt.date(2026, 2, 28)


@pytest.mark.parametrize("today,end,listed", [
    (dt.date(2026, 2, 20), dt.date(2027, 6, 30), True),   # 挂职 ending next year
    (dt.date(2026, 2, 20), PROBATION_END, True),          # held through the last day
    (dt.date(2026, 2, 20), dt.date(2026, 2, 27), False),  # ends before the probation does
    (dt.date(2026, 5, 1), dt.date(2026, 5, 1), True),     # overdue, held today (inclusive)
    (dt.date(2026, 5, 1), dt.date(2026, 4, 30), False),   # overdue, ended yesterday
])
def test_probation_of_a_post_with_an_end_date(req, today, end, listed):
    unit = req.unit()
    o = req.official(unit_obj=unit)
    post = req.post(o, unit, start=PROBATION_START, end=end, probation_months=12)
    assert post.probation_end == PROBATION_END
    todos = found("probation", today, "post_id", post.id)
    assert len(todos) == listed
    if listed:
        assert todos[0].due == PROBATION_END
        assert todos[0].url == f"/officials/{o.id}#posts"


# -- 任现职满 N 年: 5 years on 2021-03-01, 10 on 2026-03-01 --------------------------------

START = dt.date(2016, 3, 1)


@pytest.mark.parametrize("days,today,end,expected", [
    (0, dt.date(2026, 3, 1), dt.date(2027, 12, 31), "rotation_must"),  # 挂职 ending later
    (0, dt.date(2026, 3, 1), dt.date(2026, 3, 1), "rotation_must"),    # ends on the day
    (0, dt.date(2026, 3, 2), dt.date(2026, 3, 1), None),               # ended yesterday
    (30, dt.date(2026, 2, 20), dt.date(2026, 3, 1), "rotation_must"),  # held on the mark
    (30, dt.date(2026, 2, 20), dt.date(2026, 2, 28), None),            # ends before it
    (0, dt.date(2021, 3, 1), dt.date(2022, 1, 1), "rotation"),         # the 5-year mark
])
def test_years_in_post_with_an_end_date(req, days, today, end, expected):
    settings.set_value(cfg.ROTATION_DAYS, days)
    unit = req.unit()
    o = req.official(unit_obj=unit)
    post = req.post(o, unit, start=START, end=end)
    todos = found("rotation", today, "post_id", post.id)
    assert [t.kind for t in todos] == ([expected] if expected else [])
    if expected:
        assert todos[0].due == (dt.date(2026, 3, 1) if expected == "rotation_must"
                                else dt.date(2021, 3, 1))
        assert todos[0].url == f"/officials/{o.id}#posts"


# -- 缺年度考核: the unit of 31 December, officials at work that year --------------------

TODAY = dt.date(2026, 6, 1)  # year 2025


def _count(unit_id: int) -> int:
    todos = found("annual_missing", TODAY, "unit_id", unit_id)
    assert len(todos) <= 1
    if not todos:
        return 0
    assert todos[0].url == f"/units/{unit_id}" and todos[0].ids["year"] == 2025
    return int(todos[0].title.split("：")[1].split(" ")[0])


@pytest.mark.parametrize("left_a,joined_b,counted_in", [
    (dt.date(2025, 12, 31), dt.date(2026, 1, 1), "A"),    # held A on 12-31 (inclusive)
    (dt.date(2025, 12, 30), dt.date(2025, 12, 31), "B"),  # moved to B on 12-31
    (dt.date(2026, 3, 1), dt.date(2026, 3, 2), "A"),      # moved this year
])
def test_annual_missing_counts_in_the_year_end_unit(req, left_a, joined_b, counted_in):
    a, b = req.unit(name="甲区"), req.unit(name="乙区")
    o = req.official(unit_obj=b)  # 所在单位 today: 乙区
    req.post(o, a, start=dt.date(2020, 1, 1), end=left_a)
    req.post(o, b, start=joined_b)
    assert (_count(a.id), _count(b.id)) == ((1, 0) if counted_in == "A" else (0, 1))
    req.result(o, 2025)
    assert (_count(a.id), _count(b.id)) == (0, 0)


def test_annual_missing_without_posts_counts_in_the_recorded_unit(req):
    a = req.unit(name="甲区")
    req.official(unit_obj=a)
    assert _count(a.id) == 1


@pytest.mark.parametrize("work_start,counted", [
    (dt.date(2025, 12, 31), True),   # at work on the year's last day
    (dt.date(2026, 1, 1), False),    # 未参加考核: nothing to record for 2025
    (None, True),                    # not recorded: cannot be left out
])
def test_annual_missing_leaves_out_who_started_work_later(req, work_start, counted):
    a = req.unit(name="甲区")
    req.official(unit_obj=a, work_start_date=work_start)
    assert _count(a.id) == counted


# -- 到龄: until the 退休 is issued ----------------------------------------------------

def test_retirement_reminded_until_the_retirement_is_issued(req):
    """A 退休 decided 同意 and issued (date and 文号 recorded) takes the official out of
    service from that day; before it, or with only the post ended, 到龄 is reminded."""
    from kaohe.moves.services import publicity
    from tests import discussions_support as s
    from tests import moves_support as ms

    settings.set_value(cfg.DELAY_STEP, 0)
    settings.set_value(cfg.ROTATION_DAYS, 120)  # the post's 5 years: 2020-01-01
    d = s.discussion()  # 2020-04-10
    o = s.official(name="到龄乙")
    o.birth_date = dt.date(1960, 4, 25)  # 60 on 2020-04-25
    db.session.flush()
    it = s.ready_item(d, o, action="retire", post="")
    ms.held(d, it)
    issued = dt.date(2020, 4, 21)
    assert [t.due for t in found("retirement", issued, "official_id", o.id)] == [
        dt.date(2020, 4, 25)]
    publicity.record_appointment(it, {"appointed_on": issued, "doc_number": "X组任〔2020〕13号"},
                                 today=issued)
    for kind in ("retirement", "rotation"):
        assert len(found(kind, issued - dt.timedelta(days=1), "official_id", o.id)) == 1
        assert found(kind, issued, "official_id", o.id) == []
    assert found("retirement", dt.date(2020, 5, 31), "official_id", o.id) == []
    unit = req.unit()
    left = req.official(name="到龄丙", birth=dt.date(1960, 4, 25), unit_obj=unit)
    req.post(left, unit, start=dt.date(2015, 1, 1), end=dt.date(2020, 3, 31))  # 免职
    assert len(found("retirement", issued, "official_id", left.id)) == 1
