"""The 优秀 quota of officials' annual assessment (issue 12.5).

In a unit and year at most ``floor(pct × assessed / 100)`` officials are 优秀, where
*assessed* counts the officials with a (live) annual result of that year in that
unit, and *pct* is the setting ``assessment.excellent_quota_pct``, or the share of
an :class:`ExcellentQuotaApproval` recorded for that unit and year when higher.
Small units are not rounded up: 4 assessed at 20% allow 0.

The unit of an annual result: a result has no unit of its own, so it is the unit
of the post the official held on 31 December of that year (end date inclusive; a
principal post first, then the most recently started), else the official's
recorded unit (所在单位) — the rule discipline findings use for their day
(:func:`kaohe.discipline.services.attributed_unit_id`). One SQL expression
(:func:`year_end_unit`) decides it for the entry check, the import and the unit page.

The check runs when an 优秀 is entered (form, API) or imported (the whole file's
final state); lowering a grade is always allowed. The unit page shows where a unit
stands (a later post or deletion can push a year over; it is shown, not hidden).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Hashable, Iterable, TypeVar

from sqlalchemy import Date, case, func, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import aliased

from kaohe.assessments.models import AssessmentResult, ExcellentQuotaApproval
from kaohe.extensions import db
from kaohe.officials.models import Official, Post
from kaohe.settings import services as settings
from kaohe.settings.registry import by_key
from kaohe.units.models import Unit

BASE_PCT = "assessment.excellent_quota_pct"
APPROVED_PCT = "assessment.excellent_quota_pct_approved"
EXCELLENT = "excellent"
CHUNK = 500

K = TypeVar("K", bound=Hashable)


def setting_label(key: str) -> str:
    return f"规则参数「{by_key()[key].label}」"


# ---------------------------------------------------------------- the unit of a result


class _YearEnd(FunctionElement):
    """SQL: 31 December of an integer year column, as a date comparable with date columns."""

    type = Date()
    inherit_cache = True


@compiles(_YearEnd, "postgresql")
def _year_end_pg(element, compiler, **kw):
    return f"make_date(CAST({compiler.process(element.clauses, **kw)} AS INTEGER), 12, 31)"


@compiles(_YearEnd, "sqlite")
def _year_end_sqlite(element, compiler, **kw):  # SQLite keeps dates as 'YYYY-MM-DD' text
    return f"printf('%04d-12-31', {compiler.process(element.clauses, **kw)})"


def year_end_unit(official_id, official_unit_id, year):
    """SQL: the unit an official's annual result of ``year`` counts in (module docstring).

    ``year`` is a column or an int; the other two are columns of the enclosing query.
    """
    p = aliased(Post)
    end = dt.date(year, 12, 31) if isinstance(year, int) else _YearEnd(year)
    post_unit = (
        select(p.unit_id)
        .where(p.official_id == official_id, p.deleted_at.is_(None), p.start_date <= end,
               or_(p.end_date.is_(None), p.end_date >= end))
        .order_by(p.is_principal.desc(), p.start_date.desc(), p.id.desc())
        .limit(1).correlate_except(p).scalar_subquery())
    return func.coalesce(post_unit, official_unit_id)


def units_of(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int | None]:
    """The unit of each (official id, year); None when it cannot be told."""
    by_year: dict[int, set[int]] = {}
    for official_id, year in pairs:
        by_year.setdefault(year, set()).add(official_id)
    out: dict[tuple[int, int], int | None] = {}
    for year, ids in by_year.items():
        ids = sorted(ids)
        for i in range(0, len(ids), CHUNK):
            rows = db.session.execute(
                select(Official.id, year_end_unit(Official.id, Official.unit_id, year))
                .where(Official.id.in_(ids[i:i + CHUNK])))
            out.update(((official_id, year), unit) for official_id, unit in rows)
    return out


def _annual_in_units(unit_ids: list[int], years: list[int] | None = None):
    """Subquery: (unit_id, year, official_id, grade) of the live annual results in ``unit_ids``.

    Only officials who ever had a post in those units, or are recorded there, can
    count in them, so the per-row unit expression runs on those alone.
    """
    r, o = AssessmentResult, Official
    # One IN over a UNION (not an OR) so the results are reached by official id.
    in_units = r.official_id.in_(union(
        select(Official.id).where(Official.unit_id.in_(unit_ids)),
        select(Post.official_id).where(Post.unit_id.in_(unit_ids), Post.deleted_at.is_(None))))
    stmt = (select(year_end_unit(r.official_id, o.unit_id, r.year).label("unit_id"),
                   r.year, r.official_id, r.grade)
            .join(o, o.id == r.official_id)
            .where(r.kind == "annual", r.deleted_at.is_(None), o.deleted_at.is_(None), in_units))
    if years is not None:
        stmt = stmt.where(r.year.in_(years))
    return stmt.subquery()


# ---------------------------------------------------------------- where a unit stands


@dataclass(frozen=True)
class Usage:
    """One unit's 优秀 count of one year against its quota."""

    unit_id: int
    unit_name: str
    year: int
    assessed: int
    excellent: int
    base_pct: int
    approved_max: int
    approval: ExcellentQuotaApproval | None = None

    @property
    def approved(self) -> bool:
        """Whether the recorded approval is what sets the quota."""
        return self.approval is not None and self.approval.pct > self.base_pct

    @property
    def pct(self) -> int:
        return self.approval.pct if self.approved else self.base_pct

    @property
    def allowed(self) -> int:
        return self.pct * self.assessed // 100

    @property
    def excess(self) -> int:
        return max(self.excellent - self.allowed, 0)

    @property
    def status(self) -> str:
        if self.excess:
            return f"超出上限 {self.excess} 人"
        return "已满" if self.excellent == self.allowed else "未满"

    @property
    def basis(self) -> str:
        """Where the percentage comes from, for messages and the unit page."""
        if self.approved:
            a = self.approval
            return f"经{a.approved_by}批准（文号：{a.document_number}），不超过{setting_label(APPROVED_PCT)}"
        return setting_label(BASE_PCT)

    def headline(self) -> str:
        """「该单位2025年度参加考核 3 人，优秀比例上限 20%，最多 0 人」."""
        return (f"该单位{self.year}年度参加考核 {self.assessed} 人，"
                f"优秀比例上限 {self.pct}%，最多 {self.allowed} 人")

    def footnote(self) -> str:
        text = (f"单位：{self.unit_name}，按该干部{self.year}年末任职确定；"
                f"比例依据：{self.basis}。")
        if not self.approved and self.approved_max > self.pct:
            text += (f"经批准可提高至 {self.approved_max}%（{setting_label(APPROVED_PCT)}），"
                     "须先在单位页面登记批准单位和文号。")
        return text


def _limits(keys: Iterable[tuple[int, int]]) -> tuple[int, int, dict, dict]:
    keys = set(keys)
    unit_ids = sorted({u for u, _y in keys})
    years = sorted({y for _u, y in keys})
    approvals = {(a.unit_id, a.year): a for a in db.session.scalars(
        select(ExcellentQuotaApproval).where(ExcellentQuotaApproval.unit_id.in_(unit_ids),
                                             ExcellentQuotaApproval.year.in_(years)))}
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))
                                    .execution_options(include_deleted=True)).all())
    return int(settings.get(BASE_PCT)), int(settings.get(APPROVED_PCT)), approvals, names


def usage_by_year(unit_id: int) -> list[Usage]:
    """Every year a unit has annual results or an approval, newest first (one grouped query)."""
    sq = _annual_in_units([unit_id])
    counts = {year: (assessed, excellent) for year, assessed, excellent in db.session.execute(
        select(sq.c.year, func.count(), func.sum(case((sq.c.grade == EXCELLENT, 1), else_=0)))
        .where(sq.c.unit_id == unit_id).group_by(sq.c.year))}
    approvals = {a.year: a for a in db.session.scalars(
        select(ExcellentQuotaApproval).where(ExcellentQuotaApproval.unit_id == unit_id))}
    base, approved_max, _a, names = _limits([(unit_id, 0)])
    return [Usage(unit_id, names.get(unit_id, ""), year, *counts.get(year, (0, 0)),
                  base_pct=base, approved_max=approved_max, approval=approvals.get(year))
            for year in sorted(set(counts) | set(approvals), reverse=True)]


def usage(unit_id: int, year: int) -> Usage:
    """Where one unit stands in one year, from what is recorded."""
    members = _members([unit_id], [year]).get((unit_id, year), {})
    return _usage((unit_id, year), members, *_limits([(unit_id, year)]))


def _members(unit_ids: list[int], years: list[int]) -> dict[tuple[int, int], dict[int, str]]:
    sq = _annual_in_units(unit_ids, years)
    out: dict[tuple[int, int], dict[int, str]] = {}
    for unit, year, official_id, grade in db.session.execute(
            select(sq.c.unit_id, sq.c.year, sq.c.official_id, sq.c.grade)
            .where(sq.c.unit_id.in_(unit_ids))):
        out.setdefault((unit, year), {})[official_id] = grade
    return out


def _usage(group, members: dict[int, str], base, approved_max, approvals, names) -> Usage:
    unit_id, year = group
    excellent = sum(1 for g in members.values() if g == EXCELLENT)
    return Usage(unit_id, names.get(unit_id, ""), year, len(members), excellent, base,
                 approved_max, approvals.get(group))


# ---------------------------------------------------------------- the check


@dataclass(frozen=True)
class Refusal:
    """Why an 优秀 cannot be entered: the unit's usage after it, or no unit (None)."""

    year: int
    usage: Usage | None

    def entry_message(self) -> str:
        """For one result entered through the form or the API."""
        if self.usage is None:
            return unknown_unit_message(self.year)
        u = self.usage
        return (f"不能评为优秀：{u.headline()}，已有 {u.excellent - 1} 人"
                f"（参加考核人数含本人）。{u.footnote()}")


def unknown_unit_message(year: int) -> str:
    return (f"不能评为优秀：无法确定该干部{year}年度所在单位（当年12月31日无任职经历，也未填写所在单位），"
            "无法核对优秀比例；请先录入任职经历或所在单位。")


def check(final: dict[tuple[int, int], str | None],
          raised: dict[K, tuple[int, int]]) -> dict[K, Refusal]:
    """The raised 优秀 that would take their unit's year over its quota.

    ``final`` gives the grade each touched (official id, year) annual result has
    after the change (None: it no longer exists); ``raised`` names, by the caller's
    key, the (official id, year) that become 优秀 (every one of them is in
    ``final``). The counts are those recorded with ``final`` laid over them, so
    the order of the changes does not matter. Locks the units' rows (PostgreSQL)
    so that two concurrent entries cannot both take the last place.
    """
    if not raised:
        return {}
    units = units_of(final)
    out: dict[K, Refusal] = {}
    groups: dict[tuple[int, int], list[K]] = {}
    for key, (official_id, year) in raised.items():
        unit = units.get((official_id, year))
        if unit is None:
            out[key] = Refusal(year, None)
        else:
            groups.setdefault((unit, year), []).append(key)
    if not groups:
        return out
    unit_ids = sorted({u for u, _y in groups})
    db.session.execute(select(Unit.id).where(Unit.id.in_(unit_ids)).order_by(Unit.id)
                       .with_for_update())
    members = _members(unit_ids, sorted({y for _u, y in groups}))
    for (official_id, year), grade in final.items():
        group = (units.get((official_id, year)), year)
        if group in groups:
            people = members.setdefault(group, {})
            people.pop(official_id, None)
            if grade is not None:
                people[official_id] = grade
    limits = _limits(groups)
    for group, keys in groups.items():
        u = _usage(group, members.get(group, {}), *limits)
        if u.excess:
            out.update((key, Refusal(group[1], u)) for key in keys)
    return out


def check_entry(official_id: int, previous: AssessmentResult | None, data: dict) -> dict[str, str]:
    """Field → message when saving ``data`` over ``previous`` (None: a new result) breaks
    the quota; only a result that becomes an annual 优秀 is checked."""
    final: dict[tuple[int, int], str | None] = {}
    if previous is not None and previous.kind == "annual":
        final[(official_id, previous.year)] = None
    raised: dict[str, tuple[int, int]] = {}
    if data.get("kind") == "annual":
        pair = (official_id, data.get("year"))
        final[pair] = data.get("grade")
        was_excellent = (previous is not None and previous.kind == "annual"
                         and previous.year == pair[1] and previous.grade == EXCELLENT)
        if data.get("grade") == EXCELLENT and not was_excellent:
            raised["grade"] = pair
    return {key: refusal.entry_message() for key, refusal in check(final, raised).items()}
