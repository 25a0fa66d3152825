"""Vocabulary of discipline findings and the rule figures they use (as settings).

Kinds, sources, statuses and opinion outcomes are fixed vocabularies (codes are
stored, Chinese labels shown). Every figure — impact periods, the 48-month cap,
opinion validity, party-conduct deduction points — is registered here once as
an admin-editable setting and read only through :mod:`kaohe.settings.services`.
Periods in months are counted by 民法典 201–202 (:mod:`kaohe.core.periods`).
"""
from __future__ import annotations

from kaohe.settings import registry
from kaohe.settings.registry import SettingDef

SOURCES = {
    "self_found": "自查发现",
    "higher_level": "上级交办",
    "inspection": "巡视巡察",
    "media": "媒体曝光",
    "petition": "信访举报",
    "audit": "审计",
}
# Sources that cost the unit party-conduct points (DOMAIN rule 5): found by a higher
# level or the media, not by the unit itself.
DEDUCTING_SOURCES = ("higher_level", "inspection", "media")

# kind code → (category, label). "pending" = not (yet) decided / no handling.
CATEGORIES = {
    "none": "尚未定性",
    "talk": "谈话函询类",
    "admonishment": "诫勉",
    "organizational": "组织处理",
    "party": "党纪处分",
    "administrative": "政务处分",
}
KINDS: dict[str, tuple[str, str]] = {
    "pending": ("none", "尚未定性/未作处理"),
    "talk_inquiry": ("talk", "谈话函询"),
    "reminder_talk": ("talk", "提醒谈话"),
    "criticism": ("talk", "批评教育"),
    "admonishment": ("admonishment", "诫勉"),
    "org_suspension": ("organizational", "停职检查"),
    "org_reassignment": ("organizational", "调整职务"),
    "org_resign": ("organizational", "责令辞职"),
    "org_removal": ("organizational", "免职"),
    "org_demotion": ("organizational", "降职"),
    "party_warning": ("party", "警告"),
    "party_serious_warning": ("party", "严重警告"),
    "party_removal": ("party", "撤销党内职务"),
    "party_probation": ("party", "留党察看"),
    "party_expulsion": ("party", "开除党籍"),
    "admin_warning": ("administrative", "警告"),
    "admin_demerit": ("administrative", "记过"),
    "admin_major_demerit": ("administrative", "记大过"),
    "admin_demotion": ("administrative", "降级"),
    "admin_dismissal": ("administrative", "撤职"),
    "admin_expulsion": ("administrative", "开除"),
}
# Kinds that never end: promotion is excluded for good.
PERMANENT_KINDS = ("party_expulsion", "admin_expulsion")
# Kinds whose impact period is a setting; every other kind has none.
TIMED_KINDS = (
    "admonishment", "org_suspension", "org_reassignment", "org_resign", "org_removal",
    "org_demotion", "party_warning", "party_serious_warning", "party_removal",
    "party_probation", "admin_warning", "admin_demerit", "admin_major_demerit",
    "admin_demotion", "admin_dismissal",
)
# Kinds allowed on a cleared (了结澄清) finding: no sanction, no impact.
CLEARED_KINDS = ("pending", "talk_inquiry", "reminder_talk", "criticism")

STATUSES = {
    "clue": "线索处置中",
    "investigation": "立案审查",
    "closed": "已结案",
    "cleared": "了结澄清",
}
OPEN_STATUSES = ("clue", "investigation")

OUTCOMES = {
    1: "未收到问题线索",
    2: "线索已了结，不持异议",
    3: "已谈话提醒/处分已过影响期，不持异议",
    4: "尚在处置，暂缓提出意见",
    5: "建议暂缓使用",
    6: "建议不宜使用",
}
BLOCKING_OUTCOMES = (4, 5, 6)


def kind_label(kind: str) -> str:
    """Label with its category where the bare word is ambiguous (党纪/政务 警告)."""
    category, label = KINDS.get(kind, ("none", kind))
    if category in ("party", "administrative", "organizational"):
        return f"{CATEGORIES[category]}·{label}"
    return label


# --- settings -------------------------------------------------------------------

IMPACT_KEY = "discipline.impact.{}"
ADMIN_CAP_KEY = "discipline.impact.admin_combined_cap"
OPINION_VALIDITY_KEY = "discipline.opinion_validity_months"
DEDUCT_KEY = "discipline.deduct.{}"

_IMPACT_DEFAULTS = [
    # kind, default months, help
    ("admonishment", 6, "诫勉期间不得提拔（设置，未核对原文）"),
    ("party_warning", 12, "党纪警告：一年内不得提拔（设置）"),
    ("party_serious_warning", 18, "党纪严重警告：一年半内不得提拔（设置）"),
    ("party_removal", 24, "撤销党内职务：二年内不得提拔（设置）"),
    ("party_probation", 36, "留党察看：按一年察看期加恢复权利后二年计（设置，未核对原文）"),
    ("org_suspension", 0, "停职检查：不单独设影响期（设置，未核对原文）"),
    ("org_reassignment", 12, "调整职务：一年内不得提拔（设置，未核对原文）"),
    ("org_resign", 24, "责令辞职：二年内不得担任高于原职务层次的职务（设置，未核对原文）"),
    ("org_removal", 24, "免职：二年内不得担任高于原职务层次的职务（设置，未核对原文）"),
    ("org_demotion", 24, "降职：二年内不得提拔（设置，未核对原文）"),
    ("admin_warning", 6, "法定：政务处分法第八条，一般不应修改"),
    ("admin_demerit", 12, "法定：政务处分法第八条，一般不应修改"),
    ("admin_major_demerit", 18, "法定：政务处分法第八条，一般不应修改"),
    ("admin_demotion", 24, "法定：政务处分法第八条，一般不应修改"),
    ("admin_dismissal", 24, "法定：政务处分法第八条，一般不应修改"),
]
_DEDUCT_DEFAULTS = [
    ("talk", 0.5), ("admonishment", 1.0), ("organizational", 2.0), ("party", 3.0),
    ("administrative", 3.0),
]

registry.register(
    *[SettingDef(IMPACT_KEY.format(kind), f"影响期：{kind_label(kind)}", months, unit="月",
                 max=120, help=text)
      for kind, months, text in _IMPACT_DEFAULTS],
    SettingDef(ADMIN_CAP_KEY, "政务处分期合并计算上限", 48, unit="月", min=1, max=120,
               help="法定：处分期内再受处分或合并确定处分期时最长四十八个月"),
    SettingDef(OPINION_VALIDITY_KEY, "党风廉政意见回复有效期", 3, unit="月", min=1, max=24,
               help="自回复日期次日起算，至最后一个月的对应日（无对应日的为该月末日）止，"
                    "含该日（民法典第二百零一、二百零二条；月数为设置）"),
    *[SettingDef(DEDUCT_KEY.format(category), f"党风廉政建设指标扣分：{CATEGORIES[category]}",
                 points, kind="float", unit="分", max=100,
                 help="仅上级交办、巡视巡察、媒体曝光发现的已结案问题扣分（本地设置）")
      for category, points in _DEDUCT_DEFAULTS],
)
