"""Review records (研判)."""
from __future__ import annotations

from kaohe.core import records
from kaohe.officials.models import Official
from kaohe.reviews.models import CONCLUSIONS, REVIEW_KINDS, Review


def save_review(official: Official, review: Review | None, data: dict) -> Review:
    errors: dict[str, str] = {}
    records.not_in_future(errors, "date", data.get("date"))
    records.require_choice(errors, "kind", data.get("kind"), REVIEW_KINDS)
    records.require_choice(errors, "conclusion", data.get("conclusion"), CONCLUSIONS)
    if not (data.get("author") or "").strip():
        errors["author"] = "请填写研判人。"
    records.raise_if(errors)
    return records.save(Review, review, data, official_id=official.id)
