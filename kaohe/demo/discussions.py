"""Demo personnel discussion (议干部): one upcoming 常委会 with a small agenda.

Loaded last (after the discipline and unit-assessment data and the demo users),
entirely through the features' services so every rule of the discussions,
discipline and dossier features holds:

* the meeting a few days after "today", 9–11 members (present not yet marked);
* a **ready** item (提拔): the three department checks done, an integrity opinion
  requested and answered (无异议) through the discipline services, the dossier
  frozen and attached as of the meeting date (one PDF is rendered);
* a **blocked** item (交流) for an official the demo data already gives an open
  case or a running impact period on the meeting date;
* when the data holds one, a second **blocked** item (进一步使用) for an official
  graded 基本称职 or lower in the assessment window on the meeting date (the last
  concluded years, :func:`kaohe.assessments.window.assessment_window`);
* a **pending** item (进一步使用) whose personal-matters report check is still open;
* the demo reviewer (``demo-reviewer``) assigned to read it;
* the saved member list 「常委会组成人员」: the meeting's members and the demo reviewer
  (linked to the account), offered on the discussion form.

Officials are chosen from a fixed-size random sample and a few bounded queries,
so the work is constant whatever the number of officials.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from sqlalchemy import select

from kaohe.assessments.models import LOW_GRADES, AssessmentResult
from kaohe.auth.models import User
from kaohe.demo import phrases as ph
from kaohe.demo.discipline import ANSWERS
from kaohe.demo.moves import MovesDemo
from kaohe.kaocha import demo as kaocha_demo
from kaohe.discipline import rules as drules
from kaohe.discipline import services as discipline
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.discussions import member_lists
from kaohe.discussions.services import agenda, readiness
from kaohe.assessments.window import assessment_window
from kaohe.extensions import db
from kaohe.officials.models import Official

REVIEWER = "demo-reviewer"
MEMBER_LIST = "常委会组成人员"
ORGANIZER = "demo-org"
SAMPLE = 60  # officials looked at for the clean (ready / pending) items
PROMOTION = {"副科级": "正科级", "正科级": "副处级", "副处级": "正处级"}
CHECKERS = ["干部一科", "干部二科", "干部监督科", "干部档案室"]
PURPOSE = "拟提拔为副处级领导干部人选"
PENDING_NOTE = ("个人有关事项报告中配偶名下房产信息与不动产登记查询结果不一致，"
                "已函询本人说明情况，尚在核查。")
RESOLVED_NOTE = "反映其工作作风问题的一件来信，经核查为一般性工作意见，已向来信人反馈，不影响使用。"


class DiscussionDemo:
    def __init__(self, seeder) -> None:
        self.s, self.rng, self.today = seeder, seeder.rng, seeder.today
        self.date = self.today + dt.timedelta(days=self.rng.randint(3, 6))
        self.org_id = db.session.scalar(select(User.id).where(User.username == ORGANIZER))

    # -- names ---------------------------------------------------------------------
    def person(self) -> str:
        surnames = [s for s, _w in ph.SURNAMES]
        given = ph.GIVEN_M if self.rng.random() < .75 else ph.GIVEN_F
        return self.rng.choice(surnames) + "".join(
            self.rng.sample(given, self.rng.choice((1, 2, 2))))

    def people(self, k: int) -> list[str]:
        names: list[str] = []
        while len(names) < k:
            name = self.person()
            if name not in names:
                names.append(name)
        return names

    def checker(self) -> str:
        return f"{self.rng.choice(CHECKERS)} {self.person()}"

    # -- choosing officials ---------------------------------------------------------
    def clean(self, o) -> bool:
        """No finding at all, no open opinion request, nothing blocking, no low grade."""
        oid = o.id
        if db.session.scalar(select(DisciplineFinding.id).where(
                DisciplineFinding.official_id == oid).limit(1)) is not None:
            return False
        if db.session.scalar(select(IntegrityOpinion.id).where(
                IntegrityOpinion.official_id == oid,
                IntegrityOpinion.outcome.is_(None)).limit(1)) is not None:
            return False
        return not discipline.blocking_conditions(oid, self.date) \
            and not readiness.low_grades(oid, self.date)

    def clean_officials(self, taken: set) -> list:
        found = []
        for principal in (False, True):  # principal leaders only if too few others
            offs = [o for o in self.s.offs if o.principal is principal]
            sample = self.rng.sample(offs, min(SAMPLE, len(offs)))
            found += [o for o in sample if o.id not in taken and self.clean(o)]
            if len(found) >= 2:
                break
        return found

    def by_number(self, query, limit: int = 20) -> list[int]:
        """Official ids from ``query`` (selecting Official.id), in ID-number order."""
        return list(dict.fromkeys(db.session.scalars(
            query.join(Official, Official.id == query.selected_columns[0])
            .order_by(Official.id_number).limit(limit))))

    def discipline_blocked(self) -> list[int]:
        """Officials with an open case or a running impact period on the meeting date."""
        for where in (DisciplineFinding.status.in_(drules.OPEN_STATUSES),
                      DisciplineFinding.decision_date.is_not(None)):
            ids = [i for i in self.by_number(select(DisciplineFinding.official_id).where(where))
                   if any(b.code in ("open_case", "impact_period")
                          for b in discipline.blocking_conditions(i, self.date))]
            if ids:
                return ids
        return []

    def low_graded(self) -> list[int]:
        years = assessment_window(self.date).years
        ids = self.by_number(select(AssessmentResult.official_id).where(
            AssessmentResult.kind == "annual", AssessmentResult.year.in_(years),
            AssessmentResult.grade.in_(LOW_GRADES)))
        return [i for i in ids if readiness.low_grades(i, self.date)]

    # -- writing through the services --------------------------------------------------
    def post(self, o, rank: str, elsewhere: bool = False) -> str:
        unit = o.unit
        if elsewhere and len(self.s.units) > 1:
            unit = (unit + self.rng.randint(1, len(self.s.units) - 1)) % len(self.s.units)
        return self.s.full_post(unit, self.s.title(unit, rank))

    def item(self, discussion, official_id: int, action: str, post: str, reason: str):
        # An exchange leaves the current post: the item says so in its 拟免职务.
        removal = db.session.get(Official, official_id).current_post if action == "exchange" else ""
        return agenda.save_item(discussion, None, {"official_id": str(official_id),
                                                   "action": action, "proposed_post": post,
                                                   "proposed_removal": removal,
                                                   "reason": reason})

    def check(self, discussion, item, kind: str, result: str = "clear", note: str = "") -> None:
        agenda.save_check(discussion, item, kind, {
            "result": result, "checked_by": self.checker(), "note": note,
            "checked_on": self.today - dt.timedelta(days=self.rng.randint(1, 6))})

    def opinion(self, official_id: int) -> None:
        """Ask the commission and record its answer (无异议), both on or before today."""
        official = db.session.get(Official, official_id)
        asked = self.today - dt.timedelta(days=self.rng.randint(8, 20))
        op = discipline.request_opinion(official, {"purpose": PURPOSE, "requested_on": asked})
        discipline.answer_opinion(op, {
            "outcome": 1, "answer_text": ANSWERS[1].format(p="提拔使用"),
            "answered_on": min(asked + dt.timedelta(days=self.rng.randint(3, 7)), self.today)})

    def run(self) -> Iterator[str]:
        rng = self.rng
        members = self.people(rng.randint(9, 11))
        discussion = agenda.save_discussion(None, {
            "kind": "standing", "date": self.date,
            "title": f"市委常委会第{rng.randint(120, 160)}次会议（干部任免）",
            "member_names": "\n".join(members)})

        blocked = self.discipline_blocked()
        low = [i for i in self.low_graded() if i not in blocked]
        clean = self.clean_officials(set(blocked) | set(low))
        promotable = [o for o in clean if o.rank in PROMOTION]
        ready = rng.choice(promotable or clean)
        pending = rng.choice([o for o in clean if o is not ready])
        off_of: dict = {}

        def off(oid: int):
            if oid not in off_of:
                off_of[oid] = next(o for o in self.s.offs if o.id == oid)
            return off_of[oid]

        # 1. Ready: promotion, four musts done, dossier attached.
        rank = PROMOTION.get(ready.rank, ready.rank)
        first = self.item(discussion, ready.id, "promote" if ready.rank in PROMOTION
                          else "further_use", self.post(ready, rank),
                          "政治素质好，近三年年度考核均为称职以上，分管工作实绩突出，"
                          "经民主推荐、组织考察，拟提拔使用。")
        self.check(discussion, first, "file_audit")
        self.check(discussion, first, "personal_report")
        self.check(discussion, first, "petition", rng.choice(["clear", "resolved"]),
                   RESOLVED_NOTE)
        self.opinion(ready.id)
        MovesDemo(self).prepare(discussion, first)  # 凡动必谈、必考 before the dossier
        kaocha_demo.recommend(discussion, first)  # 民主推荐 for the 考察材料
        agenda.attach(discussion, ready.id, None, self.org_id)

        # 2. Blocked by the discipline commission's records (open case / impact period).
        if blocked:
            b = off(rng.choice(blocked))
            item = self.item(discussion, b.id, "exchange", self.post(b, b.rank, elsewhere=True),
                             "任现职时间较长，根据工作需要和干部交流有关规定，拟交流任职。")
            self.check(discussion, item, "file_audit")
            self.check(discussion, item, "personal_report")

        # 3. Blocked by a 基本称职 (or lower) annual grade in the dossier window.
        if low:
            w = off(rng.choice(low))
            item = self.item(discussion, w.id, "further_use", self.post(w, w.rank),
                             "熟悉分管领域工作，拟进一步使用。")
            self.check(discussion, item, "file_audit")

        # 4. A must still pending: the personal-matters report check is open.
        item = self.item(discussion, pending.id, "further_use", self.post(pending, pending.rank),
                         "工作经历丰富，群众公认度较高，拟进一步使用。")
        self.check(discussion, item, "file_audit")
        self.check(discussion, item, "personal_report", "pending", PENDING_NOTE)
        self.check(discussion, item, "petition")
        MovesDemo(self).prepare(discussion, item)
        self.opinion(pending.id)

        reviewer = db.session.scalar(select(User.id).where(User.username == REVIEWER))
        if reviewer is not None:
            agenda.assign_reviewer(discussion, reviewer)
        # Next meeting's members in one choice (no random draw: the rest stays as it was).
        member_lists.save_list(None, {"name": MEMBER_LIST, "member_names": "\n".join(members),
                                      "user_ids": [reviewer] if reviewer is not None else []})
        self.s.counts["member_list"] = 1
        items = discussion.items
        self.s.counts["discussion"] = 1
        self.s.counts["agenda_item"] = len(items)
        self.s.counts["item_dossier"] = 1
        yield (f"干部任免会议：{discussion.kind_label}“{discussion.title}”"
               f"（{self.date.isoformat()}），议题 {len(items)} 个，成员 {len(members)} 人")
        yield from MovesDemo(self).run()  # a held meeting with its 任前公示 and 任职
