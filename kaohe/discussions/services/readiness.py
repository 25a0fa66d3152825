"""Whether an agenda item may be discussed: four musts done, nothing blocks, dossier on.

Discipline conditions come only from :func:`kaohe.discipline.services.blocking_conditions`
and :func:`~kaohe.discipline.services.valid_opinion`, on the discussion date. Low
annual grades (基本称职 or lower) are read in the dossier window (the
``dossier.window_years`` full calendar years before the discussion date). For
actions that use the official (提拔、进一步使用、交流) such conditions block; for 免职、
退休 and 试用期满考核 they are shown as warnings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from kaohe.assessments.models import GRADES, LOW_GRADES, AssessmentResult
from kaohe.discipline import services as discipline
from kaohe.discussions import rules
from kaohe.discussions.models import AgendaItem
from kaohe.dossier.snapshot import window
from kaohe.extensions import db
from kaohe.settings import services as settings


@dataclass
class CheckState:
    kind: str
    label: str
    done: bool
    result: str  # label of the result, or what is missing
    who: str = ""
    when: str = ""  # ISO date
    note: str = ""
    adverse: bool = False


@dataclass
class Readiness:
    checks: list[CheckState]
    blockers: list[dict]  # {code, text}: refuse the item
    warnings: list[dict]  # {code, text}: shown, do not refuse
    dossier: dict | None  # {version, number, sha256} of the current version
    missing: list[str] = field(default_factory=list)  # why not ready, in Chinese

    @property
    def ready(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict:
        return {"checks": [asdict(c) for c in self.checks], "blockers": self.blockers,
                "warnings": self.warnings, "dossier": self.dossier, "missing": self.missing,
                "ready": self.ready}


def _integrity(official_id: int, on: dt.date) -> CheckState:
    label = rules.CHECKS["integrity_opinion"]
    opinion = discipline.valid_opinion(official_id, on)
    if opinion is None:
        return CheckState("integrity_opinion", label, False,
                          f"无在 {on.isoformat()} 仍有效的党风廉政意见回复")
    who = opinion.answered_by.name if opinion.answered_by is not None else "纪检监察机关"
    expiry = discipline.opinion_expiry(opinion)
    return CheckState("integrity_opinion", label, True,
                      f"{opinion.outcome_label}（有效期至 {expiry.isoformat()}）", who,
                      opinion.answered_on.isoformat(), opinion.answer_text or "",
                      bool(opinion.is_blocking))


def check_states(item: AgendaItem, on: dt.date) -> list[CheckState]:
    out = []
    for kind, label in rules.CHECKS.items():
        if kind == "integrity_opinion":
            out.append(_integrity(item.official_id, on))
            continue
        c = item.check(kind)
        if c is None:
            out.append(CheckState(kind, label, False, "未核查"))
        else:
            out.append(CheckState(kind, label, c.result in rules.DONE_RESULTS, c.result_label,
                                  c.checked_by, c.checked_on.isoformat(), c.note,
                                  c.result == "adverse"))
    return out


def low_grades(official_id: int, on: dt.date) -> list[dict]:
    years, _start = window(on, int(settings.get("dossier.window_years")))
    rows = db.session.scalars(select(AssessmentResult).where(
        AssessmentResult.official_id == official_id, AssessmentResult.kind == "annual",
        AssessmentResult.year.in_(years), AssessmentResult.grade.in_(LOW_GRADES))
        .order_by(AssessmentResult.year))
    return [{"code": "low_grade", "text": (
        f"{r.year} 年度考核为“{GRADES.get(r.grade, r.grade)}”（近 {len(years)} 年内），"
        "按规定不得列为考察对象。")} for r in rows]


def conditions(item: AgendaItem, on: dt.date, checks: list[CheckState]) -> list[dict]:
    """Every condition against the item's official on ``on`` ({code, text})."""
    out = [{"code": b.code, "text": b.message_zh}
           for b in discipline.blocking_conditions(item.official_id, on)]
    out += low_grades(item.official_id, on)
    for c in checks:
        if c.adverse and c.kind != "integrity_opinion":  # the opinion is a discipline blocker
            out.append({"code": "four_must", "text": f"{c.label}：{c.result}。{c.note}".strip()})
    return out


def readiness(item: AgendaItem) -> Readiness:
    """The item's readiness now (as it was when held, for a held discussion)."""
    if item.readiness_at_held is not None:
        r = item.readiness_at_held
        return Readiness([CheckState(**c) for c in r["checks"]], r["blockers"], r["warnings"],
                         r["dossier"], r["missing"])
    return compute(item)


def compute(item: AgendaItem) -> Readiness:
    on = item.discussion.date
    checks = check_states(item, on)
    found = conditions(item, on, checks)
    use = item.action in rules.USE_ACTIONS
    blockers, warnings = (found, []) if use else ([], found)
    current = item.current_dossier
    dossier = None
    if current is not None:
        dossier = {"version": current.version, "number": current.dossier.number,
                   "sha256": current.dossier.sha256}
    missing = [f"{c.label}未完成（{c.result}）" for c in checks if not c.done]
    missing += [f"存在限制性情形：{b['text'].rstrip('。')}" for b in blockers]
    if dossier is None:
        missing.append("未附三年考评材料")
    return Readiness(checks, blockers, warnings, dossier, missing)
