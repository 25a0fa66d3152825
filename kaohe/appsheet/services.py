"""The appointment-form facts of an official that the official's record has no column for."""
from __future__ import annotations

from kaohe.core import records
from kaohe.interop.lrmx import SHEET_FIELDS
from kaohe.interop.lrmx_spec import BY_NAME
from kaohe.interop.models import AppointmentSheet
from kaohe.officials.models import Official

# The fields entered on the page (the 简历 comes from the posts, the 年度考核结果 from the
# recorded results, 计算年龄时间 and 填表时间 are chosen when printing or exporting).
FIELDS = ("birth_place", "health", "tech_title", "specialty", "degree_school_fulltime",
          "degree_school_inservice", "proposed_post", "proposed_removal", "rewards", "reason",
          "reporting_unit", "filled_by")
# Field → the specification's maximum length of its element.
MAX = {key: BY_NAME[SHEET_FIELDS[key]].max for key in FIELDS}


def save_sheet(official: Official, sheet: AppointmentSheet | None,
               data: dict) -> AppointmentSheet:
    """Create or update the official's sheet from plain texts; lengths as the spec's."""
    values = {key: (data.get(key) or "").strip() for key in FIELDS}
    records.raise_if({key: f"不能超过 {MAX[key]} 个字（现有 {len(text)} 个）。"
                      for key, text in values.items() if len(text) > MAX[key]})
    return records.save(AppointmentSheet, sheet, values, official_id=official.id)
