"""Demo data of the discipline commission (纪委监委).

Findings for about 3 % of the officials (at least a fixed showcase: every source
family, talks to 党纪/政务处分, open, closed, cleared and one 容错免责), and
integrity-opinion requests (党风廉政意见) for about 2 % with answers consistent
with the findings: the outcome is read from ``blocking_conditions`` on the answer
date (open case → 4, impact period → 5 or 6), otherwise 1–3.

Findings and opinions are Core bulk rows (the volume follows the number of
officials); every finding is checked by the feature's own validation and
attributed to a unit by the rule of ``attributed_unit_id``, as ``save_finding``
does. The exemption goes through ``grant_exemption``. Principal leaders stay clean
but for one cleared petition.
"""
from __future__ import annotations

import datetime as dt
from itertools import accumulate
from typing import Iterator

from sqlalchemy import Date, Integer, bindparam, select

from kaohe.core.errors import ValidationFailed
from kaohe.discipline import queries, rules, services
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db

DEDUCTING_PER_UNIT_YEAR = 2
SOURCE_WEIGHTS = {"petition": 30, "self_found": 20, "higher_level": 14, "inspection": 12,
                  "media": 8, "audit": 16}
CLOSED_KINDS = {"talk_inquiry": 16, "reminder_talk": 16, "criticism": 12, "admonishment": 15,
                "org_reassignment": 3, "party_warning": 11, "party_serious_warning": 6,
                "party_removal": 2, "admin_warning": 8, "admin_demerit": 6,
                "admin_major_demerit": 3}
SUMMARIES = {
    "talk": ["反映其在项目审批中推诿拖延，经谈话函询说明情况，予以提醒。",
             "反映其违规接受管理服务对象宴请，本人如实说明，予以批评教育。",
             "反映其配偶经商办企业未如实报告，经核实为漏报，予以提醒谈话。"],
    "admonishment": ["违规使用公务用车办理私事，给予诫勉。",
                     "落实安全生产监管责任不力，给予诫勉。"],
    "organizational": ["履职不力导致重点项目严重滞后，给予调整职务处理。"],
    "party": ["违反中央八项规定精神，违规收受礼金，给予党纪处分。",
              "违规插手工程项目招投标，给予党纪处分。",
              "在扶贫项目资金管理中失职失责，给予党纪处分。"],
    "administrative": ["违规发放津贴补贴，给予政务处分。",
                       "在行政执法中滥用职权，给予政务处分。",
                       "工作中不担当不作为，造成不良影响，给予政务处分。"],
    "reform": ["在“一网通办”改革试点中简化审批环节，被上级督查指出程序不规范，予以批评教育。"],
    "open": ["反映其在工程项目中违规干预，正在初步核实。",
             "审计发现其分管领域专项资金使用不规范，线索正在处置。",
             "媒体报道其单位窗口服务作风问题，正在调查核实。"],
    "cleared": ["反映其违规收受礼品，经核查查无实据，予以了结澄清。",
                "反映其违规提拔亲属，经核查与事实不符，予以澄清正名。"],
}
DETAILS = ("（仅纪委监委可见）线索编号 JZJW-{y}-{n:04d}；承办：第{k}纪检监察室；"
           "谈话笔录、调查材料存卷。")
# (source, kind, status, days before today found, days to decision or None, summary key)
SHOWCASE = [
    ("self_found", "reminder_talk", "closed", 520, 30, "talk"),
    ("higher_level", "party_warning", "closed", 260, 95, "party"),  # impact covers today
    ("media", "admonishment", "closed", 200, 60, "admonishment"),
    ("inspection", "admin_demerit", "closed", 480, 90, "administrative"),
    ("petition", "pending", "investigation", 75, None, "open"),  # open case
    ("petition", "talk_inquiry", "cleared", 400, 45, "cleared"),
    ("audit", "pending", "clue", 40, None, "open"),
    ("higher_level", "criticism", "closed", 330, 40, "reform"),  # exempted (容错免责)
]
EXEMPTION = {
    "reason": ("在推进“一网通办”改革试点中先行先试，因上级政策尚不明确出现程序瑕疵，"
               "未谋取私利，已主动纠正，符合“三个区分开来”要求。"),
    "approver": "中共江州市纪律检查委员会常务委员会",
}
PURPOSES = {  # purpose of the request: how the answer refers to it
    "拟提拔为副处级领导干部人选": "提拔使用",
    "拟交流任职": "交流任职",
    "拟推荐为市管优秀年轻干部人选": "推荐为优秀年轻干部人选",
    "年度考核拟定为优秀等次": "年度考核定为优秀等次",
    "拟推荐为“两代表一委员”人选": "推荐为“两代表一委员”人选",
    "拟晋升职级（一级调研员）": "晋升职级",
    "拟作为后备干部人选": "作为后备干部人选",
    "评选表彰（优秀共产党员）": "评选表彰",
}
SERIOUS_KINDS = {"party_serious_warning", "party_removal", "admin_major_demerit"}
ANSWERS = {
    1: "经查，我委（局）未收到反映该同志问题的线索，对其{p}无异议。",
    2: "曾收到反映该同志问题的线索，经核查已予了结，对其{p}不持异议。",
    3: "该同志曾受谈话提醒或处理，现已过影响期，对其{p}不持异议。",
    4: "该同志有问题线索正在处置，暂缓提出意见。",
    5: "该同志处于处分（处理）影响期内，建议暂缓使用。",
    6: "该同志所受处分情节较重，建议不宜提拔使用。",
}


class DisciplineDemo:
    def __init__(self, seeder) -> None:
        self.s, self.rng, self.today = seeder, seeder.rng, seeder.today
        self.days = lambda n: self.today - dt.timedelta(days=n)
        self.deducting: dict[tuple[int, int], int] = {}
        self.findings: dict[int, list] = {}  # official id → findings_with_periods
        # The rule of services.attributed_unit_id, built once with parameters: that
        # builds and compiles a new aliased SELECT per call (1 ms; 30 000 at a million).
        self.unit_of = select(queries.attributed_unit(bindparam("official", type_=Integer),
                                                      bindparam("day", type_=Date)))

    def run(self) -> Iterator[str]:
        offs = self.s.offs
        principals = [o for o in offs if o.principal]
        pool = [o for o in offs if not o.principal] or list(offs)
        n = min(max(len(SHOWCASE), round(len(offs) * .03)), len(pool))
        chosen = self.rng.sample(pool, n)
        rows = [self.finding(o, spec) for o, spec in zip(chosen, SHOWCASE)]
        rows += [self.finding(o, None) for o in chosen[len(SHOWCASE):]]
        # A few officials have a second, older matter.
        rows += [self.finding(o, None, older=True) for o in chosen[len(SHOWCASE):]
                 if self.rng.random() < .12]
        if principals:  # principal leaders stay clean: one cleared petition at most
            rows.append(self.finding(self.rng.choice(principals),
                                     ("petition", "pending", "cleared", 300, 50, "cleared")))
        yield from self.s.insert(DisciplineFinding, (self.checked(r) for r in rows), "纪委了解的情况")
        if len(chosen) >= len(SHOWCASE):
            self.exempt(chosen[len(SHOWCASE) - 1])
        with_findings = {r["official_id"] for r in rows}
        yield from self.s.insert(IntegrityOpinion, self.opinion_rows(chosen, with_findings),
                                 "党风廉政意见征求与回复")

    # -- findings ---------------------------------------------------------------
    def finding(self, o, spec, older: bool = False) -> dict:
        rng = self.rng
        earliest = max(self.s.plus_years(o.work_start, 1), self.s.plus_years(self.today, -4))
        if spec is not None:
            source, kind, status, ago, decide, key = spec
            found = max(self.days(ago), earliest)
            decided = (min(found + dt.timedelta(days=decide), self.days(1))
                       if decide is not None else None)
        else:
            source = rng.choices(list(SOURCE_WEIGHTS), cum_weights=_cum(SOURCE_WEIGHTS))[0]
            found = self.s.day(earliest, self.days(900 if older else 10))
            recent = (self.today - found).days < 180
            status = (rng.choices(["clue", "investigation", "closed", "cleared"],
                                  [35, 20, 30, 15])[0] if recent
                      else rng.choices(["closed", "cleared"], [65, 35])[0])
            if status in rules.OPEN_STATUSES:
                kind, decided, key = "pending", None, "open"
            else:
                decided = min(found + dt.timedelta(days=rng.randint(20, 150)), self.days(1))
                if status == "cleared":
                    kind = rng.choices(["pending", "talk_inquiry"], [60, 40])[0]
                    key = "cleared"
                else:
                    kind = rng.choices(list(CLOSED_KINDS), cum_weights=_cum(CLOSED_KINDS))[0]
                    key = rules.KINDS[kind][0]
        unit_id = db.session.scalar(self.unit_of, {"official": o.id, "day": found})
        if source in rules.DEDUCTING_SOURCES and status == "closed" and kind != "pending":
            # At most a few cases a year found by a higher level or the media per unit, so
            # the party-conduct deductions stay plausible at any number of officials.
            slot = (unit_id, decided.year)
            self.deducting[slot] = self.deducting.get(slot, 0) + 1
            if spec is None and self.deducting[slot] > DEDUCTING_PER_UNIT_YEAR:
                source = rng.choice(["petition", "audit", "self_found"])
        return {**self.s.base(), "official_id": o.id, "unit_id": unit_id,
                "found_date": found, "source": source, "kind": kind, "status": status,
                "decision_date": decided, "period_months": None,
                "summary": rng.choice(SUMMARIES[key]),
                "details": DETAILS.format(y=found.year, n=rng.randint(1, 2000),
                                          k=rng.choice("一二三四五六七八"))}

    @staticmethod
    def checked(row: dict) -> dict:
        """The feature's own validation of a finding (a demo bug fails loudly)."""
        errors = services._check_finding(row, None)
        if errors:
            raise ValidationFailed(errors)
        return row

    def exempt(self, o) -> None:
        finding = db.session.scalars(select(DisciplineFinding).where(
            DisciplineFinding.official_id == o.id, DisciplineFinding.kind == "criticism")
            .order_by(DisciplineFinding.found_date.desc()).limit(1)).one()
        services.grant_exemption(finding, {**EXEMPTION, "approved_on": min(
            finding.decision_date + dt.timedelta(days=20), self.days(1))})
        self.s.counts["tolerance_exemption"] = 1

    # -- integrity opinions ---------------------------------------------------------
    def opinion_rows(self, chosen, with_findings: set) -> Iterator[dict]:
        rng = self.rng
        # The showcase officials (two of them blocked) are among those asked about.
        asked = chosen[:6]
        flagged = [o for o in chosen[len(SHOWCASE):] if rng.random() < .25]
        clean = [o for o in self.s.offs if o.id not in with_findings]
        want = max(12, round(len(self.s.offs) * .02)) - len(flagged)
        extra = flagged + rng.sample(clean, max(0, min(want, len(clean))))
        rng.shuffle(extra)
        for k, o in enumerate(asked + extra):
            if k <= len(asked):  # answered and still valid (showcase and one clean)
                latest = self.days(rng.randint(15, 75))
            elif rng.random() < .3:
                latest = self.days(rng.randint(2, 75))
            else:
                latest = self.days(rng.randint(95, 700))
            dates = [latest]
            if rng.random() < .2:  # asked before as well
                dates.insert(0, latest - dt.timedelta(days=rng.randint(150, 500)))
            for j, requested in enumerate(dates):
                pending = j == len(dates) - 1 and (self.today - requested).days < 12 \
                    and rng.random() < .5
                answered = None if pending else min(
                    requested + dt.timedelta(days=rng.randint(3, 15)), self.today)
                outcome = None if pending else self.outcome(o.id, answered, with_findings)
                purpose = rng.choice(list(PURPOSES))
                assert answered is None or requested <= answered <= self.today
                yield {**self.s.base(), "official_id": o.id, "purpose": purpose,
                       "requested_on": requested, "outcome": outcome,
                       "answer_text": ANSWERS[outcome].format(p=PURPOSES[purpose])
                       if outcome else "",
                       "answered_on": answered, "answered_at": None, "answered_by_id": None}

    def outcome(self, official_id: int, day: dt.date, with_findings: set) -> int:
        """What the commission's records say on ``day`` (through the feature's read service).

        The official's findings are read once (all are written before the opinions) and
        no earlier opinion is consulted: only open cases and impact periods decide here.
        """
        if official_id not in with_findings:
            return 1
        if official_id not in self.findings:
            self.findings[official_id] = queries.findings_with_periods(official_id)
        rows = self.findings[official_id]
        blockers = services.blocking_conditions(official_id, day, rows, opinion=None)
        if any(b.code == "open_case" for b in blockers):
            return 4
        sources = {b.source for b in blockers if b.code == "impact_period"}
        if sources:  # 6 (不宜使用) for the heavier sanctions whose period is running
            kinds = {f.kind for f, _p in rows if f"discipline_finding:{f.id}" in sources}
            return 6 if kinds & SERIOUS_KINDS else 5
        found = [f.status for f, _p in rows if f.found_date <= day]
        if not found:
            return 1
        return 2 if all(status == "cleared" for status in found) else 3


def _cum(weights: dict) -> list[int]:
    return list(accumulate(weights.values()))
