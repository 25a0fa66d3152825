"""Helpers of the discipline tests: records built through the real services, page probes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kaohe.auth.models import User
from kaohe.discipline import services
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion, ToleranceExemption
from kaohe.extensions import db
from kaohe.settings import services as settings
from tests.helpers import field_errors, form_alerts  # noqa: F401 - the tests use ds.field_errors

# A sentence that must never reach anyone but the discipline role.
SECRET = "绝密细节XJ7：收受某公司购物卡两张"


def finding(official, *, found=dt.date(2020, 1, 10), source="media", kind="party_warning",
            status="closed", decided=dt.date(2020, 3, 1), summary="违规收受礼品",
            details=SECRET, period_months=None):
    return services.save_finding(official, None, {
        "found_date": found, "source": source, "kind": kind, "status": status,
        "decision_date": decided, "summary": summary, "details": details,
        "period_months": period_months})


def exempt(f, approved_on=dt.date(2020, 4, 1)):
    return services.grant_exemption(f, {"reason": "改革创新中的失误", "approver": "市纪委常委会",
                                        "approved_on": approved_on})


def opinion(official, requested=dt.date(2021, 1, 5), outcome=None, answered=None,
            purpose="拟提拔为区委书记"):
    o = services.request_opinion(official, {"purpose": purpose, "requested_on": requested})
    if outcome is not None:
        services.answer_opinion(o, {"outcome": outcome, "answered_on": answered or requested,
                                    "answer_text": "经查，未发现问题。"})
    return o


def set_setting(key, value):
    settings.set_value(key, value)


def user(role: str) -> User:
    return db.session.scalar(select(User).where(User.username == role))


def counts() -> tuple[int, int, int]:
    """Rows of the three discipline tables, soft-deleted included."""
    return tuple(db.session.scalar(select(func.count(m.id)).execution_options(include_deleted=True))
                 for m in (DisciplineFinding, ToleranceExemption, IntegrityOpinion))
