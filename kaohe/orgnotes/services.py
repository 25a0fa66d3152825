"""Organization notes (组织掌握情况)."""
from __future__ import annotations

from kaohe.core import records
from kaohe.officials.models import Official
from kaohe.orgnotes.models import NOTE_KINDS, NOTE_RESULTS, OrgNote


def save_note(official: Official, note: OrgNote | None, data: dict) -> OrgNote:
    errors: dict[str, str] = {}
    records.not_in_future(errors, "date", data.get("date"))
    records.require_choice(errors, "kind", data.get("kind"), NOTE_KINDS)
    records.require_choice(errors, "result", data.get("result"), NOTE_RESULTS)
    if not (data.get("content") or "").strip():
        errors["content"] = "请填写具体内容。"
    records.raise_if(errors)
    return records.save(OrgNote, note, data, official_id=official.id)
