"""The rule figures a scheme is scored by: frozen when it is published (赛中不任意修改).

A draft scheme reads the live settings, so the assessment office sees what publishing
would fix. :func:`freeze` copies every figure the scoring uses into ``Scheme.rules`` at
publication; from then on the scheme reads only those, whatever the admin edits later.
A figure missing from a published scheme's frozen rules (one added to the code after it
was published) takes its registry default: what the code did before the setting existed.
"""
from __future__ import annotations

from dataclasses import dataclass

from kaohe.discipline import rules as discipline_rules
from kaohe.settings import services as settings
from kaohe.settings.registry import by_key
from kaohe.unitassess.models import Scheme
from kaohe.unitassess.services import ranking, scoring

# Categories of discipline findings that cost a unit party-conduct points (their order
# is the order of the table on the scheme page).
DEDUCT_CATEGORIES = ("talk", "admonishment", "organizational", "party", "administrative")
RULE_KEYS: tuple[str, ...] = (
    "unitassess.band_excellent", "unitassess.band_good", "unitassess.band_fair",
    "unitassess.excellent_quota_pct", "unitassess.provincial_multiplier",
    "unitassess.lag_ratio", "unitassess.interview_last_n", "unitassess.interview_lagging_min",
    *(discipline_rules.DEDUCT_KEY.format(c) for c in DEDUCT_CATEGORIES),
)


def live() -> dict[str, object]:
    """The current settings of every rule figure (what a draft is scored by)."""
    return {key: settings.get(key) for key in RULE_KEYS}


def freeze(scheme: Scheme) -> None:
    """Copy the current figures into the scheme (called when it is published)."""
    scheme.rules = live()


def of(scheme: Scheme) -> dict[str, object]:
    """The figures ``scheme`` is scored by: frozen when published, live for a draft."""
    if not scheme.is_published:
        return live()
    frozen = scheme.rules or {}
    defs = by_key()
    return {key: frozen[key] if key in frozen else defs[key].default for key in RULE_KEYS}


def bands(values: dict[str, object]) -> ranking.Bands:
    return ranking.Bands(
        excellent=float(values["unitassess.band_excellent"]),
        good=float(values["unitassess.band_good"]),
        fair=float(values["unitassess.band_fair"]),
        quota_pct=float(values["unitassess.excellent_quota_pct"]),
        last_n=int(values["unitassess.interview_last_n"]),
        lagging_min=int(values["unitassess.interview_lagging_min"]))


def params(values: dict[str, object]) -> scoring.Params:
    return scoring.Params(
        provincial_multiplier=float(values["unitassess.provincial_multiplier"]),
        lag_ratio=float(values["unitassess.lag_ratio"]) / 100)


def deduction_points(values: dict[str, object]) -> dict[str, float]:
    """Party-conduct points per discipline category (``discipline.rules.CATEGORIES``)."""
    return {c: float(values[discipline_rules.DEDUCT_KEY.format(c)]) for c in DEDUCT_CATEGORIES}


@dataclass(frozen=True)
class FigureRow:
    label: str
    value: str
    unit: str
    frozen: bool  # False: a published scheme lacks it and takes the default


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table(scheme: Scheme) -> list[FigureRow]:
    """规则参数 / 数值 / 单位 of the scheme page, the scheme's own weights first."""
    defs = by_key()
    values = of(scheme)
    frozen = scheme.rules or {}
    rows = [FigureRow("满分", _show(float(scheme.total_points)), "分", True),
            FigureRow("民评官权重", _show(float(scheme.public_weight)), "分", True)]
    for key in RULE_KEYS:
        d = defs[key]
        rows.append(FigureRow(d.label, _show(values[key]), d.unit,
                              not scheme.is_published or key in frozen))
    return rows
