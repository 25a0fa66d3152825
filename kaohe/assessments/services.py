"""Assessment results of officials: the rules a result must satisfy."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.core import clock
from kaohe.assessments import quota
from kaohe.assessments.models import GRADES, KINDS, VOTE_FIELDS, AssessmentResult
from kaohe.core import records
from kaohe.extensions import db
from kaohe.officials.models import Official

FIRST_YEAR = 1980


def _duplicate(official_id: int, data: dict, exclude_id: int | None) -> str | None:
    kind = data.get("kind")
    if kind not in ("annual", "quarterly"):
        return None
    stmt = select(AssessmentResult.id).where(
        AssessmentResult.official_id == official_id, AssessmentResult.kind == kind,
        AssessmentResult.year == data.get("year"))
    if kind == "quarterly":
        stmt = stmt.where(AssessmentResult.quarter == data.get("quarter"))
    if exclude_id:
        stmt = stmt.where(AssessmentResult.id != exclude_id)
    if db.session.scalar(stmt) is None:
        return None
    if kind == "annual":
        return f"该干部 {data.get('year')} 年度已有年度考核结果，每年只能有一条。"
    return f"该干部 {data.get('year')} 年第 {data.get('quarter')} 季度已有考核结果。"


def validate(official_id: int, data: dict, exclude_id: int | None = None,
             today: dt.date | None = None, duplicate=_duplicate) -> dict[str, str]:
    """Return field → message for every rule ``data`` breaks (empty when valid).

    ``duplicate(official_id, data, exclude_id)`` names an existing result with the
    same key; bulk imports pass a lookup of the results they preloaded.
    """
    today = today or clock.today()
    errors: dict[str, str] = {}
    year, kind = data.get("year"), data.get("kind")
    if year is None or not FIRST_YEAR <= year <= today.year:
        errors["year"] = f"年度应在 {FIRST_YEAR} 至 {today.year} 之间。"
    records.require_choice(errors, "kind", kind, KINDS)
    records.require_choice(errors, "grade", data.get("grade"), GRADES)
    if kind == "quarterly" and data.get("quarter") not in (1, 2, 3, 4):
        errors["quarter"] = "季度考核须选择季度（1–4）。"
    if kind == "special" and not (data.get("task_name") or "").strip():
        errors["task_name"] = "专项考核须填写任务名称。"
    for field in ("score", "public_rating"):
        value = data.get(field)
        if value is not None and not 0 <= value <= 100:
            errors[field] = "分数应在 0 到 100 之间。"
    rank, size = data.get("unit_rank"), data.get("unit_size")
    if (rank is None) != (size is None):
        errors["unit_rank"] = "单位内排名与参评人数须同时填写。"
    elif rank is not None and not 1 <= rank <= size:
        errors["unit_rank"] = "单位内排名应在 1 与参评人数之间。"
    votes = [data.get(f) for f in VOTE_FIELDS]
    total = data.get("votes_total")
    if total is not None or any(v is not None for v in votes):
        if total is None or total <= 0:
            errors["votes_total"] = "填写民主测评票数时须填写有效票总数。"
        elif any(v is not None and v < 0 for v in votes):
            errors["votes_total"] = "票数不能为负数。"
        elif sum(v or 0 for v in votes) != total:
            errors["votes_total"] = (f"各等次票数之和（{sum(v or 0 for v in votes)}）"
                                     f"与有效票总数（{total}）不一致。")
    if not errors:
        dup = duplicate(official_id, data, exclude_id)
        if dup:
            errors["year" if kind == "annual" else "quarter"] = dup
    return errors


def save_result(official: Official, result: AssessmentResult | None, data: dict, *,
                check_quota: bool = True) -> AssessmentResult:
    """Create or update a result after checking every rule; flush only.

    ``check_quota=False`` is for a caller that checks the 优秀 quota itself over
    many results at once (the Excel import checks the file's final state).
    """
    data = dict(data)
    if data.get("kind") != "quarterly":
        data["quarter"] = None
    if data.get("kind") != "special":
        data["task_name"] = ""
    records.raise_if(validate(official.id, data, result.id if result else None))
    if check_quota:
        records.raise_if(quota.check_entry(official.id, result, data))
    return records.save(AssessmentResult, result, data, official_id=official.id)
