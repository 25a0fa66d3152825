"""Whether an agenda item may be discussed: four musts done, nothing blocks, dossier on
and up to date.

Discipline conditions come only from :func:`kaohe.discipline.services.blocking_conditions`
and :func:`~kaohe.discipline.services.valid_opinion`, on the discussion date. Low
annual grades (基本称职 or lower) are read in the window of
:func:`kaohe.assessments.window.assessment_window` on the discussion date (the last
concluded assessment years); a low grade entered for a year not yet concluded is a
warning only. For actions that use the official (提拔、进一步使用、交流) such conditions
block; for 免职、退休 and 试用期满考核 they are shown as warnings.

The dossier frozen onto the item carries :func:`dossier_context` (meeting, proposed
action, the four musts from :func:`check_states`, the same service as the item page).
When any of it has changed since (the meeting moved to another date, a check was
recorded), :func:`stale_reasons` says so and the item is not ready until the dossier
is regenerated.

凡动必核、凡动必谈、凡动必考、凡动必训 (:mod:`kaohe.moves`): 核 is the subset of the four
musts the action needs; a missing 动议谈话, 考察/考核 (and, for 试用期满考核, 任职培训)
keeps the item from the meeting; 任前谈话 and 任职培训 come after the decision and gate
the appointment instead. The dossier context carries them (``four_moves``).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Iterator

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from kaohe.assessments.models import GRADES, LOW_GRADES, AssessmentResult
from kaohe.assessments.window import PENDING, AssessmentWindow, assessment_window
from kaohe.auth.models import User
from kaohe.core import perkey
from kaohe.core.perkey import PerKey
from kaohe.discipline import services as discipline
from kaohe.discussions import rules
from kaohe.discussions.models import AgendaItem, Discussion, ItemDossier
from kaohe.dossier.fmt import cn_count
from kaohe.extensions import db
from kaohe.moves.rules import needs
from kaohe.moves.services.state import MoveState, dossier_rows, missing_before, move_states


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
    recorded_by: str = ""  # the user who entered it (the department's checks)


@dataclass
class Readiness:
    checks: list[CheckState]
    blockers: list[dict]  # {code, text}: refuse the item
    warnings: list[dict]  # {code, text}: shown, do not refuse
    dossier: dict | None  # {version, number, sha256} of the current version
    missing: list[str] = field(default_factory=list)  # why not ready, in Chinese
    stale: list[str] = field(default_factory=list)  # why the current dossier is out of date

    @property
    def ready(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict:
        return {"checks": [asdict(c) for c in self.checks], "blockers": self.blockers,
                "warnings": self.warnings, "dossier": self.dossier, "missing": self.missing,
                "stale": self.stale, "ready": self.ready}


def _integrity(opinion, on: dt.date) -> CheckState:
    label = rules.CHECKS["integrity_opinion"]
    if opinion is None:
        return CheckState("integrity_opinion", label, False,
                          f"无在 {on.isoformat()} 仍有效的党风廉政意见回复")
    who = opinion.answered_by.name if opinion.answered_by is not None else "纪检监察机关"
    expiry = discipline.opinion_expiry(opinion)
    return CheckState("integrity_opinion", label, True,
                      f"{opinion.outcome_label}（有效期至 {expiry.isoformat()}）", who,
                      opinion.answered_on.isoformat(), opinion.answer_text or "",
                      bool(opinion.is_blocking))


_UNREAD = object()  # check_states: the opinion not read by the caller


def _user_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else ""


def check_states(item: AgendaItem, on: dt.date, opinion=_UNREAD) -> list[CheckState]:
    """The four musts of ``item`` on ``on``: what the item page shows and the dossier
    attached to it prints. A check the action does not need (:mod:`kaohe.moves.rules`,
    凡动必核) and nobody recorded is 不适用. ``opinion``: :func:`valid_opinion` on ``on``
    when the caller already has it."""
    if opinion is _UNREAD:
        opinion = discipline.valid_opinion(item.official_id, on)
    out = []
    needed = needs(item.action).verify
    for kind, label in rules.CHECKS.items():
        if kind == "integrity_opinion":
            state = _integrity(opinion, on)
            if not state.done and kind not in needed:
                state = CheckState(kind, label, True, f"不适用（{item.action_label}不要求）")
            out.append(state)
            continue
        c = item.check(kind)
        if c is None and kind not in needed:
            out.append(CheckState(kind, label, True, f"不适用（{item.action_label}不要求）"))
        elif c is None:
            out.append(CheckState(kind, label, False, "未核查"))
        else:
            out.append(CheckState(kind, label, c.result in rules.DONE_RESULTS, c.result_label,
                                  c.checked_by, c.checked_on.isoformat(), c.note,
                                  c.result == "adverse", _user_name(c.recorded_by_id)))
    return out


# A bundle of 500 items asks for every official's (issue 17; kaohe.core.perkey).
_LOW = PerKey(lambda: (
    select(AssessmentResult).where(
        AssessmentResult.kind == "annual",
        AssessmentResult.year.in_(bindparam("years", expanding=True)),
        AssessmentResult.grade.in_(LOW_GRADES), AssessmentResult.deleted_at.is_(None))
    .order_by(AssessmentResult.year)), lambda: AssessmentResult.official_id)


def _low_results(official_id: int, win: AssessmentWindow) -> tuple[list, list]:
    """Low annual grades (基本称职 or lower) of the window's concluded years and of its
    open years, in one read."""
    rows = _LOW(official_id, years=[*win.years, *win.open_years])
    return ([r for r in rows if r.year in win.years],
            [r for r in rows if r.year in win.open_years])


def _low_texts(win: AssessmentWindow, rows) -> list[dict]:
    return [{"code": "low_grade", "text": (
        f"{r.year} 年度考核为“{GRADES.get(r.grade, r.grade)}”（近 {len(win.years)} 年内），"
        "按规定不得列为考察对象。")} for r in rows]


def _pending_texts(win: AssessmentWindow, rows) -> list[dict]:
    return [{"code": "pending_low_grade", "text": (
        f"{r.year} 年度考核尚未结束（{PENDING}，{win.concludes(r.year).isoformat()} 结束），"
        f"已录入“{GRADES.get(r.grade, r.grade)}”；结束后计入近{cn_count(len(win.years))}年"
        "年度考核，届时不得列为考察对象。")} for r in rows]


def low_grades(official_id: int, on: dt.date) -> list[dict]:
    """基本称职 or lower in the window on ``on``: not eligible as an inspection candidate."""
    win = assessment_window(on)
    return _low_texts(win, _low_results(official_id, win)[0])


def pending_low_grades(official_id: int, on: dt.date) -> list[dict]:
    """A low grade entered for a year whose assessment has not concluded on ``on``."""
    win = assessment_window(on)
    return _pending_texts(win, _low_results(official_id, win)[1])


def conditions(item: AgendaItem, on: dt.date, checks: list[CheckState],
               opinion, low: list[dict]) -> list[dict]:
    """Every condition against the item's official on ``on`` ({code, text}); ``opinion``
    is :func:`valid_opinion` on ``on``, ``low`` its :func:`low_grades`."""
    out = [{"code": b.code, "text": b.message_zh}
           for b in discipline.blocking_conditions(item.official_id, on, opinion=opinion)]
    out += low
    for c in checks:
        if c.adverse and c.kind != "integrity_opinion":  # the opinion is a discipline blocker
            out.append({"code": "four_must", "text": f"{c.label}：{c.result}。{c.note}".strip()})
    return out


@contextlib.contextmanager
def read_together(items: list[AgendaItem], *loads) -> Iterator[None]:
    """Within the block, :func:`readiness` of many items reads for all of them at once:
    their officials, checks and dossiers (and ``loads``, more loader options of
    AgendaItem) loaded in a few statements, the per-official and per-item reads batched
    (:func:`kaohe.core.perkey.batch`). One item at a time, an agenda of six items ran 86
    statements, twelve more for every item."""
    ids = [i.id for i in items]
    for at in range(0, len(ids), perkey.SLICE):  # within any engine's bound-parameter limit
        db.session.scalars(select(AgendaItem).where(AgendaItem.id.in_(ids[at:at + perkey.SLICE]))
                           .options(selectinload(AgendaItem.official),
                                    selectinload(AgendaItem.checks),
                                    selectinload(AgendaItem.dossiers)
                                    .selectinload(ItemDossier.dossier), *loads)).all()
    with perkey.batch(official_id=[i.official_id for i in items], item_id=ids):
        yield


def readiness(item: AgendaItem) -> Readiness:
    """The item's readiness now (as it was when held, for a held discussion)."""
    if item.readiness_at_held is not None:
        r = item.readiness_at_held
        return Readiness([CheckState(**c) for c in r["checks"]], r["blockers"], r["warnings"],
                         r["dossier"], r["missing"], r.get("stale") or [])
    return compute(item)


def dossier_context(discussion: Discussion, item: AgendaItem,
                    checks: list[CheckState] | None = None,
                    moves: list[MoveState] | None = None) -> dict:
    """What a dossier frozen onto ``item`` records of it (see :mod:`kaohe.dossier.snapshot`);
    ``checks`` (:func:`check_states` on the discussion date) and ``moves``
    (:func:`move_states` of them) when already at hand."""
    if checks is None:
        checks = check_states(item, discussion.date)
    if moves is None:
        moves = move_states(item, checks)
    return {"discussion_title": f"{discussion.kind_label}：{discussion.title}",
            "discussion_date": discussion.date.isoformat(),
            "proposed_action": item.action_label, "proposed_post": item.proposed_post,
            "proposed_removal": item.proposed_removal, "agenda_item_id": item.id,
            "four_musts": [asdict(c) for c in checks],
            "four_moves": dossier_rows(moves)}


MUST_FIELDS = ("kind", "done", "result", "who", "when", "note", "adverse")


def _changed_musts(frozen: list[dict], now: list[dict]) -> list[str]:
    was = {m.get("kind"): tuple(m.get(k) for k in MUST_FIELDS) for m in frozen}
    return [m["label"] for m in now if was.get(m["kind"]) != tuple(m[k] for k in MUST_FIELDS)]


def stale_reasons(link: ItemDossier, context: dict) -> list[str]:
    """Why the dossier of ``link`` no longer matches ``context`` (:func:`dossier_context`
    now); empty when it does."""
    snap = link.dossier.snapshot or {}
    frozen = snap.get("context") or {}
    head = f"考评材料第 {link.version} 版（{link.dossier.number}）"
    out = []
    new_date = context["discussion_date"]
    old_date = frozen.get("discussion_date") or snap.get("as_of")
    if old_date != new_date or snap.get("as_of") != new_date:
        out.append(f"{head}按会议日期 {old_date} 生成，会议日期现为 {new_date}，"
                   "须按新日期重新生成")
    # 拟免职务 is compared only where the dossier recorded it (earlier ones did not show it).
    changed = [label for key, label in (("discussion_title", "会议名称"),
                                        ("proposed_action", "任免事项"),
                                        ("proposed_post", "拟任职务"),
                                        ("proposed_removal", "拟免职务"))
               if (key in frozen or key != "proposed_removal")
               and (frozen.get(key) or "") != (context[key] or "").strip()]
    if changed:
        out.append(f"{head}生成后{'、'.join(changed)}已修改，须重新生成")
    if frozen.get("four_musts") is None:
        out.append(f"{head}未载明本议题“凡提四必”核查情况，须重新生成")
    else:
        musts = _changed_musts(frozen["four_musts"], context["four_musts"])
        if musts:
            out.append(f"{head}生成后“凡提四必”核查情况有变化（{'、'.join(musts)}），须重新生成")
    if frozen.get("four_moves") is None:
        out.append(f"{head}未载明本议题“凡动必核、必谈、必考、必训”情况，须重新生成")
    else:
        was = {m["kind"]: m for m in frozen["four_moves"]}
        moved = [m["label"] for m in context["four_moves"] if m["kind"] != "verify"
                 and was.get(m["kind"]) != m]  # 核 is the 凡提四必, compared above
        if moved:
            out.append(f"{head}生成后{'、'.join(moved)}的记录有变化，须重新生成")
    return out


def compute(item: AgendaItem) -> Readiness:
    on = item.discussion.date
    opinion = discipline.valid_opinion(item.official_id, on)  # read once for both
    checks = check_states(item, on, opinion)
    moves = move_states(item, checks)
    win = assessment_window(on)
    low, pending = _low_results(item.official_id, win)
    found = conditions(item, on, checks, opinion, _low_texts(win, low))
    use = item.action in rules.USE_ACTIONS
    blockers, warnings = (found, []) if use else ([], found)
    warnings = warnings + _pending_texts(win, pending)
    current = item.current_dossier
    dossier, stale = None, []
    if current is not None:
        dossier = {"version": current.version, "number": current.dossier.number,
                   "sha256": current.dossier.sha256}
        stale = stale_reasons(current, dossier_context(item.discussion, item, checks, moves))
    missing = list(moves[0].before)  # 凡动必核: the 凡提四必 checks this action needs
    missing += [f"存在限制性情形：{b['text'].rstrip('。')}" for b in blockers]
    missing += missing_before(moves)
    if dossier is None:
        missing.append("未附三年考评材料")
    missing += stale
    return Readiness(checks, blockers, warnings, dossier, missing, stale)
