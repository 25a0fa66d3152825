"""家庭主要成员及重要社会关系 entered on the official (an LRMX import writes them too).

Each member is linked to the official of the system they are, if any
(:func:`~kaohe.appsheet.relatives.relative_official_id`), as the import does.
"""
from __future__ import annotations

from kaohe.appform.data import DECEASED, DECEASED_WORDS, family_of
from kaohe.appsheet.relatives import relative_official_id
from kaohe.core import clock, records
from kaohe.interop.lrmx_parse import parse_date
from kaohe.interop.lrmx_spec import MEMBER
from kaohe.interop.models import FamilyMember
from kaohe.officials.models import Official

# Text field → the specification's maximum length of its element (出生日期 is a date).
MAX = {key: e.max for key, e in zip(("relation", "name", "birth", "political_status", "work"),
                                    MEMBER) if e.kind == "C"}
BIRTH_HINT = "出生日期应为年月（如 1975.03 或 197503）或年月日（如 1975.03.08）。"


def birth_text(member: FamilyMember) -> str:
    """「1975.03」 or 「1975.03.08」: the birth date at the precision it was given."""
    day = member.birth_date
    if day is None:
        return ""
    return f"{day:%Y.%m.%d}" if member.birth_day_known else f"{day:%Y.%m}"


def bare_name(name: str) -> str:
    """The name without the （已去世） marker the form adds to it."""
    return name.replace(DECEASED, "").strip()


def save_member(official: Official, member: FamilyMember | None, data: dict) -> FamilyMember:
    """Create or update a family member from the form's plain values.

    ``birth`` is text at month or day precision; ``deceased`` writes （已去世） after the
    name (as the specification has it) and allows no birth date.
    """
    errors: dict[str, str] = {}
    relation = (data.get("relation") or "").strip()
    name = bare_name(data.get("name") or "")
    deceased = bool(data.get("deceased")) or any(w in relation for w in DECEASED_WORDS)
    if not relation:
        errors["relation"] = "请填写称谓。"
    if not name:
        errors["name"] = "请填写姓名。"
    if deceased and not any(w in relation + name for w in DECEASED_WORDS):
        name += DECEASED
    try:
        birth, day_known = parse_date(data.get("birth") or "")
    except ValueError:
        errors["birth"] = BIRTH_HINT
        birth, day_known = None, False
    if deceased and birth is not None:
        errors["birth"] = "已去世的成员不填出生日期（只在称谓或姓名后注明已去世）。"
    elif birth is not None and birth > clock.today():
        errors["birth"] = "出生日期不能晚于今天。"
    values = {"relation": relation, "name": name,
              "political_status": (data.get("political_status") or "").strip(),
              "work": (data.get("work") or "").strip()}
    for key, limit in MAX.items():
        if len(values[key]) > limit and key not in errors:
            marked = f"含{DECEASED}，" if key == "name" and DECEASED in name else ""
            errors[key] = f"不能超过 {limit} 个字（{marked}现有 {len(values[key])} 个）。"
    order = data.get("sort_order")
    if order is not None and not 0 <= order <= 999:
        errors["sort_order"] = "排序应在 0 到 999 之间。"
    records.raise_if(errors)
    values.update(birth_date=birth, birth_day_known=day_known,
                  sort_order=_next_order(official) if order is None else order,
                  relative_official_id=relative_official_id(official.id, name, birth,
                                                            day_known))
    return records.save(FamilyMember, member, values, official_id=official.id)


def _next_order(official: Official) -> int:
    orders = [m.sort_order for m in family_of(official.id)]
    return max(orders, default=0) + 1
