"""The four moves of an agenda item as the item page, readiness and the dossier show them.

``before`` lists what is missing before the meeting (readiness: the item is not
ready); ``after`` what is missing before the appointment (任职). 核 is the item's
凡提四必 (:func:`kaohe.discussions.services.readiness.check_states`, passed in): this
module only says which of them the action needs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.discussions import rules as drules
from kaohe.discussions.models import AgendaItem
from kaohe.moves import rules
from kaohe.moves.models import MoveAssessment, MoveTalk, MoveTraining
from kaohe.moves.services.query import item_records


@dataclass
class MoveState:
    kind: str  # verify / talk / assess / train
    label: str  # 凡动必核 …
    rule: str  # what applies to this action, and when
    done: bool
    records: list[dict] = field(default_factory=list)  # {id, what, who, when, text, after}
    before: list[str] = field(default_factory=list)  # missing before the meeting
    after: list[str] = field(default_factory=list)  # missing before the appointment


def _labels(kinds, mapping) -> str:
    return "、".join(mapping[k] for k in kinds)


def _verify(item: AgendaItem, checks) -> MoveState:
    need = rules.needs(item.action)
    required = [c for c in checks if c.kind in need.verify]
    missing = [f"{c.label}未完成（{c.result}）" for c in required if not c.done]
    rule = (f"凡提四必（{_labels(need.verify, drules.CHECKS)}），上会前完成"
            if need.verify == rules.ALL_CHECKS else
            f"{item.action_label}须核：{_labels(need.verify, drules.CHECKS)}（凡提四必中适用的项），"
            "上会前完成")
    rows = [{"id": None, "what": c.label, "who": c.who, "when": c.when,
             "text": ("✓ " if c.done else "✗ ") + c.result, "after": False} for c in required]
    return MoveState("verify", rules.MOVES["verify"], rule, not missing, rows, missing)


def _talk(item: AgendaItem, talks: list[MoveTalk]) -> MoveState:
    need = rules.needs(item.action)
    kinds = {t.kind for t in talks}
    before = [] if "motion" in kinds else ["凡动必谈：未记录动议谈话（上会前须与本人谈话）"]
    after = ([] if not need.talk_after or "pre_appointment" in kinds
             else ["凡动必谈：未记录任前谈话（决定后、任职前进行）"])
    rule = "上会前进行动议谈话" + ("；同意后、任职前进行任前谈话" if need.talk_after else "")
    rows = [{"id": t.id, "what": t.kind_label, "who": t.talker, "when": t.talked_on.isoformat(),
             "text": t.summary, "after": t.kind == "pre_appointment"} for t in talks]
    return MoveState("talk", rules.MOVES["talk"], rule, not before and not after, rows,
                     before, after)


def annual_conclusion(result: AssessmentResult) -> str:
    """What a 考 citing an annual result concludes: 「2019年度考核称职」."""
    return f"{result.year}年度考核{GRADES.get(result.grade, result.grade)}"


def _cited(a: MoveAssessment) -> AssessmentResult | None:
    """The live annual result an annual 考 cites (None: deleted since)."""
    r = a.result
    return r if r is not None and r.deleted_at is None else None


def _conclusion(a: MoveAssessment) -> str:
    """The 考's conclusion as the record says it now: an annual one from its result (a
    grade corrected since is the one stated), not the words copied when it was recorded."""
    if a.result_id is None:
        return a.conclusion
    r = _cited(a)
    return annual_conclusion(r) if r is not None else f"{a.conclusion}（所引年度考核结果已删除）"


def _assess(item: AgendaItem, found: list[MoveAssessment]) -> MoveState:
    need = rules.needs(item.action)
    names = _labels(need.assess, rules.ASSESS_KINDS)
    ok = any(a.kind in need.assess and (a.result_id is None or _cited(a) is not None)
             for a in found)
    before = [] if ok else [f"凡动必考：未记录{names}（上会前完成）"]
    rows = [{"id": a.id, "what": a.kind_label, "who": a.assessor, "when": a.done_on.isoformat(),
             "text": "：".join(filter(None, (_conclusion(a), a.summary))), "after": False}
            for a in found]
    rule = (f"上会前完成{names}" if len(need.assess) == 1
            else f"上会前完成其一：{names}")
    return MoveState("assess", rules.MOVES["assess"], rule, ok, rows, before)


def _train(item: AgendaItem, found: list[MoveTraining]) -> MoveState:
    need = rules.needs(item.action)
    rows = [{"id": t.id, "what": t.status_label, "who": t.provider, "when":
             t.day.isoformat() if t.day else "", "text": "；".join(filter(None, (t.course, t.note))),
             "after": True} for t in found]
    if need.train is None:
        return MoveState("train", rules.MOVES["train"], f"不适用：{need.why_not_train}", True,
                         rows)
    attended = any(t.status == "attended" for t in found)
    if need.train == rules.BEFORE:
        before = [] if attended else ["凡动必训：试用期内未参加任职培训"]
        return MoveState("train", rules.MOVES["train"], "试用期内参加任职培训（上会前）",
                         attended, rows, before)
    after = [] if found else ["凡动必训：未参加或安排任职培训（任职前登记）"]
    return MoveState("train", rules.MOVES["train"],
                     "任职前参加或安排任职培训（提任前或提任后一年内参加）", bool(found), rows,
                     after=after)


def move_states(item: AgendaItem, checks) -> list[MoveState]:
    """核、谈、考、训 of ``item``; ``checks`` are its 凡提四必 states on the discussion date."""
    return [_verify(item, checks), _talk(item, item_records(item, MoveTalk)),
            _assess(item, item_records(item, MoveAssessment)),
            _train(item, item_records(item, MoveTraining))]


def missing_before(states: list[MoveState]) -> list[str]:
    """What keeps the item from the meeting, except 核 (readiness lists the checks itself)."""
    return [m for s in states if s.kind != "verify" for m in s.before]


def missing_after(states: list[MoveState]) -> list[str]:
    return [m for s in states for m in s.after]


def dossier_rows(states: list[MoveState]) -> list[dict]:
    """The four moves as the dossier prints them (plain JSON; 核 without its records,
    which the dossier's 凡提四必 table holds). No ids: same records, same snapshot."""
    out = []
    for s in states:
        row = {k: v for k, v in asdict(s).items() if k != "records"}
        row["records"] = [] if s.kind == "verify" else [
            {k: r[k] for k in ("what", "who", "when", "text")} for r in s.records]
        out.append(row)
    return out
