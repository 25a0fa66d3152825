"""Records of the moves and 任前公示 tests, built through the real services (not committed)."""
from __future__ import annotations

import datetime as dt

from kaohe.discussions.services import decisions
from kaohe.moves.services import publicity
from kaohe.moves.services import records as moves
from tests import discussions_support as s

D = dt.date
START = D(2020, 4, 13)  # Monday after the meeting (DAY, Friday 10 April 2020)
END = D(2020, 4, 17)  # five working days


def held(d, *items, decision="approve"):
    """Hold ``d`` with every member present and decide each item (unanimously)."""
    decisions.hold(d, [m.id for m in d.members])
    votes = (6, 0) if decision != "reject" else (0, 6)
    for it in items:
        decisions.decide(d, it, {"decision": decision, "votes_for": votes[0],
                                 "votes_against": votes[1], "votes_abstain": 0})
    return d


def approved(name="王建国", action="promote", title="2020年第3次常委会", d=None,
             post="东城区委书记"):
    """A held discussion with one ready item of ``action`` decided 同意."""
    d = d or s.discussion(title=title)
    it = s.ready_item(d, s.official(name=name), action=action, post=post)
    held(d, it)
    return d, it


def publish(d, start=START, days=5, phone="0912-1234567", contact=""):
    return publicity.publish(d, {"start_on": start, "work_days": days, "phone": phone,
                                 "contact": contact})


def after_moves(d, it, talked=D(2020, 4, 15), training="planned"):
    """任前谈话 and 任职培训 (planned, or attended) after the decision."""
    moves.save_talk(d, it, None, {"kind": "pre_appointment", "talked_on": talked,
                                  "talker": "市委组织部部长", "summary": "提出廉洁从政要求。"})
    moves.save_training(d, it, None, {
        "status": training, "course": "2020年新任县处级领导干部任职培训班",
        "provider": "市委党校", "attended_on": D(2020, 4, 16) if training == "attended" else None,
        "planned_on": D(2020, 9, 1) if training == "planned" else None})


def no_objection(entry, today=D(2020, 4, 18)):
    return publicity.record_outcome(entry, {"outcome": "none"}, today=today)


def ready_to_appoint(name="王建国", **kw):
    """An approved promotion through a 公示 without objection, talked to and trained."""
    d, it = approved(name=name, **kw)
    made = publish(d)
    after_moves(d, it)
    no_objection(made.entries[0])
    return d, it, made
