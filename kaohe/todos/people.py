"""Organization reminders about officials: 试用期满, 到龄, 任现职满 N 年, missing annual
results. Each is one bounded query (a date range the index answers), never a loop over
every official."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import and_, exists, false, func, or_, select, union_all

from kaohe.assessments.models import AssessmentResult
from kaohe.assessments.quota import year_end_unit
from kaohe.assessments.window import assessment_window
from kaohe.core.periods import age_on
from kaohe.discussions.models import AgendaItem, Discussion
from kaohe.extensions import db
from kaohe.moves.models import Appointment
from kaohe.officials.models import Official, Post
from kaohe.stats.queries import holds_post_on
from kaohe.todos import settings as cfg
from kaohe.todos.context import Ctx
from kaohe.todos.dates import RetirementRule, full_months_day, month_index, years_ago
from kaohe.todos.items import Todo, make, url_maker
from kaohe.units.models import Unit

MAX_PROBATION_MONTHS = 24  # the form's limit
PROBATION_OVERDUE_DAYS = 365  # an ended probation without its assessment stays listed a year
RETIREMENT_OVERDUE_MONTHS = 12  # an age reached without a 退休 issued stays listed a year


def _not_retired(official_id, day: dt.date):
    """SQL: no 退休 issued for ``official_id`` by ``day`` (an appointment — date and 文号 —
    recorded for a 退休 item the meeting approved), the one record of an official out of
    service. An ended post alone is not: it is a 免职, and the official is still counted
    everywhere (statistics, search, lists) until deleted."""
    return ~exists().where(
        AgendaItem.official_id == official_id, AgendaItem.action == "retire",
        AgendaItem.deleted_at.is_(None), Appointment.item_id == AgendaItem.id,
        Appointment.appointed_on <= day)


def _held_on(end_date: dt.date | None, day: dt.date) -> bool:
    """A post held today (:func:`holds_post_on`, end date inclusive) is still held on
    ``day``: a 挂职 ending before its probation or 5-year mark never reaches it."""
    return end_date is None or end_date >= day


def probation(ctx: Ctx) -> list[Todo]:
    """试用期满: posts held today and on the probation's last day whose probation ends
    within the setting's days, or ended (within a year) with no 试用期满考核 item on a
    discussion since the post began."""
    horizon = ctx.today + dt.timedelta(days=cfg.value(cfg.PROBATION_DAYS))
    assessed = exists().where(
        AgendaItem.official_id == Post.official_id, AgendaItem.action == "probation",
        AgendaItem.deleted_at.is_(None), Discussion.id == AgendaItem.discussion_id,
        Discussion.date >= Post.start_date)
    rows = db.session.execute(
        select(Post, Official.name, Official.unit_id)
        .join(Official, Official.id == Post.official_id)
        .where(Post.probation_months.is_not(None), holds_post_on(ctx.today),
               Post.start_date >= years_ago(ctx.today, 3), Post.start_date <= horizon,
               ~assessed, ctx.visible(Post.official_id),
               _not_retired(Post.official_id, ctx.today))
        .order_by(Post.start_date, Post.id)).all()
    out, profile = [], url_maker("officials.profile", "official_id", "posts")
    for post, name, unit_id in rows:
        end = post.probation_end
        if (not ctx.today - dt.timedelta(days=PROBATION_OVERDUE_DAYS) <= end <= horizon
                or not _held_on(post.end_date, end)):
            continue
        state = "已届满" if end < ctx.today else "届满"
        out.append(make(
            "probation", f"{name}试用期 {end.isoformat()} {state}（{post.title}，"
            f"{post.start_date.isoformat()} 任职，试用期 {post.probation_months} 个月）",
            end, profile(post.official_id),
            {"official_id": post.official_id, "post_id": post.id}, ctx.today,
            ["应进行试用期满考核，提交干部讨论（议题“试用期满考核”）"], unit_id=unit_id or 0))
    return out


def retirement_rules() -> dict[str, RetirementRule]:
    step = cfg.value(cfg.DELAY_STEP)
    return {"M": RetirementRule(cfg.value(cfg.RETIRE_MALE), step, cfg.value(cfg.DELAY_MAX_MALE)),
            "F": RetirementRule(cfg.value(cfg.RETIRE_FEMALE), step,
                                cfg.value(cfg.DELAY_MAX_FEMALE)),
            "F_senior": RetirementRule(cfg.value(cfg.RETIRE_FEMALE_SENIOR), step,
                                       cfg.value(cfg.DELAY_MAX_FEMALE_SENIOR))}


def retirement_rule(gender: str, rank: str, rules: dict[str, RetirementRule] | None = None,
                    senior: tuple[str, ...] | None = None) -> RetirementRule:
    """The retirement rule of an official (settings; ``rules`` and ``senior`` when read
    already)."""
    rules = retirement_rules() if rules is None else rules
    senior = cfg.senior_ranks() if senior is None else senior
    if gender == "F" and rank in senior:
        return rules["F_senior"]
    return rules.get(gender, rules["M"])


def retirement(ctx: Ctx) -> list[Todo]:
    """到龄: officials reaching retirement age this month or next, until their 退休 is
    issued; one who reached it in an earlier month without one stays listed for
    ``RETIREMENT_OVERDUE_MONTHS`` (as an ended probation does): dropping them when the
    month turned lost exactly the cases nobody had handled."""
    now = month_index(ctx.today.year, ctx.today.month)
    months = list(range(now - RETIREMENT_OVERDUE_MONTHS, now + 2))
    rules, senior = retirement_rules(), cfg.senior_ranks()
    # The rank compared as an expression (rank || ''): with the column itself SQLite read
    # every official of the senior ranks through their index instead of the birth dates.
    rank = Official.rank.concat("")
    classes = (("M", rules["M"], Official.gender != "F"),
               ("F", rules["F"], and_(Official.gender == "F", rank.not_in(senior))),
               ("F_senior", rules["F_senior"], and_(Official.gender == "F", rank.in_(senior))))
    conditions = [and_(cond, or_(false(), *[Official.birth_date.between(lo, hi)
                                            for lo, hi in rule.birth_ranges(months)]))
                  for _name, rule, cond in classes]
    rows = db.session.execute(
        select(Official.id, Official.name, Official.gender, Official.rank, Official.birth_date,
               Official.current_post, Official.unit_id)
        .where(or_(*conditions), ctx.visible(Official.id),
               _not_retired(Official.id, ctx.today))).all()
    out, profile = [], url_maker("officials.profile", "official_id")
    for oid, name, gender, rank, birth, post, unit_id in rows:
        rule = retirement_rule(gender, rank, rules, senior)
        day = rule.reached_on(birth)
        years, extra = divmod(rule.months(month_index(birth.year, birth.month)), 12)
        age = f"{years} 周岁" + (f" {extra} 个月" if extra else "")
        out.append(make(
            "retirement", f"{name}{'已' if day <= ctx.today else '将'}于 {day.isoformat()} "
            f"达到退休年龄（{age}）",
            day, profile(oid), {"official_id": oid}, ctx.today,
            [f"{'女' if gender == 'F' else '男'}，{rank or '职级未录入'}，{post or '现职未录入'}；"
             "请按规定办理退休或提交干部讨论"], unit_id=unit_id or 0))
    return out


def _of_live_official(column):
    """SQL: ``column`` of the post's official, NULL when deleted. Read per post, not
    joined: PostgreSQL expected some 200 000 posts open since ten years or more (one in
    the demo city) and hashed every official for them (0.37 s at a million)."""
    return (select(column).where(Official.id == Post.official_id,
                                 Official.deleted_at.is_(None))
            .scalar_subquery().label(column.key))


def rotation(ctx: Ctx) -> list[Todo]:
    """任现职满 N 年: posts held today reaching the first mark (setting, 5 years) within
    the setting's days before or after today, and every post held today at or near the
    second mark (10 years: exchange required); not a post ending before its mark."""
    days = dt.timedelta(days=cfg.value(cfg.ROTATION_DAYS))
    first, must = cfg.value(cfg.ROTATION_YEARS), cfg.value(cfg.ROTATION_MUST_YEARS)
    # Both ranges end years before today (so the posts began by today), and are disjoint;
    # each bound is one comparison: SQLite seeks an index range on one bound per side.
    long_ago = years_ago(ctx.today + days, must)
    recent = and_(Post.start_date > max(long_ago, years_ago(ctx.today - days
                                                            - dt.timedelta(days=1), first)),
                  Post.start_date <= years_ago(ctx.today + days, first))
    begun = (recent, Post.start_date <= long_ago)
    columns = select(Post.id, Post.official_id, Post.start_date, Post.end_date, Post.title,
                     _of_live_official(Official.name), _of_live_official(Official.unit_id)
                     ).where(Post.deleted_at.is_(None), ctx.visible(Post.official_id),
                             _not_retired(Post.official_id, ctx.today))
    # One branch per (still open | ending later) × start range, all disjoint: each reads
    # its slice of ix_post_ending. As one OR, SQLite read every post held (a million).
    held = union_all(*(columns.where(open_, start)
                   for open_ in (Post.end_date.is_(None), Post.end_date >= ctx.today)
                   for start in begun)).subquery()
    rows = db.session.execute(select(held).order_by(held.c.start_date, held.c.id)).all()
    out, profile = [], url_maker("officials.profile", "official_id", "posts")
    for post_id, oid, start, end, title, name, unit_id in rows:
        if name is None:  # a deleted official
            continue
        mark = must if age_on(start, ctx.today + days) >= must else first
        day = full_months_day(start, mark * 12)
        if not _held_on(end, day):
            continue
        served = age_on(start, ctx.today)
        verb = "已" if day <= ctx.today else f"将于 {day.isoformat()} "
        out.append(make(
            "rotation_must" if mark == must else "rotation",
            f"{name}{verb}任现职满 {mark} 年（{title}，{start.isoformat()} 起）",
            day, profile(oid), {"official_id": oid, "post_id": post_id}, ctx.today,
            [f"已任现职 {served} 年；" + ("按规定应当交流" if mark == must else "可考虑交流")],
            urgency=(0 if day <= ctx.today else 1) if mark == must else None,
            unit_id=unit_id or 0))
    return out


def annual_missing(ctx: Ctx) -> list[Todo]:
    """Units where last year's annual results of some officials are missing.

    A result counts in the unit of the post held on 31 December of that year, else the
    official's recorded unit (the 优秀 quota's :func:`year_end_unit`, shown on the unit
    page this links to); an official who started work after that year has no result to
    record (:func:`kaohe.assessments.wording.not_yet_working`).
    """
    year = ctx.today.year - 1
    due = assessment_window(ctx.today).concludes(year)
    # NOT EXISTS, an anti-join on both engines: a NOT IN over a million results no longer
    # fits PostgreSQL's hashed subplan and was re-scanned for every official (minutes).
    with_result = exists().where(
        AssessmentResult.official_id == Official.id, AssessmentResult.kind == "annual",
        AssessmentResult.year == year, AssessmentResult.deleted_at.is_(None))
    missing = (
        select(year_end_unit(Official.id, Official.unit_id, year).label("unit_id"))
        .where(~with_result, ctx.visible(Official.id),
               or_(Official.work_start_date.is_(None),
                   Official.work_start_date <= dt.date(year, 12, 31)),
               # Retired by the year's end: no annual assessment of that year is due.
               _not_retired(Official.id, dt.date(year, 12, 31)))
        .subquery())
    # Counted per unit before the units are joined: PostgreSQL, expecting one missing
    # official, joined first and computed each official's unit once per unit (16×).
    counts = (select(missing.c.unit_id, func.count().label("n"))
              .group_by(missing.c.unit_id).subquery())
    rows = db.session.execute(
        select(Unit.id, Unit.name, counts.c.n).join(counts, counts.c.unit_id == Unit.id)
        .order_by(Unit.sort_order, Unit.id)).all()
    return [make("annual_missing", f"{name}：{count} 名干部缺 {year} 年度考核结果",
                 due, url_for("units.show", unit_id=uid), {"unit_id": uid, "year": year},
                 ctx.today, [f"{year} 年度考核于 {due.isoformat()} 结束，请录入或导入考核结果"])
            for uid, name, count in rows]
