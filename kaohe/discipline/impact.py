"""Impact periods (影响期) of discipline findings.

A period of ``months`` months is counted by 民法典 articles 201–202
(:func:`kaohe.core.periods.period_end`): the decision day is not counted and
``end`` is the corresponding day of the last month (decided 2020-01-15 with 6
months → 2020-07-15), or that month's last day when it has none. The official is
blocked from the decision day (``start``) through ``end``, both included. Only
closed (已结案) findings with a decision date have one; expulsions never end
(``end`` None, ``permanent`` True). Figures come from the settings of
:mod:`kaohe.discipline.rules`, read when computed.

Administrative sanctions (政务处分) of one official are chained: a sanction
decided while an earlier one is still running gets "the remaining part of the
earlier period plus its own": the days after its decision day up to the
earlier end are added to its own end. The combined period is capped at the
setting ``discipline.impact.admin_combined_cap`` (48 months) counted from its
decision date by the same rule. A sanction decided on the earlier period's last
day has nothing left to add.
Exempted findings neither block nor take part in the chaining; their nominal
period is still computed for display.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kaohe.core.periods import period_end
from kaohe.discipline import rules
from kaohe.settings import services as settings


@dataclass(frozen=True)
class ImpactPeriod:
    start: dt.date
    end: dt.date | None  # last day covered; None when permanent
    months: int | None
    basis: str  # how it was computed, in Chinese, shown next to the period

    @property
    def permanent(self) -> bool:
        return self.end is None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None,
                "months": self.months, "permanent": self.permanent, "basis": self.basis}

    @property
    def label(self) -> str:
        if self.permanent:
            return f"{self.start.isoformat()} 起（长期）"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def base_months(kind: str) -> int | None:
    """The configured months for ``kind``; None for kinds without impact."""
    if kind not in rules.TIMED_KINDS:
        return None
    return int(settings.get(rules.IMPACT_KEY.format(kind)))


def admin_cap() -> int:
    return int(settings.get(rules.ADMIN_CAP_KEY))


def has_impact(finding) -> bool:
    return (finding.status == "closed" and finding.decision_date is not None
            and (finding.kind in rules.PERMANENT_KINDS or bool(base_months(finding.kind))))


def standalone(finding) -> ImpactPeriod | None:
    """The period of one finding on its own (no chaining)."""
    if finding.status != "closed" or finding.decision_date is None:
        return None
    start, label = finding.decision_date, rules.kind_label(finding.kind)
    if finding.kind in rules.PERMANENT_KINDS:
        return ImpactPeriod(start, None, None, f"{label}：不再提拔使用")
    months = base_months(finding.kind)
    basis = f"{label} {months} 个月（规则参数）"
    if finding.period_months and rules.KINDS[finding.kind][0] == "administrative":
        months = finding.period_months
        basis = f"{label}，合并确定处分期 {months} 个月"
    if not months:
        return None
    return ImpactPeriod(start, period_end(start, months), months, basis)


def periods(findings) -> dict[int, ImpactPeriod | None]:
    """Impact period per finding id for the findings of ONE official."""
    result: dict[int, ImpactPeriod | None] = {f.id: standalone(f) for f in findings}
    chain = sorted(
        (f for f in findings
         if f.counts and result[f.id] is not None and not result[f.id].permanent
         and rules.KINDS[f.kind][0] == "administrative"),
        key=lambda f: (f.decision_date, f.id))
    running_end: dt.date | None = None
    # Read only when something is chained: most officials have no finding, and the
    # profile page would pay a query for the setting on every view.
    cap = admin_cap() if chain else None
    for f in chain:
        own = result[f.id]
        if running_end is not None and f.decision_date < running_end:
            # The earlier period has run through the decision day; what is left of it
            # is the days after it up to the earlier end.
            remaining = (running_end - f.decision_date).days
            end = own.end + dt.timedelta(days=remaining)
            capped_end = period_end(f.decision_date, cap)
            basis = (f"{own.basis}；处分期内再受处分，加原处分期未执行的 {remaining} 天")
            if end > capped_end:
                end = capped_end
                basis += f"，合并最长 {cap} 个月"
            result[f.id] = ImpactPeriod(own.start, end, own.months, basis)
        elif own.months and own.months > cap:  # a configured figure above the cap
            result[f.id] = ImpactPeriod(own.start, period_end(own.start, cap), cap,
                                        f"{own.basis}，最长 {cap} 个月")
        running_end = result[f.id].end if running_end is None else max(running_end,
                                                                       result[f.id].end)
    return result
