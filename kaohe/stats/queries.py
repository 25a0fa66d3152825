"""Team-structure figures (干部队伍结构分析), computed in the database.

The figures of a :class:`Scope` on a date are counted in the database, in one scan and one
aggregate row (:func:`aggregate`: a filtered count per value or band, no GROUP BY), plus
small GROUP BYs: the officials with open-ended values (ethnic minorities, unusual ranks)
and the pairs of 学历 values, each pair read by the level rule of the forms (:func:`education`). Age and tenure bands compare the date columns with :func:`years_ago` (no
per-official arithmetic), so the cost is a scan whatever the number of officials. Ages
follow :func:`kaohe.core.periods.age_on` (周岁; a 02-29 birthday passes on 03-01 in
common years).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import Integer, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql import ColumnElement, Select

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.assessments.window import assessment_window
from kaohe.extensions import db
from kaohe.officials.education import UNKNOWN_LEVEL, level_of
from kaohe.officials.models import GENDERS, RANKS, Official, Post
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
# Education levels of the report, highest first, by the level of
# :func:`kaohe.officials.education.level_of` (0 研究生 … 6 小学): the same reading as the
# 任免审批表 and the 任前公示 (「大学专科」 is 大专, 「硕士」 研究生, 「中等专科」 中专).
LEVELS = ("研究生", "大学", "大专", "中专", "高中", "初中及以下")
_LEVEL_LABELS = LEVELS + ("初中及以下",)  # by level_of: 初中 and 小学 together
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


class scanned(FunctionElement):
    """A column compared without its index on SQLite (``+column``): a report over most of
    the officials reads the table in order; SQLite otherwise took 「birth_date <= day」 to
    its birth-date index and fetched every row by rowid from there (the city's report
    spent 0.5–1.5 s per query so). PostgreSQL chooses by its statistics: unchanged."""

    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(scanned)
def _scanned(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(scanned, "sqlite")
def _scanned_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


def full_years(since, day: dt.date) -> ColumnElement:
    """周岁-style full years from the date column ``since`` to ``day``."""
    return (day.year * 10000 + day.month * 100 + day.day - day_number(since)) // 10000


def years_ago(day: dt.date, years: int) -> dt.date:
    """The latest date from which ``years`` full years (周岁) have passed on ``day``: a date
    column is at least ``years`` full years old on ``day`` exactly when it is on or before
    this date. Same rule as :func:`full_years` (a 02-29 birthday passes on 03-01 in common
    years): a 02-29 ``day`` maps to 02-28 of a common year, the last day ≤ YYYY0229."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _subtree(unit_id: int, name: str = "subtree"):
    """A recursive CTE of ``unit_id`` and every unit below it."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte(name, recursive=True)
    return tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))


def holds_post_on(day: dt.date) -> ColumnElement:
    """A post held on ``day``."""
    return and_(Post.start_date <= day, or_(Post.end_date.is_(None), Post.end_date >= day),
                Post.deleted_at.is_(None))


def team_post(day: dt.date, ranks: tuple[str, ...]) -> ColumnElement:
    """A 班子 post held on ``day``: the principal one, or one of ``ranks``."""
    return and_(holds_post_on(day), or_(Post.is_principal.is_(True), Post.rank.in_(ranks)))


def in_service_on(day: dt.date) -> ColumnElement:
    """An official already born and at work on ``day`` (参加工作时间 on or before it, or
    not recorded): a report on a past date leaves out who joined later, instead of
    counting them with an age of that day (a negative one for the not yet born)."""
    return and_(scanned(Official.birth_date) <= day,
                or_(Official.work_start_date.is_(None), scanned(Official.work_start_date) <= day))


def scoped(stmt: Select, scope: Scope, day: dt.date, name: str = "subtree") -> Select:
    """``stmt`` (selecting from Official) restricted to the live officials of ``scope``
    in service on ``day`` (``name``: of the unit tree's CTE, unique in a statement)."""
    stmt = stmt.where(Official.deleted_at.is_(None), in_service_on(day))
    if scope.exclude_ids:
        stmt = stmt.where(Official.id.not_in(sorted(scope.exclude_ids)))
    if scope.unit_id is None:
        return stmt
    if scope.team:
        members = select(Post.official_id).where(Post.unit_id == scope.unit_id,
                                                 team_post(day, scope.team_ranks))
        return stmt.where(Official.id.in_(members))
    return stmt.where(Official.unit_id.in_(select(_subtree(scope.unit_id, name).c.id)))


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


def _officials(scope: Scope, day: dt.date):
    """The officials of ``scope`` with what the report counts, each computed once per row:
    birth date, age, gender, ethnicity, politics and rank."""
    stmt = scoped(select(Official.birth_date.label("birth"),
                         full_years(Official.birth_date, day).label("age"),
                         Official.gender, Official.ethnicity, Official.political_status,
                         Official.rank), scope, day)
    return stmt.subquery("o")


def in_post(scope: Scope, day: dt.date) -> dict[str, int]:
    """Officials of ``scope`` holding a post on ``day`` (``has_post``) and the cumulative
    counts of years in their latest one (任现职时间, ``ge:tenure:<k>``): a query of its own,
    the posts held grouped first (a unit's or team's only its members'), then each official
    found by key. Joined into the officials' scan, SQLite built a temporary index of every
    official's post for it (1 s at 100 000)."""
    latest = (select(Post.official_id, func.max(Post.start_date).label("since"))
              .where(holds_post_on(day)).group_by(Post.official_id))
    if scope.unit_id is not None:
        latest = latest.where(Post.official_id.in_(
            scoped(select(Official.id), scope, day, "post_subtree")))
    latest = latest.subquery("current_post")
    held = scoped(select(latest.c.since).select_from(latest)
                  .join(Official, Official.id == latest.c.official_id), scope, day).subquery("held")
    conds = {f"ge:tenure:{k}": held.c.since <= years_ago(day, k) for k in _steps(TENURE_BANDS)}
    row = db.session.execute(select(func.count(), *(func.count().filter(c)
                                                    for c in conds.values()))).one()
    return {name: int(value or 0) for name, value in zip(["has_post", *conds], row)}


def _known(o) -> dict[str, ColumnElement]:
    """Named counts of the one-row aggregate: ``ge:<dim>:<k>`` count the officials at or
    above step ``k`` of an ordered dimension (bands are differences of two), the others
    one value each."""
    conds: dict[str, ColumnElement] = {
        "born": o.c.birth.is_not(None),
        "gender:M": o.c.gender == "M", "gender:F": o.c.gender == "F",
        "gender:": or_(o.c.gender.is_(None), o.c.gender == ""),
        "ethnicity:汉族": o.c.ethnicity == "汉族",
        "ethnicity:": or_(o.c.ethnicity.is_(None), o.c.ethnicity == ""),
        "rank:": or_(o.c.rank.is_(None), o.c.rank == "")}
    conds.update({f"politics:{label}": o.c.political_status.in_(values)
                  for label, values in POLITICS})
    conds.update({f"rank:{r}": o.c.rank == r for r in RANKS})
    return conds


def _steps(bands) -> list[int]:
    """The lower bounds of the bands after the first (the cumulative counts needed)."""
    return [low for _label, low, _high in bands if low]


def aggregate(scope: Scope, day: dt.date) -> dict[str, int]:
    """Every count of the report on the officials' own columns but the open-ended values,
    in one scan and one row (no GROUP BY: sorting 100 000 rows by many keys cost more than
    the counting). Ages are compared as dates against :func:`years_ago`, so the bands cost
    no per-row arithmetic."""
    o = _officials(scope, day)
    conds = _known(o)
    for k in _steps(AGE_BANDS):
        conds[f"ge:age:{k}"] = o.c.birth <= years_ago(day, k)
    names = ["total", "age_sum", *conds]
    row = db.session.execute(select(func.count(), func.sum(o.c.age),
                                    *(func.count().filter(c) for c in conds.values()))).one()
    return {name: int(value or 0) for name, value in zip(names, row)}


def others(scope: Scope, day: dt.date, column, known: Iterable[str]) -> dict[str, int]:
    """Officials per value of ``column`` other than ``known`` and blank (ethnic minorities,
    unusual ranks): a GROUP BY over those rows only."""
    stmt = (select(column, func.count()).select_from(Official)
            .where(column.not_in([*known, ""])).group_by(column))
    return {value: n for value, n in db.session.execute(scoped(stmt, scope, day))}


def _bands(c: dict[str, int], dim: str, bands, known: int) -> dict[str, int]:
    """Band counts from the cumulative ``ge`` counts of ``dim`` (``known``: officials with
    a value at all)."""
    out, above = {}, known
    for label, low, _high in bands:
        nxt = [b[1] for b in bands if b[1] and b[1] > (low or 0)]
        upper = c[f"ge:{dim}:{min(nxt)}"] if nxt else 0
        out[label] = (c[f"ge:{dim}:{low}"] if low else above) - upper
    return out


def education(scope: Scope, day: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """Officials per full-time and per highest 学历 level: a GROUP BY over the pairs of
    values (a few dozen), each read once by :func:`level_of`; a value naming no level
    counts under its own text, an empty one as not recorded."""
    fulltime: dict[str, int] = {}
    highest: dict[str, int] = {}
    stmt = (select(Official.edu_fulltime, Official.edu_inservice, func.count())
            .select_from(Official).group_by(Official.edu_fulltime, Official.edu_inservice))
    for ft, ins, n in db.session.execute(scoped(stmt, scope, day)):
        a, b = level_of(ft), level_of(ins)
        # The higher level; of two naming none, the one with a text (a legacy value).
        top, top_text = (a, ft) if (a, not ft) <= (b, not ins) else (b, ins)
        for counts, level, text in ((fulltime, a, ft), (highest, top, top_text)):
            label = _LEVEL_LABELS[level] if level < UNKNOWN_LEVEL else text or NOT_RECORDED
            counts[label] = counts.get(label, 0) + n
    return fulltime, highest


def _found(counts: dict[str, int]) -> dict[str, int]:
    """Counts without the zeros: a value no official has is not a row of its own (the
    report's fixed labels get their zero rows from :func:`_ordered`)."""
    return {k: n for k, n in counts.items() if n}


def figures(scope: Scope, day: dt.date) -> dict:
    """Every figure of the report for ``scope`` on ``day`` (plain JSON-able data)."""
    c = aggregate(scope, day) | in_post(scope, day)
    total = c["total"]
    fulltime, highest = education(scope, day)
    gender = {"男": c["gender:M"], "女": c["gender:F"], NOT_RECORDED: c["gender:"]}
    ethnicity = {"汉族": c["ethnicity:汉族"], NOT_RECORDED: c["ethnicity:"]}
    rank = {r: c[f"rank:{r}"] for r in RANKS} | {NOT_RECORDED: c["rank:"]}
    residual = {"gender": total - sum(gender.values()),
                "ethnicity": total - sum(ethnicity.values()),
                "rank": total - sum(rank.values())}
    for dim, counts, known in (("gender", gender, GENDERS), ("ethnicity", ethnicity, ["汉族"]),
                               ("rank", rank, RANKS)):
        if residual[dim]:
            column = getattr(Official, dim)
            for value, n in others(scope, day, column, known).items():
                counts[GENDERS.get(value, value) if dim == "gender" else value] = n
    politics = {label: c[f"politics:{label}"] for label, _values in POLITICS}
    politics[NOT_RECORDED] = total - sum(politics.values())
    tenure = _bands(c, "tenure", TENURE_BANDS, c["has_post"])
    tenure[NO_POST] = total - c["has_post"]
    age = _bands(c, "age", AGE_BANDS, c["born"])
    age[NOT_RECORDED] = total - c["born"]
    minority = total - c["ethnicity:汉族"] - c["ethnicity:"]  # blank: unknown
    female = c["gender:F"]
    return {
        "as_of": day.isoformat(), "total": total, "basis": basis(scope),
        "average_age": round(c["age_sum"] / total, 1) if total else None,
        "female": female, "female_share": share(female, total),
        "minority": minority, "minority_share": share(minority, total),
        "age": _ordered(_found(age), [b[0] for b in AGE_BANDS], total),
        "gender": _ordered(_found(gender), ["男", "女"], total),
        "ethnicity": _ordered(_found(ethnicity), ["汉族"], total),
        "politics": _ordered(_found(politics), [p[0] for p in POLITICS], total),
        "education_fulltime": _ordered(fulltime, LEVELS + (NOT_RECORDED,), total),
        "education_highest": _ordered(highest, LEVELS + (NOT_RECORDED,), total),
        "rank": _ordered(_found(rank), RANKS, total, zeros=False),
        "tenure": _ordered(_found(tenure), [b[0] for b in TENURE_BANDS] + [NO_POST], total),
        "grades": grades_by_year(scope, day, total),
    }


def basis(scope: Scope) -> str:
    """Whom the report counts, as the page, its files and the API say it."""
    if scope.team:
        return "统计对象：统计日期在该单位担任班子职务的干部；年龄、任现职年限按统计日期计算。"
    return ("统计对象：统计日期时已参加工作的在册干部，按现所在单位归属；"
            "年龄、任现职年限按统计日期计算。")


def grades_by_year(scope: Scope, day: dt.date, total: int) -> list[dict]:
    """Annual grades of the last concluded years (the assessment window on ``day``);
    officials of the scope without a result that year are counted as 未录入."""
    window = assessment_window(day)
    A = AssessmentResult
    # The scope's officials as a set the results are checked against: a team's or a
    # unit's report reads its members' results by key (SQLite read the whole window's
    # results for a team of twenty when the two were joined).
    members = scoped(select(Official.id), scope, day)
    kind, year = (A.kind, A.year) if scope.unit_id is None else (scanned(A.kind),
                                                                  scanned(A.year))
    stmt = (select(A.year, A.grade, func.count())
            .where(kind == "annual", A.deleted_at.is_(None), year.in_(window.years),
                   A.official_id.in_(members))
            .group_by(A.year, A.grade))
    found: dict[int, dict[str, int]] = {}
    for year, grade, n in db.session.execute(stmt):
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
                   in_service_on(day), Unit.deleted_at.is_(None))
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
