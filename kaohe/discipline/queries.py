"""Read services of the discipline feature: the ones other features must call.

* :func:`blocking_conditions` — everything the commission's records say against
  promoting an official on a date (open case, impact period, opinion 4–6).
* :func:`valid_opinion` — the integrity opinion in force on a date, or None.
* :func:`party_conduct_deductions` — itemised party-conduct deductions of a unit.
* :func:`dossier_section` — section 7 of the dossier (never the details field).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from kaohe.core.periods import period_end
from kaohe.core.perkey import PerKey
from kaohe.discipline import impact, rules
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion, ToleranceExemption
from kaohe.discipline.serializers import finding_dict, opinion_dict
from kaohe.extensions import db
from kaohe.officials.models import Official, Post
from kaohe.settings import services as settings


@dataclass(frozen=True)
class Blocker:
    code: str  # "open_case" | "impact_period" | "opinion_outcome"
    message_zh: str
    source: str  # "discipline_finding:<id>" or "integrity_opinion:<id>"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Deduction:
    finding_id: int
    official_id: int
    official_name: str
    unit_id: int
    date: dt.date  # decision date: the deduction falls in the period containing it
    source: str
    source_label: str
    kind: str
    kind_label: str
    points: float
    reason: str

    def as_dict(self) -> dict:
        return {**asdict(self), "date": self.date.isoformat()}


# Readiness asks these per-official reads for every item of an agenda bundle (issue 17;
# kaohe.core.perkey).
_FINDINGS = PerKey(lambda: (
    select(DisciplineFinding)
    .options(selectinload(DisciplineFinding.exemptions).selectinload(ToleranceExemption.granted_by),
             selectinload(DisciplineFinding.exemptions).selectinload(ToleranceExemption.revoked_by))
    .order_by(DisciplineFinding.found_date.desc(), DisciplineFinding.id.desc())),
    lambda: DisciplineFinding.official_id)
_LATEST_ANSWER = PerKey(lambda: (
    select(IntegrityOpinion).where(IntegrityOpinion.outcome.is_not(None),
                                   IntegrityOpinion.answered_on <= bindparam("day"))
    .order_by(IntegrityOpinion.answered_on.desc(), IntegrityOpinion.id.desc())),
    lambda: IntegrityOpinion.official_id, first=True)


def findings_of(official_id: int) -> list[DisciplineFinding]:
    """Every (not deleted) finding of the official, newest first, exemptions loaded."""
    return _FINDINGS(official_id)


def findings_with_periods(official_id: int):
    """[(finding, ImpactPeriod | None)] of the official, newest first."""
    findings = findings_of(official_id)
    periods = impact.periods(findings)
    return [(f, periods[f.id]) for f in findings]


def opinion_expiry(opinion: IntegrityOpinion) -> dt.date | None:
    """Last day the answer is valid: the validity setting in months counted from the
    answer date by 民法典 201–202 (answered 2020-01-10, 3 months → valid through 2020-04-10)."""
    if opinion.answered_on is None:
        return None
    return period_end(opinion.answered_on, int(settings.get(rules.OPINION_VALIDITY_KEY)))


def opinions_of(official_id: int) -> list[IntegrityOpinion]:
    return list(db.session.scalars(
        select(IntegrityOpinion).where(IntegrityOpinion.official_id == official_id)
        .options(selectinload(IntegrityOpinion.recorded_by),
                 selectinload(IntegrityOpinion.answered_by))
        .order_by(IntegrityOpinion.requested_on.desc(), IntegrityOpinion.id.desc())))


def valid_opinion(official_id: int, on_date: dt.date) -> IntegrityOpinion | None:
    """The latest answer given on or before ``on_date`` and still valid on it.

    None means "no opinion" (never requested, not answered yet, or expired).
    """
    latest = _LATEST_ANSWER(official_id, day=on_date)
    if latest is None or opinion_expiry(latest) < on_date:
        return None
    return latest


OPEN_THEN = "尚未办结"  # a case closed after the as-of day, as it stood then


def decided_after(f: DisciplineFinding, day: dt.date) -> bool:
    """Whether the case was closed (已结案) only after ``day``: it was open on it."""
    return f.status == "closed" and f.decision_date is not None and f.decision_date > day


def _was_open(f: DisciplineFinding, day: dt.date) -> bool:
    if f.found_date > day or f.is_cleared:
        return False
    return f.is_open or decided_after(f, day)


def finding_on(f: DisciplineFinding, period, day: dt.date) -> dict:
    """:func:`finding_dict` of the finding as it stood on ``day`` (no details): a case
    closed after ``day`` is 「尚未办结」 there, without the later decision, kind or period.
    Whether it counts stays as known now (cleared and exempted findings never count)."""
    row = finding_dict(f, period)
    if not decided_after(f, day):
        return row
    return {**row, "status": "open", "status_label": OPEN_THEN, "kind": "pending",
            "kind_label": rules.KINDS["pending"][1], "decision_date": None,
            "period_months": None, "impact": None}


_UNREAD = object()


def blocking_conditions(official_id: int, on_date: dt.date, rows=None,
                        opinion=_UNREAD) -> list[Blocker]:
    """Why the official may not be promoted on ``on_date``; empty list = nothing blocks.

    Blocks: a case open on that date, an impact period covering it, a valid
    integrity opinion with outcome 4–6. Cleared and exempted findings never
    block. A missing or expired opinion is *not* a blocker here (see
    :func:`valid_opinion`; the dossier flags it). ``rows`` (of
    :func:`findings_with_periods`) and ``opinion`` (of :func:`valid_opinion` on
    ``on_date``) save reading them again when the caller already has them.
    """
    blockers: list[Blocker] = []
    for f, period in findings_with_periods(official_id) if rows is None else rows:
        if not f.counts:
            continue
        source = f"discipline_finding:{f.id}"
        if _was_open(f, on_date):
            blockers.append(Blocker("open_case", (
                f"纪检监察机关正在处置的问题（{f.source_label}，{f.found_date.isoformat()} 发现，"
                f"{'立案审查' if f.status == 'investigation' else '尚未办结'}），"
                "办结前不得提拔。"), source))
        elif period is not None and period.covers(on_date):
            blockers.append(Blocker("impact_period", (
                f"受{f.kind_label}（{f.decision_date.isoformat()} 决定），影响期"
                f"{period.label}，期内不得提拔。"), source))
    if opinion is _UNREAD:
        opinion = valid_opinion(official_id, on_date)
    if opinion is not None and opinion.is_blocking:
        blockers.append(Blocker("opinion_outcome", (
            f"党风廉政意见回复（{opinion.answered_on.isoformat()}）：{opinion.outcome_label}。"),
            f"integrity_opinion:{opinion.id}"))
    return blockers


def attributed_unit(official_id, day):
    """SQL: the unit a finding about ``official_id`` found on ``day`` counts against
    (columns or values): the unit of the post held that day (an end date is the last
    day held; a principal post first, then the most recently started), else the
    official's current unit. Read from the posts as they are now, so a post recorded
    or corrected after the finding moves it."""
    post_unit = (select(Post.unit_id).where(
        Post.official_id == official_id, Post.start_date <= day,
        or_(Post.end_date.is_(None), Post.end_date >= day), Post.deleted_at.is_(None))
        .order_by(Post.is_principal.desc(), Post.start_date.desc(), Post.id.desc())
        .limit(1).scalar_subquery())
    holder = aliased(Official)  # not the caller's own Official, which it would correlate to
    own_unit = select(holder.unit_id).where(holder.id == official_id).scalar_subquery()
    return func.coalesce(post_unit, own_unit)


def party_conduct_deductions(unit_id: int, start: dt.date, end: dt.date,
                             points_by_category: dict[str, float] | None = None
                             ) -> list[Deduction]:
    """Itemised deductions of the unit's party-conduct indicator for [start, end]
    (see :func:`party_conduct_deductions_of`)."""
    return party_conduct_deductions_of([unit_id], start, end, points_by_category)


def party_conduct_deductions_of(unit_ids, start: dt.date, end: dt.date,
                                points_by_category: dict[str, float] | None = None
                                ) -> list[Deduction]:
    """Itemised deductions of the units' party-conduct indicator for [start, end], in
    one query whatever the number of units (a round ranks a whole group).

    A finding counts against the unit it is attributed to (the unit of the
    official's post on the finding date as the posts read now, :func:`attributed_unit`),
    in the period containing its decision date, when it is closed (已结案), has a
    handling kind, was found by a higher level or the media (上级交办, 巡视巡察,
    媒体曝光) and is not exempted. Points per kind category are settings, or
    ``points_by_category`` (a published unit-assessment scheme's frozen figures).
    """
    # A finding stands when its official's record is deleted since: it still costs the
    # unit (a ranking does not move for it), under the name recorded. The official is
    # joined past the soft-delete filter (loaded as a relationship it would be None).
    F, unit_ids = DisciplineFinding, list(unit_ids)
    # Only an official with a post in one of the units, or belonging to one, can be
    # attributed to it. OFFSET 0 keeps the attribution computed once per finding in the
    # subquery (PostgreSQL otherwise ran its subqueries again for the outer test: ~9×).
    found = (select(F.id.label("finding_id"),
                    attributed_unit(F.official_id, F.found_date).label("unit_id"))
             .join(Official, Official.id == F.official_id)
             .where(or_(Official.unit_id.in_(unit_ids), F.official_id.in_(
                        select(Post.official_id).where(Post.unit_id.in_(unit_ids)))),
                    F.status == "closed", F.source.in_(rules.DEDUCTING_SOURCES),
                    F.kind != "pending", F.deleted_at.is_(None),
                    F.decision_date >= start, F.decision_date <= end)
             .offset(0).subquery())
    rows = db.session.execute(
        select(F, Official.name, found.c.unit_id)
        .join(found, found.c.finding_id == F.id)
        .join(Official, Official.id == F.official_id)
        .where(found.c.unit_id.in_(unit_ids))
        .options(selectinload(F.exemptions))
        .order_by(F.decision_date, F.id)
        .execution_options(include_deleted=True))
    items = []
    for f, name, unit_id in rows:
        if not f.counts:
            continue
        key = rules.DEDUCT_KEY.format(f.category)
        points = float(settings.get(key) if points_by_category is None
                       else points_by_category[f.category])
        if points <= 0:
            continue
        items.append(Deduction(
            f.id, f.official_id, name, unit_id, f.decision_date, f.source,
            f.source_label, f.kind, f.kind_label, points,
            f"{name}：{f.source_label}发现的问题，{f.decision_date.isoformat()} "
            f"给予{f.kind_label}，按规则参数“{rules.CATEGORIES[f.category]}”扣 {points:g} 分。"))
    return items


NO_OPINION_FLAG = "纪检监察机关意见：未回复"
BLOCKER_DETAILS = {
    "open_case": "问题线索尚在处置或立案审查中，办结前不得提拔。",
    "impact_period": "处分或组织处理影响期内不得提拔。",
    "opinion_outcome": "党风廉政意见回复结论为暂缓或不宜使用。",
}


def dossier_section(official_id: int, as_of: dt.date,
                    window_start: dt.date | None = None) -> dict:
    """Section 7 of the dossier (纪委了解的情况), as plain JSON; never the details.

    ``findings``: those found by ``as_of`` that touch the window (found, decided,
    still open or with an impact period reaching into it), newest first.
    ``flags`` (``{level, code, text, detail}``): each blocking condition on ``as_of``
    ("block") plus「纪检监察机关意见：未回复」("warn") when no opinion is valid then.
    """
    def touches(f, period) -> bool:
        if f.found_date > as_of:
            return False
        if window_start is None or f.found_date >= window_start or f.is_open:
            return True
        if f.decision_date is not None and f.decision_date >= window_start:
            return True
        return period is not None and (period.end is None or period.end >= window_start)

    opinion = valid_opinion(official_id, as_of)
    blockers = blocking_conditions(official_id, as_of)
    flags = [{"level": "block", "code": b.code, "text": b.message_zh,
              "detail": "纪委监委记录：" + BLOCKER_DETAILS[b.code]} for b in blockers]
    if opinion is None:
        flags.insert(0, {"level": "warn", "code": "no_integrity_opinion", "text": NO_OPINION_FLAG,
                         "detail": "截止日期时无有效的党风廉政意见回复（未征求、未回复或已过有效期）；"
                                   "凡提四必：纪检监察机关意见必听。"})
    return {
        "available": True,
        "as_of": as_of.isoformat(),
        "opinion": opinion_dict(opinion, opinion_expiry(opinion)) if opinion else None,
        "opinion_validity_months": int(settings.get(rules.OPINION_VALIDITY_KEY)),
        "findings": [finding_on(f, p, as_of) for f, p in findings_with_periods(official_id)
                     if touches(f, p)],
        "blockers": [b.as_dict() for b in blockers],
        "flags": flags,
    }
