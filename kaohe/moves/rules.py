"""凡动必核、凡动必谈、凡动必考、凡动必训 (the seed speech: every personnel move is verified,
talked through, assessed and trained) and 任前公示: vocabularies and what each action needs.

One table, :data:`REQUIREMENTS`, says per agenda-item action (``discussions.rules.ACTIONS``)
which records are needed and when:

* 核 — the 凡提四必 checks (``discussions.rules.CHECKS``) that apply. A promotion or
  further use needs all four (the regulation's 凡提四必); an exchange (交流) takes up a
  post as well and needs the same. 免职 verifies its grounds in the file and with the
  discipline commission; 退休 verifies age and service in the file (档案审核);
  试用期满考核 hears the discipline commission and checks petitions of the trial year.
* 谈 — a 动议谈话 before the meeting for every move (the official is heard when the
  move is proposed); a 任前谈话 after the 同意 decision and before the appointment for
  the actions that take up a post (条例: 任职前谈话).
* 考 — before the meeting, one assessment of a kind that fits: 考察 for promotions and
  further use (条例: 考察 of every candidate), the relevant 考核 otherwise.
* 训 — 任职培训 for the actions that take up a post, attended or planned before the
  appointment (干部教育培训工作条例: before or within a year of taking up the post);
  for 试用期满考核 it must have been attended in the trial year (before the meeting);
  免职 and 退休 take up no post (not applicable).
"""
from __future__ import annotations

from dataclasses import dataclass

MOVES = {"verify": "凡动必核", "talk": "凡动必谈", "assess": "凡动必考", "train": "凡动必训"}

TALK_KINDS = {"motion": "动议谈话", "pre_appointment": "任前谈话"}
ASSESS_KINDS = {
    "inspection": "考察",
    "annual": "年度考核",
    "probation": "试用期满考核",
    "special": "专项考核",
    "exit": "离任考核",
}
TRAINING_STATUSES = {"attended": "已参加", "planned": "已安排（计划参加）"}

BEFORE, AFTER = "before", "after"  # before the meeting / after the decision, before 任职
EITHER = "either"  # before the meeting, or after a 同意 decision (任职培训)


@dataclass(frozen=True)
class Needs:
    verify: tuple[str, ...]
    talk_after: bool  # 任前谈话 after the decision
    assess: tuple[str, ...]  # kinds that satisfy 考 (first: the usual one)
    train: str | None  # BEFORE (attended), AFTER (attended or planned) or None
    publicity: bool  # 任前公示 before 任职
    why_not_train: str = ""


ALL_CHECKS = ("file_audit", "personal_report", "integrity_opinion", "petition")
REQUIREMENTS: dict[str, Needs] = {
    "promote": Needs(ALL_CHECKS, True, ("inspection",), AFTER, True),
    "further_use": Needs(ALL_CHECKS, True, ("inspection",), AFTER, True),
    "exchange": Needs(ALL_CHECKS, True, ("inspection", "annual", "special"), AFTER, False),
    "dismiss": Needs(("file_audit", "integrity_opinion"), False,
                     ("annual", "special", "inspection", "exit"), None, False,
                     "免职不任新职，不安排任职培训"),
    "retire": Needs(("file_audit",), False, ("exit", "annual"), None, False,
                    "退休不任新职，不安排任职培训"),
    "probation": Needs(("integrity_opinion", "petition"), False, ("probation",), BEFORE, False),
}
PUBLICITY_ACTIONS = frozenset(a for a, n in REQUIREMENTS.items() if n.publicity)


def needs(action: str) -> Needs:
    """What ``action`` needs; an unknown action is held to the strictest rule."""
    return REQUIREMENTS.get(action, REQUIREMENTS["promote"])


OUTCOMES = {"none": "无异议", "objection": "有异议"}
OBJECTION_STATES = {
    "pending": "正在核查",
    "cleared": "经核查不影响任职",
    "upheld": "经核查影响任职",
}
HOLIDAY_KINDS = {"holiday": "放假（休息日）", "workday": "调休上班（工作日）"}

MIN_PUBLICITY_DAYS = 5  # 条例: 公示期不少于五个工作日
MAX_PUBLICITY_DAYS = 30
