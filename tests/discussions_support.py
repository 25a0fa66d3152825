"""Records of the discussion tests, built through the real services (not committed)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.auth.models import User
from kaohe.discussions.services import agenda
from kaohe.extensions import db
from kaohe.moves import rules as move_rules
from kaohe.moves.services import records as move_records
from tests import discipline_support as ds
from tests import factories as f

D = dt.date
DAY = D(2020, 4, 10)  # discussion date; window 2017–2019
MEMBERS = ("李书记", "张市长", "王部长", "赵主任", "陈常委", "周常委")


def official(name="王建国", grades=("competent", "excellent", "competent"), unit_obj=None,
             opinion_outcome=1):
    unit_obj = unit_obj or f.unit(name="东城区")
    o = f.official(name=name, unit_obj=unit_obj)
    f.post(o, unit_obj, start=D(2015, 1, 1), principal=True, title="东城区区长")
    for year, grade in zip((2017, 2018, 2019), grades):
        if grade:
            f.result(o, year, grade, score=88, comment=f"{year}年度评语")
    f.review(o, date=D(2019, 6, 1), strengths="政治站位高")
    if opinion_outcome is not None:
        ds.opinion(o, requested=D(2020, 2, 20), outcome=opinion_outcome, answered=D(2020, 3, 1))
    return o


def discussion(members=MEMBERS, date=DAY, kind="standing", title="2020年第3次常委会"):
    return agenda.save_discussion(None, {"kind": kind, "date": date, "title": title,
                                         "member_names": "\n".join(members)})


def item(d, o, action="promote", post="东城区委书记", reason="工作实绩突出，群众公认。",
         removal=""):
    return agenda.save_item(d, None, {"official_id": str(o.id), "action": action,
                                      "proposed_post": post, "proposed_removal": removal,
                                      "reason": reason})


def check(d, it, kind, result="clear", note=""):
    return agenda.save_check(d, it, kind, {"result": result, "checked_by": "干部科刘科长",
                                           "checked_on": D(2020, 4, 1), "note": note})


def checks(d, it, skip=()):
    for kind in ("file_audit", "personal_report", "petition"):
        if kind not in skip:
            check(d, it, kind)
    if "moves" not in skip:
        moves(d, it)


def moves(d, it):
    """凡动必谈、必考 (and 必训 where it comes first) as the item's action needs them."""
    need = move_rules.needs(it.action)
    move_records.save_talk(d, it, None, {"kind": "motion", "talked_on": D(2020, 3, 20),
                                         "talker": "组织部长", "summary": "本人服从组织安排。"})
    kind = need.assess[0]
    move_records.save_assessment(d, it, None, {
        "kind": kind, "year": 2019, "done_on": D(2020, 3, 25), "assessor": "市委考察组",
        "conclusion": "考察合格", "summary": ""})
    if need.train == move_rules.BEFORE:
        move_records.save_training(d, it, None, {"status": "attended", "course": "任职培训班",
                                                 "attended_on": D(2019, 9, 1)})


def ready_item(d, o, **kw):
    it = item(d, o, **kw)
    checks(d, it)
    agenda.attach(d, o.id, None, None)
    return it


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def assign(d, username="reviewer"):
    return agenda.assign_reviewer(d, user(username).id)
