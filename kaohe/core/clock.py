"""The time users live in: Beijing time (UTC+8; China has one zone and no DST).

Timestamps are stored as naive UTC (:func:`kaohe.core.models.utcnow`); dates users
mean ("today", the default as-of date, "not later than today") are Beijing dates, so
they do not lag a day behind between 00:00 and 08:00 Beijing time on a UTC server.
"""
from __future__ import annotations

import datetime as dt

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def now_local() -> dt.datetime:
    """The current Beijing time (aware), to the second."""
    return dt.datetime.now(BEIJING).replace(microsecond=0)


def today() -> dt.date:
    """Today's date in Beijing."""
    return dt.datetime.now(BEIJING).date()


def to_local(utc_naive: dt.datetime) -> dt.datetime:
    """A stored naive-UTC timestamp as Beijing time (aware)."""
    return utc_naive.replace(tzinfo=dt.timezone.utc).astimezone(BEIJING)
