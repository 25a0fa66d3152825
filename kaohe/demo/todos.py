"""Demo data that gives every to-do kind of :mod:`kaohe.todos` something to show.

Loaded last, through the features' services (few rows): officials whose probation
ends soon or ended without its assessment, who reach retirement age this month and
next, who are long in post (5 and 10 years), whose impact period ends soon; opinion
requests waiting for the commission; on the coming meeting of
:mod:`kaohe.demo.discussions`, an opinion expiring before it; an API token about to
expire and an account nobody has used for months. The demo city's own data supply the
rest (that meeting's items not ready and its unread dossier, the held meeting's 任前公示
with an objection being checked, missing annual results, lagging units, interviews due).
Rounds with missing data and stale dossiers are left out: the seed's tests hold every
demo round complete and the coming meeting's one dossier current.
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
from kaohe.core.periods import period_end
from kaohe.discipline import rules as drules
from kaohe.discipline import services as discipline
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.officials.idcard import check_digit
from kaohe.officials.models import Official, Post
from kaohe.todos.dates import index_month, month_index, years_ago
from kaohe.todos.people import retirement_rule
from kaohe.todos.settings import senior_ranks

IDLE_USER = ("demo-former", "assessment", "演示·已调离人员")


def months_before(day: dt.date, months: int) -> dt.date:
    """The day ``months`` months before ``day`` (clamped to the month's end)."""
    year, month = index_month(month_index(day.year, day.month) - months)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class TodoDemo:
    def __init__(self, seeder) -> None:
        self.s, self.rng, self.today = seeder, seeder.rng, seeder.today
        self.taken: set[int] = set(db.session.scalars(select(AgendaItem.official_id)))
        self.lines: list[str] = []

    def pick(self, gender: str | None = None, senior: bool | None = None) -> Official | None:
        """An official who leads no unit and never led one (their posts may move without
        touching a principal's), with no discipline record and not on an agenda; None in
        a city too small to have one left."""
        flagged = set(db.session.scalars(select(DisciplineFinding.official_id))) | set(
            db.session.scalars(select(IntegrityOpinion.official_id)))
        ranks = senior_ranks()
        # The seeder's own records (gender and rank as written; the demo changes neither):
        # loading every official here made a million-official seed take hours.
        found = [o for o in self.s.offs if o.id not in self.taken and o.id not in flagged
                 and not o.principal and o.former_of is None
                 and (gender is None or o.gender == gender)
                 and (senior is None or (o.rank in ranks) == senior)]
        if not found:
            return None
        o = self.rng.choice(found)
        self.taken.add(o.id)
        return db.session.get(Official, o.id)

    @staticmethod
    def current_post(o: Official) -> Post:
        return next(p for p in o.posts if p.end_date is None)

    def probation(self) -> None:
        for days in (9, 24, -12):  # ends in 9 and 24 days; ended 12 days ago
            o = self.pick()
            if o is None:
                return
            post = self.current_post(o)
            post.start_date = years_ago(self.today + dt.timedelta(days=days), 1)
            post.probation_months = 12
            self.lines.append(f"{o.name}（试用期至 {post.probation_end.isoformat()}）")
        db.session.flush()

    def retirement(self) -> None:
        this = month_index(self.today.year, self.today.month)
        for gender, month in (("M", this), ("F", this + 1)):
            o = self.pick(gender, senior=False)
            if o is None:
                continue
            lo, hi = retirement_rule(gender, o.rank).birth_ranges([month])[0]
            birth = lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))
            first17 = f"{o.id_number[:6]}{birth:%Y%m%d}{o.id_number[14:17]}"
            o.birth_date, o.id_number = birth, first17 + check_digit(first17)
            self.lines.append(f"{o.name}（到龄 {retirement_rule(gender, o.rank).reached_on(birth)}）")
        db.session.flush()

    def rotation(self) -> None:
        for years, days in ((10, -40), (5, 12)):
            o = self.pick()
            if o is None:
                return
            self.current_post(o).start_date = years_ago(self.today + dt.timedelta(days=days),
                                                        years)
            self.lines.append(f"{o.name}（任现职满 {years} 年）")
        db.session.flush()

    def impact(self) -> None:
        o = self.pick()
        if o is None:
            return
        decided = months_before(self.today + dt.timedelta(days=15), 6)
        discipline.save_finding(o, None, {
            "found_date": decided - dt.timedelta(days=45), "source": "petition",
            "kind": "admin_warning", "status": "closed", "decision_date": decided,
            "period_months": None, "summary": "违反工作纪律，受到政务警告处分。",
            "details": "擅离职守，延误防汛值班信息报送，经调查属实，给予政务警告处分。"})
        self.lines.append(f"{o.name}（影响期即将届满）")

    def waiting(self) -> None:
        for days in (17, 4):
            o = self.pick()
            if o is None:
                return
            discipline.request_opinion(o, {"purpose": "拟进一步使用",
                                           "requested_on": self.today - dt.timedelta(days=days)})
        self.lines.append("党风廉政意见待回复 2 件")

    def expiring_opinion(self) -> None:
        """One item of the coming meeting gets an opinion answered (无异议) that is valid
        through tomorrow, so expired by the meeting. Only when another item still lacks
        one (opinion_missing keeps an example)."""
        discussion = db.session.scalar(select(Discussion).where(Discussion.status == "draft")
                                       .order_by(Discussion.date, Discussion.id))
        if discussion is None:
            return
        months = int(settings.get(drules.OPINION_VALIDITY_KEY))
        answered = months_before(self.today, months) + dt.timedelta(days=1)  # valid to tomorrow
        if period_end(answered, months) >= discussion.date:
            return
        asked = set(db.session.scalars(select(IntegrityOpinion.official_id)))
        lacking = [i for i in discussion.items if i.official_id not in asked]
        if len(lacking) < 2:
            return
        item = lacking[0]
        op = discipline.request_opinion(item.official, {
            "purpose": "拟交流任职", "requested_on": answered - dt.timedelta(days=3)})
        discipline.answer_opinion(op, {"outcome": 1, "answered_on": answered,
                                       "answer_text": "经查，未收到反映该同志的问题线索。"})
        self.lines.append(f"{item.official.name}（党风廉政意见会前到期）")

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
        self.expiring_opinion()
        self.accounts()
        self.s.counts["todo_demo"] = len(self.lines)
        yield "待办提醒演示：" + "；".join(self.lines)
