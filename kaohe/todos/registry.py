"""Which to-do kinds each role gets, and the list of a user on a date.

Every kind also names the permission its work needs, so a role edited by the admin
never shows a reminder its users could not act on (nor the records behind it).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from flask import g, has_request_context

from kaohe.audit.kept import position
from kaohe.auth.permissions import P, can
from kaohe.core import clock
from kaohe.todos import accounts, assessment, discipline, keeping, meetings, people, publicity
from kaohe.todos.context import Ctx
from kaohe.todos.items import Todo

# kind → (label, permission needed)
KINDS: dict[str, tuple[str, P]] = {
    "discussion_not_ready": ("干部讨论议题未就绪", P.DISCUSSIONS_MANAGE),
    "opinion_missing": ("未征求党风廉政意见", P.INTEGRITY_REQUEST),
    "opinion_expiring": ("党风廉政意见会前到期", P.INTEGRITY_REQUEST),
    "dossier_stale": ("考评材料须重新生成", P.DISCUSSIONS_MANAGE),
    "publicity_ending": ("任前公示结束", P.DISCUSSIONS_MANAGE),
    "probation": ("试用期满", P.OFFICIALS_WRITE),
    "retirement": ("到龄退休", P.OFFICIALS_WRITE),
    "rotation_must": ("任现职满年限应交流", P.OFFICIALS_WRITE),
    "rotation": ("任现职满年限", P.OFFICIALS_WRITE),
    "impact_ending": ("影响期届满", P.OFFICIALS_WRITE),
    "annual_missing": ("年度考核结果未录入", P.OFFICIALS_WRITE),
    "opinion_waiting": ("党风廉政意见待回复", P.DISCIPLINE_WRITE),
    "finding_impact_ending": ("处分影响期届满", P.DISCIPLINE_WRITE),
    "round_data_missing": ("考核数据未录齐", P.UNITASSESS_WRITE),
    "indicators_lagging": ("指标进度滞后", P.UNITASSESS_READ),
    "interview_due": ("待约谈", P.UNITASSESS_READ),
    "dossier_unread": ("考评材料未阅", P.DISCUSSIONS_REVIEW),
    "user_idle": ("账户长期未使用", P.USERS_MANAGE),
    "token_expiring": ("API 令牌即将到期", P.USERS_MANAGE),
}

# producer → the kinds it makes
PRODUCERS: dict[Callable[[Ctx], list[Todo]], tuple[str, ...]] = {
    meetings.discussions: ("discussion_not_ready", "dossier_stale"),
    meetings.opinions: ("opinion_missing", "opinion_expiring"),
    meetings.unread: ("dossier_unread",),
    publicity.publicity_ending: ("publicity_ending",),
    people.probation: ("probation",),
    people.retirement: ("retirement",),
    people.rotation: ("rotation", "rotation_must"),
    people.annual_missing: ("annual_missing",),
    discipline.impact_ending: ("impact_ending",),
    discipline.waiting_opinions: ("opinion_waiting",),
    discipline.finding_impact_ending: ("finding_impact_ending",),
    assessment.rounds: ("round_data_missing", "indicators_lagging", "interview_due"),
    accounts.idle_users: ("user_idle",),
    accounts.expiring_tokens: ("token_expiring",),
}

ROLE_KINDS: dict[str, tuple[str, ...]] = {
    "organization": ("discussion_not_ready", "opinion_missing", "opinion_expiring",
                     "dossier_stale", "publicity_ending", "probation", "retirement",
                     "rotation_must", "rotation", "impact_ending", "annual_missing",
                     "interview_due"),
    "discipline": ("opinion_waiting", "finding_impact_ending"),
    "assessment": ("round_data_missing", "indicators_lagging", "interview_due"),
    "reviewer": ("dossier_unread",),
    "admin": ("user_idle", "token_expiring"),
}


def kinds_for(user) -> tuple[str, ...]:
    """The kinds ``user``'s role gets that their permissions allow."""
    role = getattr(getattr(user, "role", None), "name", "")
    return tuple(k for k in ROLE_KINDS.get(role, ()) if can(KINDS[k][1], user))


def compute(user, today: dt.date | None = None) -> list[Todo]:
    """The user's to-dos on ``today`` (default: today in Beijing), most urgent first; a
    kind about single officials with many reminders as one line per unit
    (:func:`kaohe.todos.grouping.group`)."""
    wanted = set(kinds_for(user))
    if not wanted:
        return []
    now = position()  # before any data: a write committed meanwhile is newer
    ctx, checked = Ctx.of(user, today or clock.today()), {}
    found = [t for producer, kinds in PRODUCERS.items() if wanted.intersection(kinds)
             for t in keeping.run(producer, ctx, now, checked) if t.kind in wanted]
    return sorted(found, key=Todo.sort_key)


def members(user, kind: str, unit_id: int | None = None,
            today: dt.date | None = None) -> list[Todo]:
    """Every to-do of ``kind`` the user has on ``today``, one per official, most urgent
    first: those of the officials recorded in ``unit_id`` (0: in no unit) when given —
    the list behind a grouped line. Empty for a kind the user does not get."""
    if kind not in kinds_for(user):
        return []
    now = position()
    ctx = Ctx.of(user, today or clock.today())
    producer = next(p for p, kinds in PRODUCERS.items() if kind in kinds)
    return [t for t in keeping.run(producer, ctx, now, {}, grouped=False) if t.kind == kind
            and (unit_id is None or (t.unit_id or 0) == unit_id)]


def for_request(user) -> list[Todo]:
    """:func:`compute` for today, at most once per request and user (navigation count,
    home page and API share it)."""
    if not has_request_context():
        return compute(user)
    cache = g.setdefault("kaohe_todos", {})
    if user.id not in cache:
        cache[user.id] = compute(user)
    return cache[user.id]


# user id → ((day, audit position), count): the navigation badge of every page.
_NAV_COUNTS: dict[int, tuple[tuple, int]] = {}
_NAV_MAX_USERS = 5000


def nav_count(user) -> int:
    """How many to-dos ``user`` has, for the navigation of every page.

    The list takes hundreds of milliseconds for the organization, too much for every
    page; its figure only changes when a record does (each write moves the audit
    position) or the day turns, so it is computed again exactly then, and read otherwise.
    """
    now = position()  # the request's, read before any data (None: it has written)
    key = (clock.today(), now)
    hit = _NAV_COUNTS.get(user.id)
    if now is not None and hit is not None and hit[0] == key:
        return hit[1]
    if len(_NAV_COUNTS) >= _NAV_MAX_USERS:
        _NAV_COUNTS.clear()
    count = len(for_request(user))
    if now is not None:
        _NAV_COUNTS[user.id] = (key, count)
    return count


def label(kind: str) -> str:
    return KINDS[kind][0]
