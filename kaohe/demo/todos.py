"""Demo data that gives every to-do kind of :mod:`kaohe.todos` something to show.

Loaded last, through the features' services (few rows): officials whose probation
ends soon or ended without its assessment, who reach retirement age this month and
next, who are long in post (5 and 10 years), whose impact period ends soon; opinion
requests waiting for the commission; a second meeting ten days ahead with an opinion
expiring before it and a dossier out of date; an API token about to expire and an
account nobody has used for months. The demo city's own data supply the rest (the
meeting of :mod:`kaohe.demo.discussions`, missing annual results, unit rounds).
"""
from __future__ import annotations

import calendar
import datetime as dt
import secrets
from typing import Iterator

from sqlalchemy import select

from kaohe.auth import services as auth
from kaohe.auth import tokens
from kaohe.auth.models import User
from kaohe.core.models import utcnow
from kaohe.discipline import services as discipline
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.discussions.models import AgendaItem
from kaohe.discussions.services import agenda
from kaohe.extensions import db
from kaohe.officials.idcard import check_digit
from kaohe.officials.models import Official, Post
from kaohe.todos.dates import index_month, month_index, years_ago
from kaohe.todos.people import retirement_rule
from kaohe.todos.settings import senior_ranks

ORGANIZER = "demo-org"
REVIEWER = "demo-reviewer"
IDLE_USER = ("demo-former", "assessment", "演示·已调离人员")


def months_before(day: dt.date, months: int) -> dt.date:
    """The day ``months`` months before ``day`` (clamped to the month's end)."""
    year, month = index_month(month_index(day.year, day.month) - months)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class TodoDemo:
    def __init__(self, seeder) -> None:
        self.s, self.rng, self.today = seeder, seeder.rng, seeder.today
        self.org_id = db.session.scalar(select(User.id).where(User.username == ORGANIZER))
        self.taken: set[int] = set(db.session.scalars(select(AgendaItem.official_id)))
        self.lines: list[str] = []

    def pick(self, gender: str | None = None, senior: bool | None = None) -> Official:
        """An official who leads no unit, with no discipline record, not on an agenda."""
        flagged = set(db.session.scalars(select(DisciplineFinding.official_id))) | set(
            db.session.scalars(select(IntegrityOpinion.official_id)))
        ranks = senior_ranks()
        pool = [o for o in self.s.offs if not o.principal and o.former_of is None
                and o.id not in self.taken and o.id not in flagged]
        while True:
            o = db.session.get(Official, self.rng.choice(pool).id)
            if ((gender is None or o.gender == gender)
                    and (senior is None or (o.rank in ranks) == senior)):
                self.taken.add(o.id)
                return o

    @staticmethod
    def current_post(o: Official) -> Post:
        return next(p for p in o.posts if p.end_date is None)

    def probation(self) -> None:
        for days in (9, 24, -12):  # ends in 9 and 24 days; ended 12 days ago
            o = self.pick()
            post = self.current_post(o)
            post.start_date = years_ago(self.today + dt.timedelta(days=days), 1)
            post.probation_months = 12
            self.lines.append(f"{o.name}（试用期至 {post.probation_end.isoformat()}）")
        db.session.flush()

    def retirement(self) -> None:
        this = month_index(self.today.year, self.today.month)
        for gender, month in (("M", this), ("F", this + 1)):
            o = self.pick(gender, senior=False)
            lo, hi = retirement_rule(gender, o.rank).birth_ranges([month])[0]
            birth = lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))
            first17 = f"{o.id_number[:6]}{birth:%Y%m%d}{o.id_number[14:17]}"
            o.birth_date, o.id_number = birth, first17 + check_digit(first17)
            self.lines.append(f"{o.name}（到龄 {retirement_rule(gender, o.rank).reached_on(birth)}）")
        db.session.flush()

    def rotation(self) -> None:
        for years, days in ((10, -40), (5, 12)):
            o = self.pick()
            self.current_post(o).start_date = years_ago(self.today + dt.timedelta(days=days),
                                                        years)
            self.lines.append(f"{o.name}（任现职满 {years} 年）")
        db.session.flush()

    def impact(self) -> None:
        o = self.pick()
        decided = months_before(self.today + dt.timedelta(days=15), 6)
        discipline.save_finding(o, None, {
            "found_date": decided - dt.timedelta(days=45), "source": "petition",
            "kind": "admin_warning", "status": "closed", "decision_date": decided,
            "period_months": None, "summary": "违反工作纪律，受到政务警告处分。", "details": ""})
        self.lines.append(f"{o.name}（影响期即将届满）")

    def waiting(self) -> None:
        for days in (17, 4):
            o = self.pick()
            discipline.request_opinion(o, {"purpose": "拟进一步使用",
                                           "requested_on": self.today - dt.timedelta(days=days)})
        self.lines.append("党风廉政意见待回复 2 件")

    def meeting(self) -> None:
        discussion = agenda.save_discussion(None, {
            "kind": "secretary", "date": self.today + dt.timedelta(days=10),
            "title": "干部调整酝酿", "member_names": "书记\n副书记\n组织部部长"})
        expiring = self.pick()
        answered = months_before(self.today, 3) + dt.timedelta(days=5)  # valid 5 more days
        op = discipline.request_opinion(expiring, {"purpose": "拟提拔使用",
                                                   "requested_on": answered - dt.timedelta(3)})
        discipline.answer_opinion(op, {"outcome": 1, "answered_on": answered,
                                       "answer_text": "经查，未收到反映该同志的问题线索。"})
        agenda.save_item(discussion, None, {"official_id": str(expiring.id), "action": "promote",
                                            "proposed_post": f"{expiring.unit.name}副职领导",
                                            "reason": "拟提拔使用。"})
        stale = self.pick()
        agenda.save_item(discussion, None, {"official_id": str(stale.id),
                                            "action": "further_use",
                                            "proposed_post": f"{stale.unit.name}正职领导",
                                            "reason": "拟进一步使用。"})
        link = agenda.attach(discussion, stale.id, None, self.org_id)
        agenda.save_check(discussion, link.item, "file_audit", {  # recorded after the dossier
            "result": "clear", "checked_by": "干部档案室", "note": "", "checked_on": self.today})
        reviewer = db.session.scalar(select(User.id).where(User.username == REVIEWER))
        if reviewer is not None:
            agenda.assign_reviewer(discussion, reviewer)
        self.lines.append(f"{discussion.kind_label}（{discussion.date}）")

    def accounts(self) -> None:
        user = db.session.scalar(select(User).where(User.username == "demo-discipline"))
        if user is not None:
            tokens.create(user, "案件管理系统同步", days=5)
        name, role, label = IDLE_USER
        if db.session.scalar(select(User.id).where(User.username == name)) is None:
            idle = auth.create_user(name, role, secrets.token_urlsafe(18), display_name=label)
            idle.created_at = utcnow() - dt.timedelta(days=200)
            db.session.flush()

    def run(self) -> Iterator[str]:
        self.probation()
        self.retirement()
        self.rotation()
        self.impact()
        self.waiting()
        self.meeting()
        self.accounts()
        self.s.counts["todo_demo"] = len(self.lines)
        yield "待办提醒演示：" + "；".join(self.lines)
