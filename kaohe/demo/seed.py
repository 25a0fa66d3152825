"""Deterministic demo city for ``flask --app app seed-demo``.

``seed_demo(n, seed)`` loads 江州市 with 15 units, ``n`` officials with posts,
four years of annual results, quarterly results, reviews and organization
notes (reviews and notes in :mod:`kaohe.demo.records`), the discipline
commission's findings and integrity opinions (:mod:`kaohe.demo.discipline`),
the unit target-responsibility assessment of the last three years and this one
(:mod:`kaohe.demo.unitassess`), plus one demo user per role and one upcoming
personnel discussion with its agenda (:mod:`kaohe.demo.discussions`), and yields
progress lines. The same seed on the same day gives the same rows (one
``random.Random(seed)``; "today" is read once). Demo passwords derive from the
seed and are printed.

Idempotency: when the database already holds any unit or official, nothing is
loaded and a message is yielded instead (no error, so the README chain
``init-db && seed-demo && run`` can be re-run).

Rows are written with Core bulk inserts in batches (fast enough for 100 000
officials); that bypasses the per-row audit listener, so one ``seed_demo``
audit event records the counts. The officials' name search keys are built once
after their rows, the search triggers being off meanwhile (kaohe.search.keys). On
PostgreSQL each bulk table's secondary indexes are built after its rows, and a big seed's
rows skip the foreign-key checks (kaohe.interop.bulk.pg_indexes_built_after). The few
structural rows (units, assessment schemes, events, interviews, the exemption) go
through the features' services. Everything is committed once at the end; a
failure rolls the whole load back, the triggers with it.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import accumulate
from typing import Iterable, Iterator

from sqlalchemy import func, select

from kaohe.core import clock
from kaohe.assessments import quota
from kaohe.assessments.models import VOTE_FIELDS, AssessmentResult
from kaohe.audit.models import AuditLog
from kaohe.audit.services import record_event
from kaohe.core.models import utcnow
from kaohe.demo import phrases as ph
from kaohe.demo.discipline import DisciplineDemo
from kaohe.demo.discussions import DiscussionDemo
from kaohe.demo.politics import dress
from kaohe.demo.records import RecordRows
from kaohe.demo.todos import TodoDemo
from kaohe.demo.unitassess import UnitAssessDemo
from kaohe.demo.users import ensure_demo_users, login_lines
from kaohe.extensions import db
from kaohe.interop import bulk
from kaohe.search import keys
from kaohe.search.pinyin import index_text
from kaohe.officials.idcard import check_digit
from kaohe.officials.models import Official, Post
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review
from kaohe.units.models import Unit
from kaohe.units.services import save_unit

BATCH = 5000
# From this many officials the bulk rows skip PostgreSQL's foreign-key checks (their ids
# are the seed's own); smaller seeds, the tests' among them, keep every check.
TRUSTED_FROM = 50_000
SQLITE_CACHE_KIB = 512 * 1024  # grown as pages are used, at most this
PROGRESS_EVERY = 50_000
# Quarterly results carry a grade and a score only.
_NO_VOTES = dict.fromkeys(("unit_rank", "unit_size", "votes_total", *VOTE_FIELDS,
                           "public_rating"))


@dataclass(slots=True)
class _Off:
    """What later tables need to know about a written official."""
    id: int | str  # the ID number until the row is written
    unit: int  # index into Seeder.units
    work_start: dt.date
    rank: str
    title: str
    since: dt.date  # start of the current post
    ability: float  # mean annual score; drives grades and review conclusions
    principal: bool = False  # current principal leader of its unit
    former_of: int | None = None  # unit index where it was principal before
    gender: str = ""


def seed_demo(n_officials: int = 300, seed: int = 2020) -> Iterator[str]:
    """Load the demo city; yield progress and summary lines (Chinese)."""
    # Soft-deleted rows count too: their codes and ID numbers are still taken.
    units, officials = (db.session.scalar(select(func.count(m.id))
                                          .execution_options(include_deleted=True))
                        for m in (Unit, Official))
    if units or officials:
        yield (f"数据库中已有 {units} 个单位、{officials} 名干部，演示数据未加载"
               "（seed-demo 只在空库上运行，避免重复）。")
        last = db.session.scalar(select(AuditLog.after).where(AuditLog.action == "seed_demo")
                                 .order_by(AuditLog.id.desc()).limit(1))
        if last and "seed" in last:
            yield f"此前以种子 {last['seed']} 加载过演示数据，演示账号（若密码未修改）："
            yield from login_lines(last["seed"])
        return
    yield from Seeder(n_officials, seed).run()


class Seeder(RecordRows):
    """One load: the random stream, the "today" anchor and what later tables need."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seed = n, seed
        self.rng = random.Random(seed)
        self.today = clock.today()
        self.year = self.today.year
        self.years = list(range(self.year - 4, self.year))  # the 4 full years before
        self.now = utcnow()
        self.units: list[Unit] = []
        self.offs: list[_Off] = []
        self.counts: dict[str, int] = {}

    # -- helpers -----------------------------------------------------------
    def day(self, lo: dt.date, hi: dt.date) -> dt.date:
        return dt.date.fromordinal(self.rng.randint(lo.toordinal(), max(lo, hi).toordinal()))

    def plus_years(self, d: dt.date, years: float) -> dt.date:
        return dt.date.fromordinal(d.toordinal() + int(365.25 * years))

    def base(self) -> dict:
        return {"created_at": self.now, "deleted_at": None, "recorded_by_id": None}

    def insert(self, model, rows: Iterable[dict], label: str, unit: str = "条") -> Iterator[str]:
        """``rows`` in batches, the driver's executemany on SQLite (bulk.executemany_rows)
        and COPY on PostgreSQL (psycopg parses a many-row INSERT anew per page); yields
        progress lines. Callers find
        generated ids afterwards. Not insert_records: it audits every row, the seed is
        one audited event."""
        db.session.flush()
        connection, batch, total = db.session.connection(), [], 0
        write = (partial(bulk.copy_rows, connection, model.__table__)
                 if connection.dialect.name == "postgresql"
                 else partial(bulk.executemany_rows, connection, model.__table__))
        started = time.perf_counter()
        with bulk.pg_indexes_built_after(connection, model.__table__,
                                         trusted=self.n >= TRUSTED_FROM):
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    write(batch)
                    total, batch = total + len(batch), []
                    if total % PROGRESS_EVERY == 0:  # only big loads: small seeds print the same
                        rate = total / max(time.perf_counter() - started, 1e-6)
                        yield f"{label}：已写入 {total} {unit}（每秒 {rate:.0f} {unit}）……"
            if batch:
                write(batch)
                total += len(batch)
        self.counts[model.__tablename__] = self.counts.get(model.__tablename__, 0) + total
        yield f"{label}：{total} {unit}"

    # -- the load ------------------------------------------------------------
    def run(self) -> Iterator[str]:
        with bulk.wide_sqlite_cache(db.session.connection(), SQLITE_CACHE_KIB):
            try:
                yield from self.load()
            except BaseException:  # GeneratorExit too: an abandoned load is not committed
                db.session.rollback()
                raise

    def load(self) -> Iterator[str]:
        yield f"加载演示数据：江州市，干部 {self.n} 人，随机种子 {self.seed}"
        self.make_units()
        yield f"单位：{ph.CITY[1]}及下属 {len(self.units)} 个单位"
        yield from self.make_officials()
        yield from self.insert(Post, self.post_rows(), "任职经历")
        yield from self.insert(AssessmentResult, self.annual_rows(), "年度考核结果")
        yield from self.insert(AssessmentResult, self.quarterly_rows(), "季度考核结果")
        yield from self.insert(Review, self.review_rows(), "研判记录")
        yield from self.insert(OrgNote, self.note_rows(), "组织掌握情况")
        # Discipline first: the unit rankings read its party-conduct deductions.
        yield from DisciplineDemo(self).run()
        yield from UnitAssessDemo(self).run()
        yield from ensure_demo_users(self.seed)
        # Last: the meeting reads all of the above and assigns the demo reviewer.
        yield from DiscussionDemo(self).run()
        yield from TodoDemo(self).run()  # every to-do kind has something to show
        record_event("seed_demo", "demo", None, {"seed": self.seed, **self.counts})
        db.session.commit()
        yield "演示数据已提交。"

    def make_units(self) -> None:
        # Few rows: go through the real service so they are validated and audited.
        code, name = ph.CITY
        city = save_unit(None, {"code": code, "name": name, "kind": "city",
                                "leader_in_charge": "", "sort_order": 0})
        for order, (code, name, kind, leader, _w, _h) in enumerate(ph.UNITS, 1):
            self.units.append(save_unit(None, {
                "code": code, "name": name, "kind": kind, "parent_id": city.id,
                "leader_in_charge": leader, "sort_order": order}))
        self.counts["unit"] = 1 + len(self.units)

    def title(self, u: int, rank: str) -> str:
        kind, head = ph.UNITS[u][2], ph.UNITS[u][5]
        if "调研员" in rank or "巡视员" in rank:
            return rank
        level = rank if rank in ph.LEADING else "职级"
        town = {"county": ph.TOWNS, "department": ph.SECTIONS, "zone": ph.ZONE_BUREAUS}[kind]
        return self.rng.choice(ph.TITLES[kind][level]).format(
            s=ph.UNITS[u][1][-1], h=head, t=self.rng.choice(town), r=rank)

    def principal_title(self, u: int) -> str:
        return ph.PRINCIPAL[ph.UNITS[u][2]].format(s=ph.UNITS[u][1][-1], h=ph.UNITS[u][5])

    @staticmethod
    def full_post(u: int, title: str) -> str:
        name, kind = ph.UNITS[u][1], ph.UNITS[u][2]
        # "浔江区" + "区委书记" reads "浔江区委书记", as it is written in Chinese.
        if kind == "county" and title.startswith(name[-1]):
            return name[:-1] + title
        return name + title

    def make_officials(self) -> Iterator[str]:
        # ~16 search keys per official: one INSERT … SELECT after the rows instead of
        # the triggers writing them row by row (half the officials step at 100 000).
        with keys.built_after(db.session.connection()) as built:
            yield from self.insert(Official, self.official_rows(), "干部", "人")
        self.counts["official_search_key"] = built.rows
        yield f"姓名检索索引：{built.rows} 条"
        ids = dict(db.session.execute(select(Official.id_number, Official.id)).all())
        for off in self.offs:
            off.id = ids[off.id]  # the ID number stood in for the database id

    def official_rows(self) -> Iterator[dict]:
        """Officials; the first 15 lead a unit now, the next 15 led one before."""
        rng, m = self.rng, len(ph.UNITS)
        # Cumulative weights: rng.choices then skips summing them on every call.
        unit_cum = list(accumulate(u[4] for u in ph.UNITS))
        place_cum = list(accumulate(p[2] for p in ph.PLACES))
        surnames, s_cum = [s for s, _w in ph.SURNAMES], list(accumulate(w for _s, w in ph.SURNAMES))
        ranks, r_cum = list(ph.RANK_WEIGHTS), list(accumulate(ph.RANK_WEIGHTS.values()))
        # Current principals' start dates, one per unit; former principals end the day before.
        p_start = [self.day(self.plus_years(self.today, -6), self.today - dt.timedelta(200))
                   for _ in range(m)]
        self.p_start = p_start
        serials: dict[tuple, int] = {}
        for i in range(self.n):
            principal, former = i < m, (i - m if m <= i < 2 * m else None)
            if principal:
                u = i
            elif former is not None:
                u = (former + rng.randint(1, m - 1)) % m  # now elsewhere
            else:
                u = rng.choices(range(m), cum_weights=unit_cum)[0]
            if rng.random() < 0.006:
                name, gender, ethnicity, place = rng.choice(ph.MINORITY_NAMES)
                area = ph.AREA_CODES[place]
            else:
                gender = "M" if rng.random() < 0.68 else "F"
                given = ph.GIVEN_M if gender == "M" else ph.GIVEN_F
                name = rng.choices(surnames, cum_weights=s_cum)[0] + "".join(
                    rng.choice(given) for _ in range(1 if rng.random() < 0.25 else 2))
                ethnicity = "汉族" if rng.random() < 0.97 else rng.choice(ph.MINORITIES_HAN_NAMES)
                place, area, _w = rng.choices(ph.PLACES, cum_weights=place_cum)[0]
            lo, hi = (1966, 1980) if principal or former is not None else (1965, 1990)
            birth = self.day(dt.date(lo, 1, 1), dt.date(hi, 12, 31))
            # Serial: per area and birth date; its last digit is odd for men (GB 11643).
            key = (area, birth, gender)
            k = serials.get(key, rng.randrange(5, 300))
            serials[key] = k + 1
            first17 = f"{area}{birth:%Y%m%d}{2 * k + (gender == 'M'):03d}"
            edu = rng.choices(["研究生", "大学", "大专", "中专"], weights=[12, 62, 21, 5])[0]
            degree = {"研究生": rng.choice(["硕士", "硕士", "博士"]), "大学": "学士"}.get(edu, "")
            school = rng.choice(ph.SCHOOLS if degree else ph.VOCATIONAL)
            inservice = rng.random() < 0.35 and edu != "研究生"
            age_lo, age_hi = ph.WORK_AGE[edu]
            work_start = self.day(self.plus_years(birth, age_lo), self.plus_years(birth, age_hi))
            party = (self.day(max(self.plus_years(birth, 19), work_start - dt.timedelta(900)),
                              min(self.plus_years(work_start, 8), self.today))
                     if rng.random() < 0.9 else None)
            if principal:
                rank, title, since = "正处级", self.principal_title(u), p_start[u]
            else:
                rank = (rng.choice(["正处级", "一级调研员"]) if former is not None
                        else rng.choices(ranks, cum_weights=r_cum)[0])
                title = self.title(u, rank)
                since = (p_start[former] + dt.timedelta(rng.randint(0, 90)) if former is not None
                         else self.day(max(self.plus_years(work_start, 1),
                                           self.plus_years(self.today, -9)),
                                       self.today - dt.timedelta(60)))
            number = first17 + check_digit(first17)
            yield dress({
                **self.base(), "name": name, "name_pinyin": index_text(name),
                "gender": gender, "birth_date": birth,
                "ethnicity": ethnicity, "native_place": place, "party_date": party,
                "work_start_date": work_start, "edu_fulltime": edu, "degree_fulltime": degree,
                "school_fulltime": school + rng.choice(ph.MAJORS) + "专业",
                "edu_inservice": "研究生" if inservice else "",
                "degree_inservice": rng.choice(["硕士", ""]) if inservice else "",
                "school_inservice": (rng.choice(ph.INSERVICE_SCHOOLS) + "在职研究生班"
                                     if inservice else ""),
                "unit_id": self.units[u].id, "current_post": self.full_post(u, title),
                "rank": rank, "id_number": number, "photo": None, "photo_mime": None,
            }, self.today)  # affiliation, disciplines, 党校 (kaohe/demo/politics.py)
            self.offs.append(_Off(number, u, work_start, rank, title, since,
                                  min(rng.gauss(85, 3.5), 96), principal, former, gender))

    def post_rows(self) -> Iterator[dict]:
        """1–3 posts per official, newest first; principal posts never overlap in a unit."""
        rng, one = self.rng, dt.timedelta(1)
        for o in self.offs:
            rows = [(o.unit, o.title, o.rank, o.since, None, o.principal)]
            if o.former_of is not None:
                end = self.p_start[o.former_of] - one
                start = self.day(self.plus_years(end, -6), self.plus_years(end, -3))
                rows.append((o.former_of, self.principal_title(o.former_of), "正处级",
                             start, end, True))
            for _ in range(rng.choices([0, 1, 2], weights=[35, 45, 20])[0]):
                if len(rows) >= 3:
                    break
                nxt_unit, nxt_rank, nxt_start = rows[-1][0], rows[-1][2], rows[-1][3]
                end = nxt_start - one
                if end <= self.plus_years(o.work_start, 1):
                    break
                start = max(self.day(self.plus_years(end, -6), self.plus_years(end, -2)),
                            o.work_start)
                unit = nxt_unit if rng.random() < 0.7 else rng.randrange(len(self.units))
                rank = ph.PREV_RANK.get(nxt_rank, nxt_rank)
                rows.append((unit, self.title(unit, rank), rank, start, end, False))
            for unit, title, rank, start, end, principal in rows:
                yield {**self.base(), "official_id": o.id, "unit_id": self.units[unit].id,
                       "title": title, "rank": rank, "start_date": start, "end_date": end,
                       "is_principal": principal, "note": ""}

    def grade_groups(self, scores: list[float | None],
                     units: list | None = None) -> list[tuple[str, int, int] | None]:
        """Grade, unit rank and unit size per official from scores, unit by unit.

        The top 15 % (never more than 20 %, the 优秀 quota) with at least 85 points
        are 优秀; below 70 is 基本称职, below 60 不称职. ``units`` gives each
        official's unit (default: the current one).
        """
        by_unit: dict[int, list[int]] = {}
        for i, s in enumerate(scores):
            if s is not None:
                by_unit.setdefault(units[i] if units else self.offs[i].unit, []).append(i)
        out: list[tuple[str, int, int] | None] = [None] * len(scores)
        for members in by_unit.values():
            members.sort(key=lambda i: (-scores[i], i))
            size = len(members)
            quota = min(size * 20 // 100, int(size * 0.15 + 0.5))
            for pos, i in enumerate(members):
                s = scores[i]
                grade = ("excellent" if pos < quota and s >= 85 else "incompetent" if s < 60
                         else "basically_competent" if s < 70 else "competent")
                out[i] = (grade, pos + 1, size)
        return out

    def annual_scores(self) -> list[list[float | None]]:
        rng, n = self.rng, len(self.offs)
        scores = [[round(min(o.ability + rng.gauss(0, 2.5), 99.0), 1) for o in self.offs]
                  for _ in self.years]
        for i in range(n):
            r = rng.random()
            if self.offs[i].principal or self.offs[i].former_of is not None:
                continue  # principal leaders were appointed with clean records
            if r < 0.012:  # slipped to 基本称职 last year: flagged in dossiers
                scores[-1][i] = round(rng.uniform(63, 69.5), 1)
            elif r < 0.016:  # one 不称职 year
                scores[rng.randrange(len(self.years))][i] = round(rng.uniform(52, 59.5), 1)
            elif r < 0.017:  # two consecutive 不称职 years: dismissal case
                scores[-1][i] = scores[-2][i] = round(rng.uniform(50, 58), 1)
            elif r < 0.03:  # one year without an annual result (secondment, leave)
                scores[rng.randrange(len(self.years))][i] = None
        self.last_scores = scores[-1]
        return scores

    def annual_rows(self) -> Iterator[dict]:
        rng = self.rng
        for year, scores in zip(self.years, self.annual_scores()):
            # Grouped by the unit the 优秀 quota counts the year's result in (posts are in),
            # by the quota's own SQL rule. One query over all officials (the seed's are all
            # there are), not quota.units_of: its IN lists of 500 ids took 5 s a year at
            # 100 000 officials.
            units = dict(db.session.execute(select(
                Official.id, quota.year_end_unit(Official.id, Official.unit_id, year))).all())
            year_units = [units[o.id] for o in self.offs]
            for i, g in enumerate(self.grade_groups(scores, year_units)):
                if g is None:
                    continue
                grade, rank, size = g
                o, score = self.offs[i], scores[i]
                total = rng.randint(25, 80)
                lo_hi = {"excellent": ((.6, .9), (0, .03), (0, 0)),
                         "competent": ((.2, .55), (0, .08), (0, .02)),
                         "basically_competent": ((.05, .2), (.2, .45), (.02, .1)),
                         "incompetent": ((0, .1), (.25, .4), (.3, .5))}[grade]
                e, b, inc = (round(total * rng.uniform(*r)) for r in lo_hi)
                c = total - e - b - inc
                if c < 0:  # rounding overshoot: take it from the excellent count
                    e, c = e + c, 0
                leader = o.principal or o.rank in ("正处级", "副处级")
                rating = None
                if leader:  # 民评官 covers leading cadres only
                    r = 70 + (score - 80) * .8 + rng.gauss(0, 4)
                    rating = Decimal(f"{min(max(r, 55), 99.5):.2f}")
                yield {**self.base(), "official_id": o.id, "year": year, "kind": "annual",
                       "quarter": None, "task_name": "", "grade": grade,
                       "score": Decimal(f"{score:.2f}"), "unit_rank": rank, "unit_size": size,
                       "votes_total": total, "votes_excellent": e, "votes_competent": c,
                       "votes_basically_competent": b, "votes_incompetent": inc,
                       "public_rating": rating, "comment": rng.choice(ph.ANNUAL_COMMENTS[grade])}

    def quarterly_rows(self) -> Iterator[dict]:
        """Quarters of last year and the finished quarters of this year."""
        rng, last = self.rng, self.years[-1]
        quarters = [(last, q) for q in range(1, 5)] + [
            (self.year, q) for q in range(1, 4) if dt.date(self.year, 3 * q + 1, 1) <= self.today]
        for year, q in quarters:
            scores = []
            for i, o in enumerate(self.offs):
                ls = self.last_scores[i]
                if ls is None:
                    scores.append(None)
                    continue
                drift = (ls - o.ability) * (1 if year == last else .5)
                scores.append(round(min(o.ability + drift + rng.gauss(0, 2), 99.0), 1))
            for i, g in enumerate(self.grade_groups(scores)):
                if g is not None:
                    yield {**self.base(), "official_id": self.offs[i].id, "year": year,
                           "kind": "quarterly", "quarter": q, "task_name": "", "grade": g[0],
                           "score": Decimal(f"{scores[i]:.2f}"), **_NO_VOTES,
                           "comment": "" if g[0] in ("excellent", "competent")
                           else "本季度重点任务推进滞后。"}
