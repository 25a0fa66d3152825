"""Officials and their posts: validation rules, search and the profile loader."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.audit.kept import Kept, position
from kaohe.core import clock, records
from kaohe.core.errors import ValidationFailed
from kaohe.core.estimates import about
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.extensions import db
from kaohe.interop.models import AppointmentSheet
from kaohe.officials import idcard
from kaohe.officials.education import check_education
from kaohe.officials.politics import check_affiliation
from kaohe.officials.models import GENDERS, Official, Post
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review
from kaohe.search import index
from kaohe.search.filters import Extra, conditions
from kaohe.units import services as units


def save_official(official: Official | None, data: dict) -> Official:
    """Create or update an official; raises ValidationFailed with per-field messages."""
    data, errors = check_official(official, data)
    records.raise_if(errors)
    return records.save(Official, official, data)


def delete_official(official: Official) -> None:
    """Soft-delete ``official``; refused (ValidationFailed) while an agenda item of a
    discussion names them: its papers, frozen dossiers and 公示 must keep their official."""
    stmt = (select(Discussion.date, Discussion.title).join(AgendaItem)
            .where(AgendaItem.official_id == official.id, AgendaItem.deleted_at.is_(None),
                   Discussion.deleted_at.is_(None)).order_by(Discussion.date).limit(4))
    held = [f"{day:%Y-%m-%d}「{title}」" for day, title in db.session.execute(stmt)]
    if held:
        more = "等" if len(held) > 3 else ""
        raise ValidationFailed({"_": f"{official.name}是{'、'.join(held[:3])}{more}"
                                             "的议题人选，不能删除；请先从议题中移除。"})
    official.soft_delete()


def _id_number_holder(number: str) -> int | None:
    return db.session.scalar(select(Official.id).where(Official.id_number == number)
                             .execution_options(include_deleted=True))


def check_official(official: Official | None, data: dict, id_number_holder=_id_number_holder,
                   unit_exists=units.unit_exists) -> tuple[dict, dict[str, str]]:
    """The rules of :func:`save_official`: (normalised data, field → message).

    ``id_number_holder(number)`` gives the id of the official (deleted ones
    included) holding an ID number, ``unit_exists(unit_id)`` whether a unit is
    there; bulk imports pass preloaded lookups.
    """
    errors: dict[str, str] = {}
    # Full-width digits typed with a Chinese input method are the same number.
    number = unicodedata.normalize("NFKC", data.get("id_number") or "").strip().upper()
    data = {**data, "id_number": number, "name": (data.get("name") or "").strip()}
    issue = idcard.problem(number)
    if issue:
        errors["id_number"] = issue
    elif data.get("birth_date") and idcard.birth_date(number) != data["birth_date"]:
        errors["id_number"] = "身份证号中的出生日期与填写的出生日期不一致。"
    else:
        clash = id_number_holder(number)
        if clash and (official is None or clash != official.id):
            errors["id_number"] = "已有干部使用该身份证号。"
    records.require_choice(errors, "gender", data.get("gender"), GENDERS)
    for name in ("birth_date", "work_start_date"):
        records.not_in_future(errors, name, data.get(name))
    data = check_affiliation(data, errors, current=official)
    check_education(data, errors)
    birth = data.get("birth_date")
    for name, label in (("party_date", "入党时间"), ("democratic_party_date", "加入民主党派时间"),
                        ("work_start_date", "参加工作时间")):
        if birth and data.get(name) and data[name] <= birth and name not in errors:
            errors[name] = f"{label}应晚于出生日期。"
    if data.get("unit_id") and not unit_exists(data["unit_id"]):
        errors["unit_id"] = units.UNIT_MISSING
    return data, errors


def save_post(official: Official, post: Post | None, data: dict) -> Post:
    """Create or update a post; principal posts of one unit may not overlap."""
    errors: dict[str, str] = {}
    start, end = data.get("start_date"), data.get("end_date")
    records.not_in_future(errors, "start_date", start)
    if start and end and end < start:
        errors["end_date"] = "任职结束日期不能早于开始日期。"
    try:
        units.get_unit(data.get("unit_id"))
    except records.ValidationFailed as exc:
        errors.update(exc.errors)
    if not errors and data.get("is_principal"):
        other = overlapping_principal(data["unit_id"], start, end, post.id if post else None)
        if other is not None:
            errors["is_principal"] = (
                f"该单位在此期间已有主要负责人：{other.official.name}"
                f"（{other.start_date} 至 {other.end_date or '今'}）。")
    records.raise_if(errors)
    return records.save(Post, post, data, official_id=official.id)


def overlapping_principal(unit_id, start, end, exclude_id=None) -> Post | None:
    """The principal post of ``unit_id`` overlapping [start, end], if any."""
    # The join skips posts of deleted officials (the soft-delete filter covers joins).
    stmt = select(Post).join(Post.official).where(
        Post.unit_id == unit_id, Post.is_principal.is_(True),
        or_(Post.end_date.is_(None), Post.end_date >= start),
    ).options(contains_eager(Post.official))
    if end is not None:
        stmt = stmt.where(Post.start_date <= end)
    if exclude_id is not None:
        stmt = stmt.where(Post.id != exclude_id)
    return db.session.scalars(stmt.limit(1)).first()


@dataclass
class SearchCriteria:
    q: str = ""
    unit_id: int | None = None
    rank: str = ""
    year: int | None = None
    grade: str = ""
    extra: Extra = Extra()  # age, education, politics, tenure… (frozen: a safe default)


# Up to this many officials matching a grade/year filter are looked up by key.
ID_LIST_MAX = 2000
# A name search whose index key lists more officials than this counts a sample of
# them and shows the total as an estimate (「约 N 人」): an exact count would read
# every one (王 is 70 000 of a million).
EXACT_MAX = 5000
SAMPLE = 1000
SAMPLED_MIN = 100  # sampled officials passing a filter, at least, for an estimate (±10 %)


def search_statements(c: SearchCriteria, exclude_ids: Iterable[int] = ()):
    """(page, count) SELECTs of the officials matching ``c``; the page is ordered by name.

    ``exclude_ids`` (the officials the reader is recused from, 回避) are left out of both.
    """
    return _statements(c, exclude_ids)[:2]


@dataclass
class _Sampled:
    """A grade/year filter matching many officials, on a scope that may be large: its
    count can be estimated (:func:`_estimate_filtered`)."""

    scope: Select  # the search without the filter (of Official)
    cond: list  # the filter's conditions on AssessmentResult
    one_each: bool  # at most one matching result per official (a year is given)
    in_units: bool = False  # restricted to a unit and its sub-units


def _count_of(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


# The number of officials of a filtered search's scope (a unit with its sub-units, a rank…),
# kept while nothing the scope may read is written (kaohe.audit.kept): counting a unit of
# 120 000 officials took 35 ms of each page of its common-grade searches on PostgreSQL.
_scope_sizes = Kept(frozenset({"official", "post", "assessment_result", "unit"}), 512)


def _scope_size(scope: Select) -> int:
    """``_count_of(scope)``, kept per statement and parameters (the day and the recusals
    among them)."""
    now = position()  # before any data
    stmt = select(func.count()).select_from(scope.with_only_columns(Official.id).subquery())
    compiled = stmt.compile(db.session.get_bind())
    key = (str(compiled), tuple(sorted((k, repr(v)) for k, v in compiled.params.items())))
    return _scope_sizes.get(key, lambda: db.session.scalar(stmt), now)


def _among_ids(cond: list):
    """``Official.id = ANY(ARRAY(the matching results' officials))`` on PostgreSQL.

    The IN form left the plan to the statistics' sample: at 100 000 officials the same
    search (基本称职 of one year, 1 148 results) ran as a nested loop into the primary key
    (7 ms) or, after another ANALYZE, as a hash semi-join over a sequential scan of every
    official (43–78 ms): at the default random_page_cost each key probe is priced as a
    disk read. An array computed first is looked up by key whatever the estimates."""
    ids = select(AssessmentResult.official_id).where(*cond).scalar_subquery()
    return Official.id == func.any(func.array(ids))


def _statements(c: SearchCriteria, exclude_ids: Iterable[int]):
    """(page, count, name plan, sampled, conditions) of :func:`search_statements`;
    ``sampled``: a :class:`_Sampled` when the count may be estimated, else None;
    ``conditions``: the count's conditions on each official but the name's key.

    A name query walks its index key's officials in name order (kaohe.search.index).
    The grade/year filter is written differently for the page and the count, because
    SQLite runs each form as written (PostgreSQL plans them alike): a correlated
    EXISTS suits a page (walk the names in order, probe each official's results, stop
    after one page) and a name query's count (few candidates); an IN over the matching
    results suits other counts, and both the page and the count when the filter
    matches few officials (a rare grade in one year): they are then looked up by key
    and sorted. Finding that out costs one query reading at most ``ID_LIST_MAX + 1``
    results.
    """
    q = c.q.strip()
    plan = index.plan(q) if q else None
    conds = []  # on Official (the name's key aside): the estimate applies them to a sample
    if plan is not None and plan.name is not None:
        conds.append(plan.name)  # characters, or pinyin and initials
    if plan is not None and plan.key is None and plan.among is not None:
        conds.append(plan.among)
    if c.unit_id:
        conds.append(Official.unit_id.in_(units.descendant_ids(c.unit_id)))
    if c.rank:
        conds.append(Official.rank == c.rank)
    if c.extra.any():
        conds.extend(conditions(c.extra, clock.today()))
    exclude = sorted(set(exclude_ids))
    if exclude:
        conds.append(Official.id.not_in(exclude))
    base = select(Official)
    if plan is not None and plan.key is not None:
        base = base.join(index.K, index.K.official_id == Official.id).where(plan.key)
    base = base.where(*conds)
    page = count = base
    order = (Official.name, Official.id)
    sampled = None
    if c.grade in GRADES or c.year:
        cond = [AssessmentResult.kind == "annual", AssessmentResult.deleted_at.is_(None)]
        if c.year:
            cond.append(AssessmentResult.year == c.year)
        if c.grade in GRADES:
            cond.append(AssessmentResult.grade == c.grade)
        probe = exists().where(AssessmentResult.official_id == Official.id, *cond)
        matching = Official.id.in_(select(AssessmentResult.official_id).where(*cond))
        if q:
            conds.append(probe)
            page, count = page.where(probe), count.where(probe)
        elif _count_of(select(AssessmentResult.id).where(*cond).limit(ID_LIST_MAX + 1)) \
                <= ID_LIST_MAX:
            if db.session.get_bind().dialect.name == "postgresql":
                matching = _among_ids(cond)
            # name || '': SQLite would otherwise walk the whole name index for the order
            page, count = page.where(matching), count.where(matching)
            order = (Official.name.concat(""), Official.id)
        else:
            page, count = page.where(probe), count.where(matching)
            sampled = _Sampled(base, cond, one_each=bool(c.year), in_units=bool(c.unit_id))
    if plan is not None and plan.key is not None:
        order = (index.K.name, index.K.official_id)  # the key's own order: name, id
    page = page.options(selectinload(Official.unit)).order_by(*order)
    return page, count, plan, sampled, conds


def _estimate(plan: index.Plan, conds: list) -> int | None:
    """About how many officials of the plan key pass ``conds``: their share among the
    key's first ``SAMPLE`` officials in name order, times the key's length; None when
    the key lists few enough to count exactly.

    The sample is its own LIMIT, read in the key's order from its primary key, and each
    of its officials is then looked up by id: bounded work whatever the other filters. A
    bound on (name, id) instead was misestimated by PostgreSQL (10 000 rows for 1 000),
    which then hashed a large unit's 117 000 officials (64 ms at a million)."""
    listed = index.key_total(plan)
    if listed <= EXACT_MAX:
        return None
    K = index.K
    first = (select(K.kind, K.key, K.name, K.official_id).where(plan.key)
             .order_by(K.name, K.official_id).limit(SAMPLE).subquery())
    # The sample's own key rows again (by primary key): ``conds`` may test the key's name.
    same = and_(*(getattr(K, c) == first.c[c] for c in ("kind", "key", "name", "official_id")))
    sampled = db.session.scalar(select(func.count()).select_from(first).join(K, same).join(
        Official, Official.id == first.c.official_id).where(*conds))
    return about(sampled * listed / SAMPLE)  # two significant digits: it is 约


def _estimate_filtered(sampled: _Sampled) -> int | None:
    """About how many officials of the scope pass the filter, or None (count exactly).

    An exact count reads every matching result: 称职 in a large unit at a million
    officials took 50-200 ms, 基本称职 in the whole city 40 ms. The estimate is the
    filter's share among the scope's first ``SAMPLE`` officials in name order times the
    scope's size; for a filter that few of them pass (a share from fewer than
    ``SAMPLED_MIN`` says too little), :func:`_estimate_by_results` instead."""
    # In a unit, deleted_at first (NULL in every live row, so the same order): PostgreSQL
    # then reads the unit's names in order from ix_official_unit_live_name, where IS NULL
    # alone left it walking the whole name index (34 ms at a million officials); the
    # city's names come in order from the name index as they are.
    order = (Official.deleted_at,) if sampled.in_units else ()
    first = sampled.scope.with_only_columns(Official.id).order_by(
        *order, Official.name, Official.id).limit(SAMPLE).subquery()
    passes = exists().where(AssessmentResult.official_id == first.c.id, *sampled.cond)
    passed = db.session.scalar(select(func.count()).select_from(first).where(passes))
    if passed < SAMPLED_MIN:
        return _estimate_by_results(sampled)
    listed = _scope_size(sampled.scope)
    if listed <= EXACT_MAX:
        return None
    return about(passed * listed / SAMPLE)


def _estimate_by_results(sampled: _Sampled) -> int | None:
    """A filter of one result per official: the matching results (counted from their
    index) times the share of the first ``SAMPLE`` of them, by official, whose official
    is in the scope. None when few match, or fewer than ``SAMPLED_MIN`` of the sample
    are in the scope (a small unit: its exact count is quick)."""
    if not sampled.one_each:
        return None
    matched = _count_of(select(AssessmentResult.id).where(*sampled.cond))
    if matched <= EXACT_MAX:
        return None
    first = (select(AssessmentResult.official_id).where(*sampled.cond)
             .order_by(AssessmentResult.official_id).limit(SAMPLE))
    inside = _count_of(sampled.scope.where(Official.id.in_(first)))
    if inside < SAMPLED_MIN:
        return None
    return about(inside * matched / SAMPLE)


def search(c: SearchCriteria, page: int = 1, per_page: int = 20,
           exclude_ids: Iterable[int] = ()):
    """One page of the officials matching ``c``; ``total`` is exact, or an estimate
    (``total_estimated``) when a name query's index key lists many officials, or a
    common grade/year filter applies to a large scope."""
    page_stmt, count_stmt, plan, sampled, conds = _statements(c, exclude_ids)
    result = db.paginate(page_stmt, page=page, per_page=per_page, error_out=False, count=False)
    shown = (result.page - 1) * per_page + len(result.items)
    estimate = None
    if len(result.items) < per_page and (result.items or result.page == 1):
        result.total = shown  # the last page: the total is known without counting
    else:
        if plan is not None and plan.key is not None:
            estimate = _estimate(plan, conds)
        elif sampled is not None:
            estimate = _estimate_filtered(sampled)
        # An estimate is never fewer than the pages shown so far.
        result.total = _count_of(count_stmt) if estimate is None else max(estimate, shown)
    result.total_estimated = estimate is not None
    return result


@dataclass
class Profile:
    official: Official
    posts: list[Post]
    years: list[tuple[int, dict[str, list]]]  # newest year first
    sheet: AppointmentSheet | None = None  # the form fields an LRMX import kept, if any


def load_profile(official_id: int) -> Profile | None:
    """The official with every linked record, in a fixed number of queries."""
    # One statement for the official, the units, the posts and the LRMX sheet: the page
    # pays per round trip far more than for the few repeated columns of a join.
    row = db.session.execute(
        select(Official, AppointmentSheet).where(Official.id == official_id)
        .outerjoin(AppointmentSheet, AppointmentSheet.official_id == Official.id)
        .options(joinedload(Official.unit), joinedload(Official.posts).joinedload(Post.unit))
    ).unique().first()
    if row is None:
        return None
    official, sheet = row
    by_year: dict[int, dict[str, list]] = {}

    def add(kind: str, year: int, item) -> None:
        by_year.setdefault(year, {"results": [], "reviews": [], "notes": []})[kind].append(item)

    results = db.session.scalars(
        select(AssessmentResult).where(AssessmentResult.official_id == official_id)
        .options(selectinload(AssessmentResult.recorded_by))
        .order_by(AssessmentResult.year.desc(), AssessmentResult.kind,
                  AssessmentResult.quarter.desc(), AssessmentResult.id))
    for r in results:
        add("results", r.year, r)
    for model, key in ((Review, "reviews"), (OrgNote, "notes")):
        rows = db.session.scalars(
            select(model).where(model.official_id == official_id)
            .options(selectinload(model.recorded_by)).order_by(model.date.desc(), model.id))
        for row in rows:
            add(key, row.date.year, row)
    return Profile(official, list(official.posts), sorted(by_year.items(), reverse=True), sheet)


def count_officials() -> int:
    return db.session.scalar(select(func.count(Official.id)))
