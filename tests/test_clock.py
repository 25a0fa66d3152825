"""Dates users mean are Beijing dates, whatever the server's zone."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.core import clock, records


class _Frozen(dt.datetime):
    at = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.timezone.utc)  # 07:30 on the 25th in Beijing

    @classmethod
    def now(cls, tz=None):
        return cls.at.astimezone(tz) if tz else cls.at.replace(tzinfo=None)


@pytest.fixture
def late_utc_evening(monkeypatch):
    monkeypatch.setattr(clock.dt, "datetime", _Frozen)


def test_today_is_the_beijing_date(late_utc_evening):
    assert clock.today() == dt.date(2026, 11, 25)
    assert clock.now_local().isoformat() == "2026-11-25T07:30:00+08:00"


def test_a_record_dated_today_in_beijing_is_not_in_the_future(late_utc_evening):
    errors: dict[str, str] = {}
    records.not_in_future(errors, "date", dt.date(2026, 11, 25))
    assert errors == {}
    records.not_in_future(errors, "date", dt.date(2026, 11, 26))
    assert errors == {"date": "日期不能晚于今天。"}


def test_stored_utc_is_shown_in_beijing_time():
    assert clock.to_local(dt.datetime(2026, 11, 24, 16, 5)).strftime("%Y-%m-%d %H:%M") == \
        "2026-11-25 00:05"
