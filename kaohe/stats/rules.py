"""The settings of the team-structure report (registered with the settings registry)."""
from __future__ import annotations

from kaohe.officials.models import RANKS
from kaohe.settings import registry
from kaohe.settings import services as settings
from kaohe.stats.queries import TeamRules

NON_CCP_CHOICES = {"市和区县班子": frozenset({"city", "county"}),
                   "全部班子": frozenset({"city", "county", "department", "zone"}),
                   "不检查": frozenset()}

registry.register(
    registry.SettingDef("stats.team_young_under", "班子年轻干部年龄线", 40, unit="岁", min=25,
                        max=60, help="班子中至少应有一名不满该年龄的干部"),
    registry.SettingDef("stats.team_woman", "班子女干部要求", "要求", kind="choice",
                        choices=("要求", "不要求"), help="班子中至少应有一名女干部"),
    registry.SettingDef("stats.team_non_ccp", "班子党外干部要求", "市和区县班子", kind="choice",
                        choices=tuple(NON_CCP_CHOICES),
                        help="哪些班子至少应有一名党外干部（民主党派、无党派人士或群众）"),
    registry.SettingDef("stats.team_lowest_rank", "班子成员最低职级", "副处级", kind="choice",
                        choices=("副厅级", "副处级", "副科级"),
                        help="班子成员：单位正职，以及担任该职级及以上领导职务的干部"),
)


def team_ranks() -> tuple[str, ...]:
    """The 领导职务 of a 班子 under the current setting, from the top down."""
    lowest = str(settings.get("stats.team_lowest_rank"))
    return tuple(RANKS[:RANKS.index(lowest) + 1]) if lowest in RANKS else tuple(RANKS[:4])


def team_rules() -> TeamRules:
    """The leadership-team checks under the current settings."""
    return TeamRules(ranks=team_ranks(),
                     young_under=int(settings.get("stats.team_young_under")),
                     woman=settings.get("stats.team_woman") == "要求",
                     non_ccp_kinds=NON_CCP_CHOICES.get(str(settings.get("stats.team_non_ccp")),
                                                       frozenset()))
