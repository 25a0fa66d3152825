"""Every rule figure that DOMAIN.md marks as a setting, with its default.

Features read figures only through :func:`kaohe.settings.services.get`; the admin
edits them on /admin/settings. ``kind`` is "int", "float", "choice" or "text".
"""
from __future__ import annotations

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
               help="as-of 日期之前的完整年度数"),
    SettingDef("assessment.excellent_quota_pct", "年度考核优秀比例上限", 20, unit="%", max=100),
    SettingDef("assessment.excellent_quota_pct_approved", "经批准的优秀比例上限", 25, unit="%",
               max=100),
]


def by_key() -> dict[str, SettingDef]:
    return {d.key: d for d in DEFINITIONS}


def register(*defs: SettingDef) -> None:
    """Let a feature add its own settings (called at import time)."""
    known = by_key()
    for d in defs:
        if d.key not in known:
            DEFINITIONS.append(d)
