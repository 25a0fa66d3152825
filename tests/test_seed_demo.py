"""seed-demo: consistent, rule-abiding and deterministic demo data."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict

from sqlalchemy import func, select

from kaohe.assessments.models import VOTE_FIELDS, AssessmentResult
from kaohe.audit.models import AuditLog
from kaohe.auth.models import User
from kaohe.demo.users import DEMO_USERS, demo_logins
from kaohe.extensions import db
from kaohe.officials import idcard
from kaohe.officials.models import RANKS, Official, Post
from kaohe.officials.services import overlapping_principal
from kaohe.orgnotes.models import NOTE_KINDS, NOTE_RESULTS, OrgNote
from kaohe.reviews.models import CONCLUSIONS, REVIEW_KINDS, Review
from kaohe.units.models import Unit

ARGS = ["seed-demo", "--officials", "40", "--seed", "7"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_content(app, runner):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    for username, _role, _label, password in demo_logins(7):
        assert f"用户名 {username}" in result.output and password in result.output
    today = dt.date.today()
    years = list(range(today.year - 4, today.year))

    units = db.session.scalars(select(Unit)).all()
    assert len(units) == 16 and Counter(u.kind for u in units) == {
        "city": 1, "county": 5, "department": 9, "zone": 1}
    assert all(u.leader_in_charge for u in units if u.kind != "city")
    officials = db.session.scalars(select(Official)).all()
    assert len(officials) == 40
    assert len({o.id_number for o in officials}) == 40
    for o in officials:
        assert idcard.problem(o.id_number) is None, o.id_number
        assert idcard.birth_date(o.id_number) == o.birth_date
        assert int(o.id_number[16]) % 2 == (o.gender == "M")
        assert dt.date(1965, 1, 1) <= o.birth_date <= dt.date(1990, 12, 31)
        assert o.rank in RANKS and o.current_post and o.unit_id
        assert o.work_start_date > o.birth_date
        assert o.party_date is None or o.party_date > o.birth_date

    posts = db.session.scalars(select(Post)).all()
    per_official = Counter(p.official_id for p in posts)
    assert set(per_official) == {o.id for o in officials}
    assert all(1 <= k <= 3 for k in per_official.values())
    principal = defaultdict(list)
    for p in posts:
        assert p.start_date <= today and (p.end_date is None or p.start_date <= p.end_date)
        if p.is_principal:
            principal[p.unit_id].append(p)
            # The rule the post form enforces holds for the bulk data too.
            assert overlapping_principal(p.unit_id, p.start_date, p.end_date, p.id) is None
    assert len(principal) == 15  # every unit below the city has its principal leader
    for items in principal.values():
        items.sort(key=lambda p: p.start_date)
        assert all(a.end_date and a.end_date < b.start_date for a, b in zip(items, items[1:]))
        assert items[-1].end_date is None

    results = db.session.scalars(select(AssessmentResult)).all()
    annual = [r for r in results if r.kind == "annual"]
    assert Counter((r.official_id, r.year) for r in annual).most_common(1)[0][1] == 1
    assert {r.year for r in annual} == set(years) and 150 <= len(annual) <= 160
    assert {r.grade for r in annual} <= {"excellent", "competent", "basically_competent",
                                        "incompetent"}
    assert Counter(r.grade for r in annual).most_common(1)[0][0] == "competent"
    unit_of = {o.id: o.unit_id for o in officials}
    per_unit_year = Counter((unit_of[r.official_id], r.year) for r in annual)
    excellent = Counter((unit_of[r.official_id], r.year) for r in annual if r.grade == "excellent")
    assert all(excellent[k] <= per_unit_year[k] * 0.2 for k in excellent)
    for r in annual:
        assert sum(getattr(r, f) for f in VOTE_FIELDS) == r.votes_total > 0
        assert 1 <= r.unit_rank <= r.unit_size and 0 <= r.score <= 100
    quarterly = [r for r in results if r.kind == "quarterly"]
    assert len(quarterly) >= 4 * 36
    assert len({(r.official_id, r.year, r.quarter) for r in quarterly}) == len(quarterly)

    reviews = db.session.scalars(select(Review)).all()
    notes = db.session.scalars(select(OrgNote)).all()
    assert reviews and all(r.kind in REVIEW_KINDS and r.conclusion in CONCLUSIONS
                           and r.date <= today and r.strengths for r in reviews)
    assert notes and all(n.kind in NOTE_KINDS and n.result in NOTE_RESULTS
                         and n.date <= today and n.content for n in notes)

    roles = dict(db.session.execute(select(User.username, User.role_id)).all())
    assert all(u in roles for u, _r, _l in DEMO_USERS)
    event = db.session.scalar(select(AuditLog).where(AuditLog.action == "seed_demo"))
    assert event.after["seed"] == 7 and event.after["official"] == 40

    # A second run loads nothing and says so.
    again = runner.invoke(args=ARGS)
    assert again.exit_code == 0 and "演示数据未加载" in again.output
    assert _count(Official) == 40 and _count(Unit) == 16


def _digest() -> str:
    """Hash of the loaded rows through natural keys (ids differ between runs on PostgreSQL)."""
    code = dict(db.session.execute(select(Unit.id, Unit.code)).all())
    number = dict(db.session.execute(select(Official.id, Official.id_number)).all())
    skip = {"id", "created_at", "deleted_at", "recorded_by_id", "photo"}
    h = hashlib.sha256()
    for model in (Unit, Official, Post, AssessmentResult, Review, OrgNote):
        cols = [c for c in model.__table__.columns if c.name not in skip]
        rows = []
        for row in db.session.execute(select(*cols)):
            values = dict(zip((c.name for c in cols), row))
            for key, mapping in (("unit_id", code), ("parent_id", code),
                                 ("official_id", number)):
                if key in values:
                    values[key] = mapping.get(values[key])
            rows.append(repr(sorted(values.items())))
        h.update("\n".join(sorted(rows)).encode())
    return h.hexdigest()


def test_seed_demo_is_deterministic(app, runner):
    connection = db.session.get_bind()  # the test's own connection (see conftest)
    runs = []
    for seed in (7, 7, 8):
        db.session.close()
        savepoint = connection.begin_nested()
        result = runner.invoke(args=["seed-demo", "--officials", "40", "--seed", str(seed)])
        assert result.exit_code == 0, result.output
        runs.append((_digest(), result.output))
        db.session.close()
        savepoint.rollback()  # back to an empty database for the next run
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]
