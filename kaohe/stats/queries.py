"""Team-structure figures (干部队伍结构分析), computed in the database.

Every figure is one ``GROUP BY`` over the officials of a :class:`Scope` on a date: ages and
years in post are SQL expressions of the date (no per-official Python), so the cost is a
few scans whatever the number of officials. Ages follow :func:`kaohe.core.periods.age_on`
(周岁; a 02-29 birthday passes on 03-01 in common years).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql import ColumnElement, Select

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.assessments.window import assessment_window
from kaohe.extensions import db
from kaohe.officials.models import EDUCATION, GENDERS, RANKS, Official, Post
from kaohe.units.models import Unit

AGE_BANDS = (("35 岁及以下", None, 35), ("36—40 岁", 36, 40), ("41—45 岁", 41, 45),
             ("46—50 岁", 46, 50), ("51—55 岁", 51, 55), ("56 岁及以上", 56, None))
TENURE_BANDS = (("不满 1 年", 0, 0), ("1—2 年", 1, 2), ("3—4 年", 3, 4), ("5—9 年", 5, 9),
                ("10 年及以上", 10, None))
NO_POST = "无现任职务记录"
NOT_RECORDED = "未填写"
# Political affiliation groups of the report, by Official.political_status.
POLITICS = (("中共党员", ("中共党员", "中共预备党员")), ("民主党派", ("民主党派",)),
            ("无党派人士", ("无党派人士",)), ("群众", ("群众",)))
# Education levels, highest first; a value counts at the first level whose word it contains
# (「省委党校研究生」 is 研究生 level; the marker itself stays on the record).
LEVELS = tuple(EDUCATION)
NON_CCP = ("民主党派", "无党派人士", "群众")  # 党外干部
# 领导职务 from the top down to 副处级: the default members of a 班子 (a setting).
LEADERSHIP_RANKS = ("正厅级", "副厅级", "正处级", "副处级")


@dataclass(frozen=True)
class Scope:
    """Whose figures: the city (``unit_id`` None), a unit with its sub-units, or a unit's
    leadership team (班子: the officials holding, on the date, the unit's principal post or
    a post of one of ``team_ranks``)."""

    unit_id: int | None = None
    team: bool = False
    exclude_ids: frozenset[int] = field(default_factory=frozenset)
    team_ranks: tuple[str, ...] = LEADERSHIP_RANKS


class day_number(FunctionElement):
    """A date as the integer YYYYMMDD. Full years between two dates are then one integer
    division, (to − from) // 10000, the same 周岁 as :func:`kaohe.core.periods.age_on`
    (a 02-29 birthday passes on 03-01 in common years): no per-row calendar function
    calls, which made six age bands cost eight times one age on SQLite."""

    type = Integer()
    inherit_cache = True


@compiles(day_number)
def _day_number(element, compiler, **kw):
    return "CAST(TO_CHAR(%s, 'YYYYMMDD') AS INTEGER)" % compiler.process(element.clauses, **kw)


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    # SQLAlchemy keeps a SQLite date as its ISO text, 'YYYY-MM-DD'.
    return "CAST(REPLACE(%s, '-', '') AS INTEGER)" % compiler.process(element.clauses, **kw)


def full_years(since, day: dt.date) -> ColumnElement:
    """周岁-style full years from the date column ``since`` to ``day``."""
    return (day.year * 10000 + day.month * 100 + day.day - day_number(since)) // 10000


def _band(value: ColumnElement, bands) -> ColumnElement:
    whens = []
    for label, low, high in bands:
        conds = [value >= low] if low is not None else []
        if high is not None:
            conds.append(value <= high)
        whens.append((and_(*conds), label))
    return case(*whens, else_=NOT_RECORDED)


def _level(column) -> ColumnElement:
    """An education value's level: len(LEVELS) for 研究生 … 1 for 高中, 0 when empty."""
    return case(*((column.contains(word), len(LEVELS) - i) for i, word in enumerate(LEVELS)),
                else_=0)


def _subtree(unit_id: int):
    """A recursive CTE of ``unit_id`` and every unit below it."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("subtree", recursive=True)
    return tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))


def holds_post_on(day: dt.date) -> ColumnElement:
    """A post held on ``day``."""
    return and_(Post.start_date <= day, or_(Post.end_date.is_(None), Post.end_date >= day),
                Post.deleted_at.is_(None))


def team_post(day: dt.date, ranks: tuple[str, ...]) -> ColumnElement:
    """A 班子 post held on ``day``: the principal one, or one of ``ranks``."""
    return and_(holds_post_on(day), or_(Post.is_principal.is_(True), Post.rank.in_(ranks)))


def scoped(stmt: Select, scope: Scope, day: dt.date) -> Select:
    """``stmt`` (selecting from Official) restricted to the live officials of ``scope``."""
    stmt = stmt.where(Official.deleted_at.is_(None))
    if scope.exclude_ids:
        stmt = stmt.where(Official.id.not_in(sorted(scope.exclude_ids)))
    if scope.unit_id is None:
        return stmt
    if scope.team:
        members = select(Post.official_id).where(Post.unit_id == scope.unit_id,
                                                 team_post(day, scope.team_ranks))
        return stmt.where(Official.id.in_(members))
    return stmt.where(Official.unit_id.in_(select(_subtree(scope.unit_id).c.id)))


def _current_start(day: dt.date):
    """Per official, the start of the latest post held on ``day`` (任现职时间)."""
    return (select(Post.official_id, func.max(Post.start_date).label("since"))
            .where(holds_post_on(day)).group_by(Post.official_id).subquery("current_post"))


def _ordered(counts: dict[str, int], labels: Iterable[str], total: int,
             zeros: bool = True) -> list[dict]:
    """Rows in the report's order (the labels, with zeros unless ``zeros`` is false; other
    values found after them)."""
    labels = [k for k in labels if zeros or k in counts]
    extra = sorted(k for k in counts if k not in labels)
    return [{"label": k, "count": counts.get(k, 0), "share": share(counts.get(k, 0), total)}
            for k in labels + extra]


def share(n: int, total: int) -> float:
    """Percentage with one decimal (0 for an empty scope)."""
    return round(100 * n / total, 1) if total else 0.0


def cube(scope: Scope, day: dt.date) -> list[tuple]:
    """One GROUP BY over every dimension of the report at once: rows of (age band, gender,
    ethnicity, politics, full-time level, highest level, rank, tenure band, officials, sum
    of ages). A single scan of the officials (and one of the posts held on ``day``); the
    groups are few (bands × codes), so folding them per dimension costs nothing."""
    age = full_years(Official.birth_date, day)
    ft, ins = _level(Official.edu_fulltime), _level(Official.edu_inservice)
    current = _current_start(day)
    keys = [_band(age, AGE_BANDS), Official.gender, Official.ethnicity,
            case(*((Official.political_status.in_(values), label) for label, values in POLITICS),
                 else_=literal(NOT_RECORDED)),
            ft, case((ft >= ins, ft), else_=ins), Official.rank,
            case((current.c.since.is_(None), NO_POST),
                 else_=_band(full_years(current.c.since, day), TENURE_BANDS))]
    stmt = (select(*keys, func.count(), func.sum(age)).select_from(Official)
            .outerjoin(current, current.c.official_id == Official.id).group_by(*keys))
    return db.session.execute(scoped(stmt, scope, day)).all()


def _fold(rows: list[tuple], index: int, name=lambda k: k) -> dict[str, int]:
    """Officials per value of column ``index`` of the cube (``name`` gives its label)."""
    out: dict[str, int] = {}
    for row in rows:
        key = name(row[index])
        label = NOT_RECORDED if key in (None, "") else str(key)
        out[label] = out.get(label, 0) + row[-2]
    return out


def figures(scope: Scope, day: dt.date) -> dict:
    """Every figure of the report for ``scope`` on ``day`` (plain JSON-able data)."""
    rows = cube(scope, day)
    total = sum(r[-2] for r in rows)
    age_sum = sum(int(r[-1] or 0) for r in rows)
    female = sum(r[-2] for r in rows if r[1] == "F")
    minority = sum(r[-2] for r in rows if r[2] not in ("汉族", "", None))  # blank: unknown
    levels = {len(LEVELS) - i: word for i, word in enumerate(LEVELS)}

    def level(k) -> str:
        return levels.get(int(k or 0), NOT_RECORDED)

    return {
        "as_of": day.isoformat(), "total": total,
        "average_age": round(age_sum / total, 1) if total else None,
        "female": female, "female_share": share(female, total),
        "minority": minority, "minority_share": share(minority, total),
        "age": _ordered(_fold(rows, 0), [b[0] for b in AGE_BANDS], total),
        "gender": _ordered(_fold(rows, 1, lambda k: GENDERS.get(k, k)), ["男", "女"], total),
        "ethnicity": _ordered(_fold(rows, 2), ["汉族"], total),
        "politics": _ordered(_fold(rows, 3), [p[0] for p in POLITICS], total),
        "education_fulltime": _ordered(_fold(rows, 4, level), LEVELS, total),
        "education_highest": _ordered(_fold(rows, 5, level), LEVELS, total),
        "rank": _ordered(_fold(rows, 6), RANKS, total, zeros=False),
        "tenure": _ordered(_fold(rows, 7), [b[0] for b in TENURE_BANDS] + [NO_POST], total),
        "grades": grades_by_year(scope, day, total),
    }


def grades_by_year(scope: Scope, day: dt.date, total: int) -> list[dict]:
    """Annual grades of the last concluded years (the assessment window on ``day``);
    officials of the scope without a result that year are counted as 未录入."""
    window = assessment_window(day)
    A = AssessmentResult
    stmt = (select(A.year, A.grade, func.count()).select_from(Official)
            .join(A, and_(A.official_id == Official.id, A.kind == "annual",
                          A.deleted_at.is_(None), A.year.in_(window.years)))
            .group_by(A.year, A.grade))
    found: dict[int, dict[str, int]] = {}
    for year, grade, n in db.session.execute(scoped(stmt, scope, day)):
        found.setdefault(year, {})[grade] = n
    out = []
    for year in window.years:
        counts = {GRADES.get(g, g): n for g, n in found.get(year, {}).items()}
        counts["未录入"] = total - sum(found.get(year, {}).values())
        out.append({"year": year, "rows": _ordered(counts, list(GRADES.values()) + ["未录入"],
                                                    total)})
    return out


@dataclass(frozen=True)
class TeamRules:
    """The leadership-team checks (settings ``stats.*``)."""

    young_under: int = 40  # at least one member younger than this
    woman: bool = True  # at least one woman
    non_ccp_kinds: frozenset[str] = frozenset({"city", "county"})  # unit kinds needing 党外
    ranks: tuple[str, ...] = LEADERSHIP_RANKS  # who belongs to a 班子 (besides its principal)


def team_checks(scope: Scope, day: dt.date, rules: TeamRules) -> list[dict]:
    """The leadership teams (units with members on ``day``) of ``scope`` that miss a
    required member, with what each misses; one GROUP BY over the posts held on ``day``."""
    young = func.max(case((full_years(Official.birth_date, day) < rules.young_under, 1), else_=0))
    woman = func.max(case((Official.gender == "F", 1), else_=0))
    # Only a recorded non-CCP affiliation counts: an unrecorded one proves nothing.
    non_ccp = func.max(case((Official.political_status.in_(NON_CCP), 1), else_=0))
    stmt = (select(Unit.id, Unit.name, Unit.kind, func.count(func.distinct(Official.id)),
                   young, woman, non_ccp)
            .select_from(Post).join(Official, Official.id == Post.official_id)
            .join(Unit, Unit.id == Post.unit_id)
            .where(team_post(day, rules.ranks), Official.deleted_at.is_(None),
                   Unit.deleted_at.is_(None))
            .group_by(Unit.id, Unit.name, Unit.kind).order_by(Unit.sort_order, Unit.id))
    if scope.exclude_ids:
        stmt = stmt.where(Official.id.not_in(sorted(scope.exclude_ids)))
    if scope.unit_id is not None:
        units = ([scope.unit_id] if scope.team
                 else select(_subtree(scope.unit_id).c.id))
        stmt = stmt.where(Post.unit_id.in_(units))
    out = []
    for uid, name, kind, members, has_young, has_woman, has_non_ccp in db.session.execute(stmt):
        missing = []
        if not has_young:
            missing.append(f"无 {rules.young_under} 岁以下干部")
        if rules.woman and not has_woman:
            missing.append("无女干部")
        if kind in rules.non_ccp_kinds and not has_non_ccp:
            missing.append("无党外干部")
        if missing:
            out.append({"unit_id": uid, "unit": name, "members": members, "missing": missing})
    return out
