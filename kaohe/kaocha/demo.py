"""Demo data of the 考察材料: the 民主推荐 held for a promotion on the demo agenda."""
from __future__ import annotations

import datetime as dt
import random

from kaohe.core import clock
from kaohe.kaocha import services


def recommend(discussion, item) -> None:
    """A 会议推荐 and a 谈话调研推荐 a few weeks before the meeting (figures drawn from
    the item's id, so the demo's own random draws are not disturbed)."""
    rng = random.Random(item.id)
    last = min(discussion.date, clock.today())
    for kind, scope, days, size in (("talk", "单位领导班子成员和中层正职", 24, (25, 40)),
                                    ("meeting", "单位全体干部职工", 20, (60, 120))):
        participants = rng.randint(*size)
        services.save_recommendation(discussion, item, None, {
            "kind": kind, "held_on": last - dt.timedelta(days=days), "scope": scope,
            "participants": participants,
            "votes": participants - rng.randint(1, max(2, participants // 8)), "note": ""})
