"""Fixed vocabularies of personnel discussions (labels in Chinese, codes in English)."""
from __future__ import annotations

KINDS = {
    "secretary": "书记专题会",
    "standing": "常委会",
    "leading_group": "干部工作领导小组会",
}

ACTIONS = {
    "promote": "提拔",
    "further_use": "进一步使用",
    "exchange": "交流",
    "dismiss": "免职",
    "retire": "退休",
    "probation": "试用期满考核",
}
# Actions that use the official (提拔、进一步使用、交流): blockers refuse them. For the
# others (免职、退休、试用期满考核) the same conditions are shown as warnings only.
USE_ACTIONS = frozenset({"promote", "further_use", "exchange"})

# 凡提四必, in the order of the regulation.
CHECKS = {
    "file_audit": "档案审核",
    "personal_report": "个人有关事项报告核查",
    "integrity_opinion": "纪检监察机关意见",
    "petition": "信访举报核查",
}
MANUAL_CHECKS = ("file_audit", "personal_report", "petition")  # recorded by the department

CHECK_RESULTS = {
    "clear": "未发现问题",
    "resolved": "发现问题，已核实说明，不影响使用",
    "pending": "发现问题，尚在核查",
    "adverse": "查实问题，影响使用",
}
DONE_RESULTS = frozenset({"clear", "resolved", "adverse"})  # the check itself is finished

DECISIONS = {"approve": "同意", "reject": "不同意", "defer": "暂缓"}

STATUSES = {"draft": "筹备中", "held": "已召开"}

LOCKED_MESSAGE = "会议已召开，议程、核查和材料均已锁定，不能修改。"
