"""Build valid records through the real services (the same ones views call)."""
from __future__ import annotations

import datetime as dt
import itertools

from kaohe.assessments.services import save_result
from kaohe.extensions import db
from kaohe.officials import idcard
from kaohe.officials.services import save_official, save_post
from kaohe.orgnotes.services import save_note
from kaohe.reviews.services import save_review
from kaohe.units.services import save_unit

_seq = itertools.count(1)


def id_number(birth: dt.date, serial: int | None = None) -> str:
    serial = next(_seq) if serial is None else serial
    first17 = f"330102{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + idcard.check_digit(first17)


def unit(code=None, name="测试区", kind="county", parent=None, **kw):
    n = next(_seq)
    return save_unit(None, {"code": code or f"U{n:04d}", "name": name, "kind": kind,
                            "parent_id": parent.id if parent else None,
                            "leader_in_charge": kw.pop("leader_in_charge", "张副市长"), **kw})


def official(name="王建国", birth=dt.date(1975, 3, 8), unit_obj=None, **kw):
    data = {"name": name, "gender": "M", "birth_date": birth, "ethnicity": "汉族",
            "native_place": "浙江杭州", "id_number": id_number(birth), "rank": "正处级",
            "current_post": "区委副书记", "unit_id": unit_obj.id if unit_obj else None,
            "party_date": dt.date(1998, 7, 1), "work_start_date": dt.date(1996, 8, 1)}
    data.update(kw)
    return save_official(None, data)


def result(official_obj, year, grade="competent", kind="annual", check_quota=False, **kw):
    """An assessment result. Fixtures stand for results already on record, so the 优秀
    quota (checked when a result is entered) applies only with ``check_quota=True``
    (tests/test_excellent_quota.py enters results through every checked path)."""
    data = {"year": year, "kind": kind, "grade": grade, "quarter": None, "task_name": "",
            "score": None, "unit_rank": None, "unit_size": None, "votes_total": None,
            "votes_excellent": None, "votes_competent": None,
            "votes_basically_competent": None, "votes_incompetent": None,
            "public_rating": None, "comment": ""}
    data.update(kw)
    return save_result(official_obj, None, data, check_quota=check_quota)


def review(official_obj, date=dt.date(2019, 6, 1), conclusion="good", **kw):
    data = {"date": date, "kind": "daily", "author": "李干部", "conclusion": conclusion,
            "strengths": "政治站位高", "weaknesses": "创新不足", "summary": "综合表现好"}
    data.update(kw)
    return save_review(official_obj, None, data)


def note(official_obj, date=dt.date(2019, 3, 1), kind="file_audit", **kw):
    data = {"date": date, "kind": kind, "result": "consistent", "content": "档案审核无问题",
            "outcome": ""}
    data.update(kw)
    return save_note(official_obj, None, data)


def post(official_obj, unit_obj, start=dt.date(2016, 1, 1), end=None, principal=False, **kw):
    data = {"unit_id": unit_obj.id, "title": kw.pop("title", "区长"), "rank": "正处级",
            "start_date": start, "end_date": end, "is_principal": principal, "note": ""}
    data.update(kw)
    return save_post(official_obj, None, data)


def commit():
    db.session.commit()
