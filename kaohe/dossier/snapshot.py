"""The dossier snapshot: every fact the PDF shows, as plain JSON taken at one moment.

:func:`build_snapshot` reads the database once; the renderer
(:mod:`kaohe.dossier.render`) reads only the snapshot, so the stored snapshot
re-renders to the same bytes. All dates are ISO strings. Keys::

    schema, as_of, window {years, start, end, concludes_on}, settings [{key, label, value, unit}],
    context {discussion_title, discussion_date, proposed_action, proposed_post,
             proposed_removal (absent before it was recorded), agenda_item_id, four_musts [{kind, label, done, result, who, when, note,
             adverse, recorded_by}], four_moves [{kind, label, rule, done, before, after,
             records [{what, who, when, text}]}]} | None,
    official {name, gender, birth_date, age, …, id_number_masked},   # 任免审批表 head
    posts [...], annual [{year, missing} | {year, grade, …}],
    pending [{year, concludes, result: {grade, …} | None}],          # 待考核
    periodic [{year, quarters [...], special [...]}],
    unit_results {...}, reviews [...], org_notes [...], discipline {...},
    flags [{level: block|warn|info, code, text, detail}]

:mod:`kaohe.dossier.services` adds ``dossier {number, generated_at, generated_by}``.
The window is by period, not by entry date: annual, quarterly and special results
of the last ``dossier.window_years`` *concluded* assessment years on ``as_of``
(:func:`kaohe.assessments.window.assessment_window`); reviews and organization notes
dated from 1 January of the first year up to ``as_of``. ``pending`` lists the years
whose assessment has not concluded on ``as_of`` (待考核): an ended year always, the
current year only when a result was entered ahead of time; none of them counts.
``context.four_musts`` is the agenda item's 凡提四必 as its page shows them
(:func:`kaohe.discussions.services.readiness.check_states`).

Sections filled by other features (the hook)
--------------------------------------------
``unit_results`` (目标责任考核) and ``discipline`` (纪委了解的情况) come from
:data:`SECTION_PROVIDERS`: ``key → provider(req: SectionRequest) -> dict``. A
feature plugs in at import time of its package::

    from kaohe.dossier.snapshot import register_section
    register_section("discipline",
                     lambda req: dossier_section(req.official_id, req.as_of, req.window_start))

A provider returns plain JSON (dates as ISO strings) with any of:

* ``available`` (bool) — False: the PDF states that nothing is recorded;
* ``statement`` (str) — the section's first sentence;
* ``tables`` — ``[{"title", "columns": [str], "rows": [[str]], "widths": [fractions]}]``;
* ``paragraphs`` — ``[str]``;
* ``flags`` — ``[str | {"level", "text", "detail", "code"}]``, added to the flags
  section (a plain string is "block" when it is the ``message_zh`` of one of the
  section's ``blockers``, else "warn").

The renderer also knows the discipline shape of ``kaohe.discipline.queries.dossier_section``
(``opinion``, ``findings``, ``blockers``, ``opinion_validity_months``) and, for
``unit_results``, ``principal_posts`` (passed in the request).
"""
from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
from decimal import Decimal
import json
from typing import Callable

from sqlalchemy import select

from kaohe.assessments.models import GRADES, VOTE_FIELDS, AssessmentResult
from kaohe.assessments.window import CONCLUDES_KEY, YEARS_KEY, AssessmentWindow, assessment_window
from kaohe.assessments.wording import not_yet_working
from kaohe.core.errors import ValidationFailed
from kaohe.core.perkey import PerKey
from kaohe.core.periods import age_on
from kaohe.dossier.flags import compute_flags, section_flags
from kaohe.dossier.fmt import unit_post
from kaohe.extensions import db
from kaohe.officials.models import Official, Post
from kaohe.officials.politics import party_text
from kaohe.orgnotes.models import NOTE_KINDS, NOTE_RESULTS, OrgNote
from kaohe.reviews.models import CONCLUSIONS, REVIEW_KINDS, Review
from kaohe.settings import services as settings
from kaohe.settings.registry import by_key
from kaohe.units.models import Unit

SCHEMA = 2  # 2: window of concluded years, ``pending``, ``context.four_musts``
SETTING_KEYS = ("dossier.confidentiality", YEARS_KEY, CONCLUDES_KEY)
CONTEXT_KEYS = ("discussion_title", "discussion_date", "proposed_action", "proposed_post",
                "proposed_removal", "agenda_item_id")
MUST_KEYS = ("kind", "label", "done", "result", "who", "when", "note", "adverse",
             "recorded_by")


@dataclass(frozen=True)
class SectionRequest:
    """What a section provider is asked for."""

    official_id: int
    as_of: dt.date
    window_start: dt.date
    years: tuple[int, ...]
    principal_posts: tuple[dict, ...]  # posts as 主要负责人 overlapping the window


def unit_results_section(req: SectionRequest) -> dict:
    """Default until the unit-assessment feature plugs in: no unit results exist."""
    return {"available": False, "statement": "尚无单位目标责任考核结果。",
            "principal_posts": list(req.principal_posts)}


def discipline_section(req: SectionRequest) -> dict:
    """Default until the discipline feature plugs in: no opinion recorded (a flag)."""
    return {"available": False, "flags": [{
        "level": "warn", "code": "no_integrity_opinion", "text": "纪检监察机关意见：未回复",
        "detail": "尚无党风廉政意见回复记录（凡提四必：纪检监察机关意见必听）。"}]}


SECTION_PROVIDERS: dict[str, Callable[[SectionRequest], dict]] = {
    "unit_results": unit_results_section,
    "discipline": discipline_section,
}


def register_section(key: str, provider: Callable[[SectionRequest], dict]) -> None:
    """Replace the provider of section ``key`` ("unit_results" or "discipline")."""
    if key not in SECTION_PROVIDERS:
        raise KeyError(f"unknown dossier section {key!r}")
    SECTION_PROVIDERS[key] = provider


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def to_json(data: dict) -> dict:
    """``data`` as it comes back from a JSON column (dates → strings, tuples → lists)."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=_plain))


def _num(value) -> float | None:
    return None if value is None else float(value)


def _head(o: Official, unit_name: str | None, posts: list[dict], as_of: dt.date) -> dict:
    b = o.birth_date
    age = age_on(b, as_of)
    return {
        "id": o.id, "name": o.name, "gender": o.gender_label, "birth_date": b, "age": age,
        "ethnicity": o.ethnicity, "native_place": o.native_place, "party_date": o.party_date,
        "political_status": o.political_status, "party_text": party_text(o, "print"),
        "work_start_date": o.work_start_date, "edu_fulltime": o.edu_fulltime,
        "degree_fulltime": o.degree_fulltime, "school_fulltime": o.school_fulltime,
        "edu_inservice": o.edu_inservice, "degree_inservice": o.degree_inservice,
        "school_inservice": o.school_inservice, "rank": o.rank,
        "unit_name": unit_name or "",
        "current_post": post_at(o.current_post, posts, as_of),
        "id_number_masked": o.id_number_masked,
    }


def post_at(current: str, posts: list[dict], as_of: dt.date) -> str:
    """The current post, or the posts held on ``as_of`` when posts changed since."""
    changed = any(p["start_date"] > as_of or (p["end_date"] and p["end_date"] >= as_of)
                  for p in posts)
    held = [p for p in posts if p["start_date"] <= as_of
            and (p["end_date"] is None or p["end_date"] >= as_of)]
    if not changed or not held:
        return current
    return "、".join(unit_post(p["unit_name"], p["title"]) for p in held)


# Dossiers and forms are made for many officials at a time (an agenda bundle reads them
# in one statement: kaohe.core.perkey).
_POSTS = PerKey(lambda: (
    select(Post.official_id, Post.start_date, Post.end_date, Post.title, Post.rank,
           Post.is_principal, Post.note, Unit.name.label("unit_name"))
    .outerjoin(Unit, Unit.id == Post.unit_id).where(Post.deleted_at.is_(None))
    .order_by(Post.start_date, Post.id)), lambda: Post.official_id, entities=False)
_POST_FIELDS = ("start_date", "end_date", "title", "rank", "is_principal", "note")


def posts_of(official_id: int) -> list[dict]:
    """The official's posts (not deleted) as plain dicts, oldest first, with the unit's name."""
    return [{**{k: getattr(r, k) for k in _POST_FIELDS}, "unit_name": r.unit_name or ""}
            for r in _POSTS(official_id)]


def _shown_post(p: dict, as_of: dt.date) -> dict:
    """A post as the dossier shows it: a post ended after ``as_of`` was still held."""
    end = p["end_date"] if p["end_date"] and p["end_date"] <= as_of else None
    return {"unit_name": p["unit_name"], "title": p["title"], "rank": p["rank"],
            "start_date": p["start_date"], "end_date": end,
            "is_principal": p["is_principal"], "note": p["note"]}


def _rates(r) -> dict | None:
    if not r.votes_total:
        return None
    return {f[6:]: round((getattr(r, f) or 0) / r.votes_total, 4) for f in VOTE_FIELDS}


def _result(r) -> dict:
    return {"year": r.year, "grade": r.grade, "grade_label": GRADES.get(r.grade, r.grade),
            "score": _num(r.score), "unit_rank": r.unit_rank, "unit_size": r.unit_size,
            "votes_total": r.votes_total, "vote_rates": _rates(r),
            "public_rating": _num(r.public_rating), "comment": r.comment or ""}


def _no_result(year: int, work_start: dt.date | None) -> dict:
    absent = not_yet_working(year, work_start)
    return {"year": year, "missing": True, **({"absent": absent} if absent else {})}


def _results(official_id: int, win: AssessmentWindow, work_start: dt.date | None = None
             ) -> tuple[list[dict], list[dict], list[dict]]:
    """Annual results of the window, the pending years (待考核) and periodic results. A
    year without a result is missing (未录入), unless the official started work after it:
    then it says so (``absent``: 「未参加考核（YYYY.MM参加工作）」) and asks for nothing."""
    A = AssessmentResult
    years = list(win.years)
    rows = db.session.execute(
        select(A.year, A.kind, A.quarter, A.task_name, A.grade, A.score, A.unit_rank,
               A.unit_size, A.votes_total, *[getattr(A, f) for f in VOTE_FIELDS],
               A.public_rating, A.comment)
        .where(A.official_id == official_id, A.year.in_(years + list(win.open_years)),
               A.deleted_at.is_(None))
        .order_by(A.year, A.quarter, A.id))
    annual, quarterly, special = {}, {}, {}
    for r in rows:
        if r.year not in win.years and r.kind != "annual":
            continue
        if r.kind == "annual":
            annual[r.year] = r
        elif r.kind == "quarterly" and r.quarter:
            quarterly[(r.year, r.quarter)] = r
        elif r.kind == "special":
            special.setdefault(r.year, []).append(r)
    annual_out = [_result(annual[y]) if y in annual else _no_result(y, work_start)
                  for y in years]
    pending = [{"year": y, "concludes": win.concludes(y),
                "result": _result(annual[y]) if y in annual else None}
               for y in win.open_years if y in win.pending or y in annual]
    periodic = []
    for y in years:
        quarters = []
        for q in (1, 2, 3, 4):
            r = quarterly.get((y, q))
            quarters.append({"quarter": q, "missing": True,
                             **({"absent": True} if not_yet_working(y, work_start) else {})}
                            if r is None else
                            {"quarter": q, "grade": r.grade,
                             "grade_label": GRADES.get(r.grade, r.grade), "score": _num(r.score)})
        periodic.append({"year": y, "quarters": quarters, "special": [
            {"task_name": r.task_name, "grade": r.grade,
             "grade_label": GRADES.get(r.grade, r.grade), "score": _num(r.score),
             "comment": r.comment or ""} for r in special.get(y, [])]})
    return annual_out, pending, periodic


def _reviews(official_id: int, start: dt.date, end: dt.date) -> list[dict]:
    R = Review
    rows = db.session.execute(
        select(R.date, R.kind, R.author, R.conclusion, R.strengths, R.weaknesses, R.summary)
        .where(R.official_id == official_id, R.date >= start, R.date <= end,
               R.deleted_at.is_(None)).order_by(R.date, R.id))
    return [{"date": r.date, "kind_label": REVIEW_KINDS.get(r.kind, r.kind), "author": r.author,
             "conclusion": r.conclusion,
             "conclusion_label": CONCLUSIONS.get(r.conclusion, r.conclusion),
             "strengths": r.strengths, "weaknesses": r.weaknesses, "summary": r.summary}
            for r in rows]


def _notes(official_id: int, start: dt.date, end: dt.date) -> list[dict]:
    N = OrgNote
    rows = db.session.execute(
        select(N.date, N.kind, N.result, N.content, N.outcome)
        .where(N.official_id == official_id, N.date >= start, N.date <= end,
               N.deleted_at.is_(None)).order_by(N.date, N.id))
    return [{"date": n.date, "kind": n.kind, "kind_label": NOTE_KINDS.get(n.kind, n.kind),
             "result": n.result, "result_label": NOTE_RESULTS.get(n.result, n.result),
             "content": n.content, "outcome": n.outcome} for n in rows]


def _settings_used() -> list[dict]:
    values, defs = settings.all_values(), by_key()
    return [{"key": k, "label": defs[k].label, "value": values[k], "unit": defs[k].unit}
            for k in SETTING_KEYS]


def _context(context: dict | None) -> dict | None:
    if not context:
        return None
    out = {k: context.get(k) for k in CONTEXT_KEYS}
    for k, v in out.items():
        if isinstance(v, str):
            out[k] = v.strip()
    if context.get("four_musts") is not None:
        out["four_musts"] = [{k: m.get(k) for k in MUST_KEYS} for m in context["four_musts"]]
    if context.get("four_moves") is not None:  # 凡动必核谈考训 (kaohe.moves.services.state)
        out["four_moves"] = context["four_moves"]
    return out


def _section(key: str, req: SectionRequest) -> dict:
    data = to_json(SECTION_PROVIDERS[key](req) or {})
    data.setdefault("available", False)
    return data


def build_snapshot(official_id: int, as_of: dt.date, context: dict | None = None) -> dict:
    """Plain-JSON snapshot of everything the dossier of ``official_id`` shows on ``as_of``."""
    found = db.session.execute(
        select(Official, Unit.name).outerjoin(Unit, Unit.id == Official.unit_id)
        .where(Official.id == official_id)).first()
    if found is None:
        raise ValidationFailed(f"干部不存在（编号 {official_id}）。", "official_id")
    official, unit_name = found
    used = _settings_used()
    win = assessment_window(as_of)
    years, start = list(win.years), win.start
    all_posts = posts_of(official_id)
    posts = [_shown_post(p, as_of) for p in all_posts if p["start_date"] <= as_of]
    principal = tuple(p for p in posts if p["is_principal"]
                      and (p["end_date"] is None or p["end_date"] >= start))
    annual, pending, periodic = _results(official_id, win, official.work_start_date)
    req = SectionRequest(official_id, as_of, start, tuple(years), principal)
    snap = {
        "schema": SCHEMA,
        "as_of": as_of,
        "window": {"years": years, "start": start, "end": as_of,
                   "concludes_on": win.concludes_on},
        "settings": used,
        "context": _context(context),
        "official": _head(official, unit_name, all_posts, as_of),
        "posts": posts,
        "annual": annual,
        "pending": pending,
        "periodic": periodic,
        "unit_results": _section("unit_results", req),
        "reviews": _reviews(official_id, start, as_of),
        "org_notes": _notes(official_id, start, as_of),
        "discipline": _section("discipline", req),
    }
    snap = to_json(snap)
    snap["flags"] = compute_flags(snap) + section_flags(snap["unit_results"]) \
        + section_flags(snap["discipline"])
    return snap
