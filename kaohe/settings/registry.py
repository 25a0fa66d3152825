"""Every rule figure that DOMAIN.md marks as a setting, with its default.

Features read figures only through :func:`kaohe.settings.services.get`; the admin
edits them on /admin/settings. ``kind`` is "int", "float", "choice", "text" or
"month_day" (a day of the year as "MM-DD", read with :func:`month_day`).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    default: object
    kind: str = "int"
    choices: tuple[str, ...] = ()
    unit: str = ""
    help: str = ""
    min: float | None = 0
    max: float | None = None
    extra: dict = field(default_factory=dict)


DEFINITIONS: list[SettingDef] = [
    SettingDef("dossier.confidentiality", "考评材料密级标识", "内部", kind="choice",
               choices=("内部", "机密")),
    SettingDef("dossier.window_years", "考评材料年度范围", 3, unit="年", min=1, max=10,
               help="近 N 年考核：截止日期时最近 N 个已结束的年度考核年度"),
    SettingDef("assessment.year_concludes_on", "年度考核结束日（次年）", "03-31",
               kind="month_day",
               help="格式“月-日”，如 03-31：某年度的年度考核于次年该日结束（当日即算结束），"
                    "此前该年度为“待考核”；02-29 在平年按 2 月 28 日"),
    SettingDef("assessment.excellent_quota_pct", "年度考核优秀比例上限", 20, unit="%", max=100,
               help="单位年度优秀人数不超过参加考核人数×比例（向下取整）；录入和导入优秀时检查"),
    SettingDef("assessment.excellent_quota_pct_approved", "经批准的优秀比例上限", 25, unit="%",
               max=100, help="在单位页面登记批准单位和文号后，该单位该年度可提高至此比例"),
]


_MONTH_DAY = re.compile(r"^\s*(\d{1,2})\s*[-－/.月]\s*(\d{1,2})\s*日?\s*$")


def month_day(raw) -> tuple[int, int]:
    """Month and day of a "month_day" value ("03-31"; "3-31", "3月31日" also read).

    Raises ValueError with a Chinese message. 02-29 is a valid day (callers put it on
    28 February in a common year).
    """
    m = _MONTH_DAY.match(str(raw or ""))
    if m is None:
        raise ValueError("请按“月-日”填写，如 03-31。")
    month, day = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"月份应在 1 到 12 之间（填写的是 {month}）。")
    last = calendar.monthrange(2000, month)[1]  # a leap year: 02-29 is a day of the year
    if not 1 <= day <= last:
        raise ValueError(f"{month} 月只有 {last} 天（填写的是 {day} 日）。")
    return month, day


_BY_KEY: dict[str, SettingDef] = {}


def by_key() -> dict[str, SettingDef]:
    """Every setting by key (read on every :func:`kaohe.settings.services.get`: kept,
    built again when a feature registers more)."""
    if len(_BY_KEY) != len(DEFINITIONS):
        _BY_KEY.clear()
        _BY_KEY.update((d.key, d) for d in DEFINITIONS)
    return _BY_KEY


def register(*defs: SettingDef) -> None:
    """Let a feature add its own settings (called at import time)."""
    known = by_key()
    for d in defs:
        if d.key not in known:
            DEFINITIONS.append(d)
            known[d.key] = d
