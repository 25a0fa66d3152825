"""Plain-JSON views of officials and their records (API and dossier snapshots)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kaohe.assessments.models import VOTE_FIELDS, AssessmentResult
from kaohe.officials.models import Official, Post
from kaohe.officials.politics import party_text
from kaohe.officials.services import Profile
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review


def _v(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _pick(obj, fields) -> dict:
    return {f: _v(getattr(obj, f)) for f in fields}


def official_summary(o: Official, full_id: bool) -> dict:
    return {
        **_pick(o, ("id", "version", "name", "gender", "birth_date", "rank", "current_post",
                    "unit_id")),
        "gender_label": o.gender_label,
        "unit_name": o.unit.name if o.unit else None,
        "id_number": o.id_number if full_id else o.id_number_masked,
    }


def post_dict(p: Post) -> dict:
    return {**_pick(p, ("id", "unit_id", "title", "rank", "start_date", "end_date",
                        "is_principal", "note")),
            "unit_name": p.unit.name if p.unit else None}


def result_dict(r: AssessmentResult) -> dict:
    return {
        **_pick(r, ("id", "year", "kind", "quarter", "task_name", "grade", "score", "unit_rank",
                    "unit_size", "votes_total", *VOTE_FIELDS, "public_rating", "comment")),
        "kind_label": r.kind_label, "grade_label": r.grade_label, "vote_rates": r.vote_rates,
        "recorded_by": r.recorded_by.name if r.recorded_by else None,
    }


def review_dict(r: Review) -> dict:
    return {**_pick(r, ("id", "date", "kind", "author", "conclusion", "strengths", "weaknesses",
                        "summary")),
            "kind_label": r.kind_label, "conclusion_label": r.conclusion_label}


def note_dict(n: OrgNote) -> dict:
    return {**_pick(n, ("id", "date", "kind", "result", "content", "outcome")),
            "kind_label": n.kind_label, "result_label": n.result_label,
            "recorded_by": n.recorded_by.name if n.recorded_by else None}


def profile_dict(p: Profile, full_id: bool) -> dict:
    """The official with every linked record; years newest first."""
    o = p.official
    head = _pick(o, ("ethnicity", "native_place", "political_status", "party_date",
                     "democratic_party", "democratic_party_date", "work_start_date",
                     "edu_fulltime", "degree_fulltime", "school_fulltime", "edu_inservice",
                     "degree_inservice", "school_inservice"))
    return {
        **official_summary(o, full_id), **head,
        "party_text": party_text(o, "print"),  # 入党时间 as the 任免审批表 prints it
        "has_photo": o.photo_mime is not None,
        "posts": [post_dict(x) for x in p.posts],
        "years": [
            {"year": year,
             "assessment_results": [result_dict(r) for r in items["results"]],
             "reviews": [review_dict(r) for r in items["reviews"]],
             "org_notes": [note_dict(n) for n in items["notes"]]}
            for year, items in p.years
        ],
    }
