"""The reminders kept between pages (kaohe.todos.keeping, issue 17): always the list a
fresh computation gives.

A committed write of anything a kept reminder reads (an official, a post, a result, an
agenda item, a finding, a setting…) makes the next list compute again; writes they do
not read keep it; a transaction that has written computes afresh; each day and recusal
set is its own list; and the watched tables cover every table the kept producers read.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from kaohe.auth.models import User
from kaohe.discipline import services as discipline
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.officials.services import save_post
from kaohe.settings import services as settings
from kaohe.todos import keeping, registry
from kaohe.todos import settings as cfg
from kaohe.todos.dates import month_index
from kaohe.todos.people import retirement_rule

D = dt.date
DAY = D(2026, 12, 3)


def user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def _reaching(make, unit, name):
    lo, _hi = retirement_rule("M", "正处级").birth_ranges([month_index(DAY.year, DAY.month)])[0]
    return make.official(name=name, birth=lo, unit_obj=unit)


@pytest.fixture
def city(app, make):
    """A unit with an official reaching retirement age, one five years in post, one
    without last year's result, one whose impact period ends this month."""
    with app.test_request_context():
        keeping.clear()
        settings.set_value(cfg.DELAY_STEP, 0)
        unit = make.unit(name="缓存区")
        _reaching(make, unit, "到龄甲")
        rotated = make.official(name="满五年", birth=D(1980, 1, 1), unit_obj=unit)
        make.post(rotated, unit, start=D(2021, 12, 3))
        make.result(rotated, 2025)
        punished = make.official(name="受处分", birth=D(1981, 1, 1), unit_obj=unit)
        make.result(punished, 2025)
        discipline.save_finding(punished, None, {
            "found_date": D(2026, 5, 20), "source": "petition", "kind": "admin_warning",
            "status": "closed", "decision_date": D(2026, 6, 10), "period_months": None,
            "summary": "违反工作纪律", "details": ""})
        make.commit()  # audit entries join the chain at commit: the lists key on it
        yield unit
        keeping.clear()


@pytest.fixture
def computed(monkeypatch):
    """The kept producers actually run (not answered from what was kept)."""
    seen = []
    real = keeping._kept.get

    def get(key, compute, now, checked=None):
        return real(key, lambda: seen.append(key[1]) or compute(), now, checked)

    monkeypatch.setattr(keeping._kept, "get", get)
    return seen


def titles(name="organization", day=DAY):
    return sorted(t.title for t in registry.compute(user(name), day))


def fresh(name="organization", day=DAY):
    keeping.clear()
    return titles(name, day)


def test_kept_lists_are_used_and_equal(city, computed):
    first = titles()
    assert any("到龄甲" in t for t in first) and any("满五年" in t for t in first)
    assert any("受处分" in t for t in first) and any("1 名干部缺 2025" in t for t in first)
    ran = len(computed)
    assert ran == 5  # probation, retirement, rotation, annual_missing, impact_ending
    assert titles() == first and len(computed) == ran


def _new_official(make, unit):
    _reaching(make, unit, "到龄乙")


def _ended_post(make, unit):
    o = db.session.scalar(sa.select(Official).where(Official.name == "满五年"))
    post = o.posts[0]
    save_post(o, post, {"unit_id": unit.id, "title": post.title, "rank": post.rank,
                        "start_date": post.start_date, "end_date": D(2026, 1, 1),
                        "is_principal": False, "note": "", "version": post.version})


def _result(make, unit):
    o = db.session.scalar(sa.select(Official).where(Official.name == "到龄甲"))
    make.result(o, 2025)


def _setting(make, unit):
    settings.set_value(cfg.RETIRE_MALE, 61)


@pytest.mark.parametrize("write", [_new_official, _ended_post, _result, _setting])
def test_a_write_the_lists_read_is_seen(city, computed, make, app, write):
    with app.test_request_context():
        before = titles()
        ran = len(computed)
        write(make, city)
        db.session.commit()
        after = titles()
        assert len(computed) > ran, "a kept list was used after a write it reads"
        assert after != before and after == fresh()


def test_other_writes_keep_the_lists(city, computed, make, app):
    with app.test_request_context():
        before = titles()
        ran = len(computed)
        o = db.session.scalar(sa.select(Official).where(Official.name == "到龄甲"))
        make.review(o, date=D(2020, 1, 5))
        make.note(o, date=D(2020, 1, 6))
        db.session.commit()
        assert titles() == before and len(computed) == ran


def test_an_uncommitted_write_is_seen_in_its_own_transaction(city, computed, make, app):
    with app.test_request_context():
        before = titles()
        _new_official(make, city)
        db.session.flush()
        during = titles()
        assert len(during) >= len(before) and any("到龄乙" in t for t in during)
        ran = len(computed)
        assert titles() == during and len(computed) == ran + 5  # nothing kept before commit


def test_each_day_and_recusal_set_is_its_own_list(city, computed, app):
    with app.test_request_context():
        titles()
        ran = len(computed)
        next_month = titles(day=D(2027, 1, 3))
        assert len(computed) == ran + 5 and next_month != titles()
        me = user("organization")
        me.official_id = db.session.scalar(sa.select(Official.id)
                                           .where(Official.name == "到龄甲"))
        db.session.commit()
        mine = titles()
        assert not any("到龄甲" in t for t in mine)


@pytest.mark.parametrize("role", ["organization", "discipline"])
def test_the_watched_tables_cover_what_the_kept_reminders_read(city, app, role):
    with app.test_request_context():
        db.session.expire_all()
        keeping.clear()
        seen = []

        def record(_conn, _cursor, statement, *_args):
            seen.append(statement)

        ctx = registry.Ctx.of(user(role), DAY)
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            for producer in keeping.KEPT:
                producer(ctx)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        tables = {t for stmt in seen
                  for t in re.findall(r'(?:FROM|JOIN)\s+"?([a-z_]+)"?', stmt, re.IGNORECASE)}
        tables -= {"audit_log", "anon_1", "anon_2", "post_1", "official_1"}
        assert {"official", "post", "assessment_result", "discipline_finding"} <= tables
        assert tables <= keeping.TABLES, tables - keeping.TABLES
