"""Demo of 凡动必核谈考训 and 任前公示 (issue 13.3, 13.5), through the services.

* The upcoming meeting's ready and pending items get their 动议谈话 and 考察
  (:meth:`MovesDemo.prepare`, called before the ready item's dossier is frozen);
* a 常委会 held about a week ago: a promotion and a further use decided 同意, both in
  a 任前公示 still running (the further use with a 异议 being checked), and an exchange
  decided 同意 and already appointed (任前谈话, 任职培训, 任职 with its 文号);
* the admin's calendar holds the State Council's 2026 holiday arrangement (demo data:
  check it against the published notice) and the issuing department is the demo city's.
"""
from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Iterator

from kaohe.demo import phrases as ph
from kaohe.discipline import services as discipline
from kaohe.discussions.models import AgendaItem
from kaohe.discussions.services import agenda, decisions
from kaohe.extensions import db
from kaohe.moves.services import holidays, publicity
from kaohe.moves.services import records as moves
from kaohe.moves.workdays import next_working_day
from kaohe.officials.models import Official
from kaohe.settings import services as settings

# 国务院办公厅关于2026年部分节假日安排的通知 (as the demo's calendar; not verified here).
HOLIDAYS_2026 = {
    "元旦": ("2026-01-01", "2026-01-03", ["2026-01-04"]),
    "春节": ("2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    "清明节": ("2026-04-04", "2026-04-06", []),
    "劳动节": ("2026-05-01", "2026-05-05", ["2026-05-09"]),
    "端午节": ("2026-06-19", "2026-06-21", []),
    "中秋节": ("2026-09-25", "2026-09-27", []),
    "国庆节": ("2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
}
TALKERS = ["市委组织部部长", "市委组织部常务副部长", "市委组织部分管副部长"]
INSPECTORS = ["市委第一考察组", "市委第二考察组", "市委第三考察组"]
INSPECTION = ("德才兼备，政治素质好，担当作为，工作实绩突出，群众公认度高，"
              "民主推荐和个别谈话中推荐集中。")
OBJECTION = "来信反映其在原单位推进项目时作风简单粗暴，要求核查。"


class MovesDemo:
    """Built on the :class:`kaohe.demo.discussions.DiscussionDemo` running the demo (its
    names, officials and checks)."""

    def __init__(self, discussions) -> None:
        # A random stream of its own, so the rest of the demo draws what it drew before.
        self.rng = random.Random(f"moves-{discussions.s.seed}")
        self.discussions = copy.copy(discussions)
        self.discussions.rng, self.today = self.rng, discussions.today

    def prepare(self, discussion, item) -> None:
        """动议谈话 and 考察 of an item of a meeting still ahead (both before it)."""
        talked = min(self.today, discussion.date) - dt.timedelta(days=self.rng.randint(10, 20))
        moves.save_talk(discussion, item, None, {
            "kind": "motion", "talked_on": talked, "talker": self.rng.choice(TALKERS),
            "summary": "介绍了拟任职务的职责要求，听取本人意见，本人表示服从组织安排。"})
        moves.save_assessment(discussion, item, None, {
            "kind": "inspection", "done_on": talked + dt.timedelta(days=3),
            "assessor": self.rng.choice(INSPECTORS), "conclusion": "考察合格",
            "summary": INSPECTION})

    def calendar(self) -> None:
        for name, (first, last, workdays) in HOLIDAYS_2026.items():
            day = dt.date.fromisoformat(first)
            while day <= dt.date.fromisoformat(last):
                holidays.save_holiday({"day": day, "kind": "holiday", "name": name})
                day += dt.timedelta(days=1)
            for w in workdays:
                holidays.save_holiday({"day": dt.date.fromisoformat(w), "kind": "workday",
                                       "name": f"{name}调休上班"})

    def _opinion(self, official_id: int, before: dt.date) -> None:
        official = db.session.get(Official, official_id)
        op = discipline.request_opinion(official, {"purpose": "拟提拔使用",
                                                   "requested_on": before - dt.timedelta(days=9)})
        discipline.answer_opinion(op, {"outcome": 1, "answer_text": "未收到反映该同志问题线索。",
                                       "answered_on": before - dt.timedelta(days=4)})

    def _ready_item(self, discussion, official, action: str, reason: str):
        d = self.discussions
        post = d.post(official, official.rank, elsewhere=action == "exchange")
        item = d.item(discussion, official.id, action, post, reason)
        for kind in ("file_audit", "personal_report", "petition"):
            agenda.save_check(discussion, item, kind, {
                "result": "clear", "checked_by": d.checker(), "note": "",
                "checked_on": discussion.date - dt.timedelta(days=self.rng.randint(2, 6))})
        self._opinion(official.id, discussion.date)
        self.prepare(discussion, item)
        agenda.attach(discussion, official.id, None, d.org_id)
        return item

    def run(self) -> Iterator[str]:
        self.calendar()
        settings.set_value("publicity.issuer", f"中共{ph.CITY[1]}委组织部")
        taken = set(db.session.scalars(db.select(AgendaItem.official_id)))
        clean = self.discussions.clean_officials(taken)
        if len(clean) < 3:
            yield "任前公示：可用的干部不足，未生成演示"
            return
        met = self.today - dt.timedelta(days=8)
        while met.weekday() > 4:
            met -= dt.timedelta(days=1)
        discussion = agenda.save_discussion(None, {
            "kind": "standing", "date": met,
            "title": f"市委常委会第{self.rng.randint(100, 119)}次会议（干部任免）",
            "member_names": "\n".join(self.discussions.people(self.rng.randint(9, 11)))})
        a, b, c = self.rng.sample(clean, 3)
        promoted = self._ready_item(discussion, a, "promote",
                                    "政治素质好，近三年年度考核均为称职以上，经民主推荐、组织考察，拟提拔使用。")
        further = self._ready_item(discussion, b, "further_use",
                                   "熟悉经济工作，实绩突出，拟进一步使用。")
        moved = self._ready_item(discussion, c, "exchange",
                                 "任现职时间较长，根据干部交流有关规定，拟交流任职。")
        decisions.hold(discussion, [m.id for m in discussion.members], today=self.today)
        n = len(discussion.members)
        for item in (promoted, further, moved):
            decisions.decide(discussion, item, {"decision": "approve", "votes_for": n,
                                                "votes_against": 0, "votes_abstain": 0})
            moves.save_talk(discussion, item, None, {
                "kind": "pre_appointment", "talked_on": met + dt.timedelta(days=1),
                "talker": self.rng.choice(TALKERS),
                "summary": "肯定成绩，指出不足，提出廉洁从政和尽快进入角色的要求。"})
        moves.save_training(discussion, promoted, None, {
            "status": "planned", "course": f"{self.today.year + 1}年春季新任职领导干部任职培训班",
            "provider": "市委党校", "planned_on": dt.date(self.today.year + 1, 3, 16)})
        moves.save_training(discussion, further, None, {
            "status": "attended", "course": "领导干部专题研讨班", "provider": "市委党校",
            "attended_on": met + dt.timedelta(days=2)})
        moves.save_training(discussion, moved, None, {
            "status": "attended", "course": "交流干部任职培训", "provider": "市委组织部",
            "attended_on": met + dt.timedelta(days=2)})
        start = next_working_day(met + dt.timedelta(days=3), holidays.calendar())
        made = publicity.publish(discussion, {
            "start_on": start, "work_days": publicity.default_days(),
            "phone": "0919-12380", "contact": f"{ph.CITY[1]}委组织部干部监督科，jz12380@example.cn"})
        entry = next(e for e in made.entries if e.item_id == further.id)
        publicity.record_outcome(entry, {"outcome": "objection", "objection": OBJECTION,
                                         "objection_state": "pending"}, today=self.today)
        publicity.record_appointment(moved, {
            "appointed_on": min(self.today, met + dt.timedelta(days=4)),
            "doc_number": f"江组任〔{met.year}〕{self.rng.randint(20, 60)}号"}, today=self.today)
        yield (f"任前公示：{discussion.title}（{met.isoformat()}）已召开，"
               f"公示 {made.start_on.isoformat()} 至 {made.end_on.isoformat()}，"
               f"交流任职 1 人已登记任职")
