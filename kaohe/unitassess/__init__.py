"""Target-responsibility assessment of units (目标责任考核): schemes, scores, rankings."""
from kaohe.settings.registry import SettingDef, register

ROUNDS = {"half": "半年", "q3": "前三季度", "full": "全年"}
# Share of the year elapsed at the end of each round (progress is measured against it).
ROUND_ELAPSED = {"half": 0.5, "q3": 0.75, "full": 1.0}
ROUND_END = {"half": (6, 30), "q3": (9, 30), "full": (12, 31)}
# Every figure below but the public-weight default is frozen into a scheme when it is
# published (services/figures.py): an edit applies to schemes published afterwards.
FROZEN = "修改只适用于此后发布的考核方案；已发布方案按发布时冻结的数值计算"

register(
    SettingDef("unitassess.band_excellent", "单位考核优秀分数线", 90.0, kind="float", unit="分",
               max=200, help=FROZEN),
    SettingDef("unitassess.band_good", "单位考核良好分数线", 80.0, kind="float", unit="分", max=200,
               help=FROZEN),
    SettingDef("unitassess.band_fair", "单位考核一般分数线", 60.0, kind="float", unit="分", max=200,
               help=f"低于此线为较差；{FROZEN}"),
    SettingDef("unitassess.excellent_quota_pct", "单位考核优秀比例上限", 30, unit="%", max=100,
               help=f"同一考核组内评为优秀的单位不超过此比例（向下取整）；{FROZEN}"),
    SettingDef("unitassess.public_weight_default", "民评官权重（新方案默认值）", 10.0,
               kind="float", unit="分", max=100),
    SettingDef("unitassess.provincial_multiplier", "省级加减分在市考核中的倍数", 2.0,
               kind="float", unit="倍", min=1, max=5, help=FROZEN),
    SettingDef("unitassess.lag_ratio", "指标滞后判定线（完成进度/时间进度）", 90, unit="%",
               max=100, help=FROZEN),
    SettingDef("unitassess.interview_last_n", "排名末位约谈单位数", 1, unit="个", max=50,
               help=FROZEN),
    SettingDef("unitassess.interview_lagging_min", "滞后指标达到几项须约谈", 2, unit="项",
               min=1, max=100, help=FROZEN),
)
