"""The figures of the reminders, as admin-editable settings (read through
:mod:`kaohe.settings.services` when a list is computed).

Retirement ages (法定退休年龄) by gender and rank and their gradual increase from 2025
(每四个月延迟一个月) are settings: not verified against the official texts.
"""
from __future__ import annotations

from kaohe.officials.models import RANKS
from kaohe.settings import registry
from kaohe.settings import services as settings
from kaohe.settings.registry import SettingDef

DISCUSSION_DAYS = "todos.discussion_days"
PROBATION_DAYS = "todos.probation_days"
IMPACT_DAYS = "todos.impact_days"
ROTATION_YEARS = "todos.rotation_years"
ROTATION_MUST_YEARS = "todos.rotation_must_years"
ROTATION_DAYS = "todos.rotation_days"
OPINION_ANSWER_DAYS = "todos.opinion_answer_days"
ROUND_DATA_DAYS = "todos.round_data_days"
PUBLICITY_DAYS = "todos.publicity_days"
DIGEST = "todos.digest"
DIGEST_URL = "todos.digest_base_url"
IDLE_USER_DAYS = "todos.idle_user_days"
TOKEN_DAYS = "todos.token_days"
GROUP_OVER = "todos.group_over"
RETIRE_MALE = "todos.retire_age_male"
RETIRE_FEMALE = "todos.retire_age_female"
RETIRE_FEMALE_SENIOR = "todos.retire_age_female_senior"
SENIOR_RANKS = "todos.retire_senior_ranks"
DELAY_STEP = "todos.retire_delay_step_months"
DELAY_MAX_MALE = "todos.retire_delay_max_male"
DELAY_MAX_FEMALE = "todos.retire_delay_max_female"
DELAY_MAX_FEMALE_SENIOR = "todos.retire_delay_max_female_senior"

# 县处级 and above, with the 职级 of the same levels (一级/二级巡视员: 厅局级; 一级–四级调研员:
# 县处级): a woman promoted to a 调研员 职级 retires at the 县处级 age, not at 55.
_SENIOR_DEFAULT = "、".join(RANKS[:4] + [r for r in RANKS if "巡视员" in r or "调研员" in r])

registry.register(
    SettingDef(DISCUSSION_DAYS, "待办：提前提醒干部讨论（天）", 14, unit="天", min=1, max=90,
               help="此天数内召开的干部讨论，列出未就绪的议题及原因、待征求或将过期的党风廉政意见"),
    SettingDef(PROBATION_DAYS, "待办：试用期满提前提醒（天）", 30, unit="天", min=1, max=180,
               help="试用期在此天数内届满（或已届满尚未进行试用期满考核）的干部"),
    SettingDef(IMPACT_DAYS, "待办：影响期届满提前提醒（天）", 30, unit="天", min=1, max=180),
    SettingDef(ROTATION_YEARS, "任现职满年限提醒（交流）", 5, unit="年", min=1, max=20,
               help="任现职满此年限的干部列入交流提醒"),
    SettingDef(ROTATION_MUST_YEARS, "任现职满年限须交流", 10, unit="年", min=1, max=30,
               help="任现职满此年限的干部列为应当交流（紧急）"),
    SettingDef(ROTATION_DAYS, "待办：任职年限提前提醒（天）", 30, unit="天", min=0, max=180),
    SettingDef(OPINION_ANSWER_DAYS, "待办：党风廉政意见回复期限（天）", 10, unit="天", min=1,
               max=90, help="征求意见后此天数内应回复；纪委监委待办按等待天数排序"),
    SettingDef(ROUND_DATA_DAYS, "待办：目标考核各轮次数据录入期限（天）", 30, unit="天", min=1,
               max=180, help="半年、前三季度、全年考核截止后此天数内录齐数据；约谈在其后同样天数内进行"),
    SettingDef(PUBLICITY_DAYS, "待办：任前公示结束提前提醒（天）", 3, unit="天", min=0, max=30,
               help="此天数内结束（或已结束）且公示结果未登记、异议正在核查的任前公示"),
    SettingDef(DIGEST, "待办邮件提醒", "关闭", kind="choice", choices=("关闭", "开启"),
               help="开启后，每天 7:30 通过本单位邮件服务器（KAOHE_SMTP_HOST）向订阅的用户发送待办摘要"),
    SettingDef(DIGEST_URL, "系统访问地址（邮件中的链接）", "", kind="text",
               help="如 https://kaohe.example.gov.cn；留空时邮件中的链接以 http://localhost 开头"),
    SettingDef(IDLE_USER_DAYS, "待办：账户长期未使用（天）", 90, unit="天", min=7, max=730,
               help="此天数内没有登录或操作记录的在用账户，提醒管理员核实是否停用"),
    SettingDef(TOKEN_DAYS, "待办：API 令牌到期提前提醒（天）", 14, unit="天", min=1, max=90),
    SettingDef(GROUP_OVER, "待办：同类干部提醒超过此数时按单位汇总", 30, unit="项", min=0,
               max=10000, help="到龄、试用期满、任现职满年限、影响期届满等逐人提醒，某一类超过此数时"
               "首页每个单位列一行（人数和最紧急的一人），点开为该单位的完整名单"),
    SettingDef(RETIRE_MALE, "退休年龄：男", 60, unit="岁", min=50, max=70,
               help="原法定退休年龄（延迟前）；设置，未核对原文"),
    SettingDef(RETIRE_FEMALE, "退休年龄：女", 55, unit="岁", min=45, max=70,
               help="原法定退休年龄（延迟前）；设置，未核对原文"),
    SettingDef(RETIRE_FEMALE_SENIOR, "退休年龄：女（下列职级）", 60, unit="岁", min=45, max=70,
               help="担任下列职级的女干部；设置，未核对原文"),
    SettingDef(SENIOR_RANKS, "女干部适用较高退休年龄的职级", _SENIOR_DEFAULT, kind="text",
               help="以顿号或逗号分隔"),
    SettingDef(DELAY_STEP, "渐进式延迟退休：每几个月延迟一个月", 4, unit="个月", min=0, max=24,
               help="自 2025 年 1 月起，原退休时间每晚此月数，延迟一个月；0 表示不延迟"),
    SettingDef(DELAY_MAX_MALE, "延迟退休上限：男", 36, unit="个月", min=0, max=120),
    SettingDef(DELAY_MAX_FEMALE, "延迟退休上限：女", 36, unit="个月", min=0, max=120),
    SettingDef(DELAY_MAX_FEMALE_SENIOR, "延迟退休上限：女（上述职级）", 0, unit="个月", min=0,
               max=120, help="设置，未核对原文"),
)


def value(key: str) -> int:
    """The current integer value of one of the settings above."""
    return int(settings.get(key))


def senior_ranks() -> tuple[str, ...]:
    raw = str(settings.get(SENIOR_RANKS) or "")
    return tuple(r.strip() for r in raw.replace(",", "、").replace("，", "、").split("、")
                 if r.strip())
