"""blocking_conditions / valid_opinion: open cases, impact periods, opinions 4–6,
cleared and exempted findings, opinion validity, exemption removal recorded."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.core.errors import ValidationFailed
from kaohe.discipline import rules, services
from kaohe.discipline.services import blocking_conditions, valid_opinion
from kaohe.extensions import db
from tests import discipline_support as ds

D = dt.date


def codes(official, day):
    return [b.code for b in blocking_conditions(official.id, day)]


@pytest.mark.parametrize("day, blocked", [
    (D(2020, 2, 29), False),  # before the decision (the case was open then: "open_case")
    (D(2020, 3, 1), True),    # decision day
    (D(2021, 3, 1), True),    # last day of the 12 months (民法典 202: corresponding day)
    (D(2021, 3, 2), False),   # the day after
])
def test_impact_period_blocks_inside_only(make, day, blocked):
    o = make.official()
    f = ds.finding(o, kind="party_warning", found=D(2020, 2, 20), decided=D(2020, 3, 1))
    found = blocking_conditions(o.id, day)
    if blocked:
        assert [(b.code, b.source) for b in found] == [("impact_period", f"discipline_finding:{f.id}")]
        assert "2020-03-01 至 2021-03-01" in found[0].message_zh and "党纪处分·警告" in found[0].message_zh
    else:
        assert "impact_period" not in [b.code for b in found]


def test_case_open_between_finding_and_decision_blocks_on_those_dates(make):
    o = make.official()
    ds.finding(o, kind="party_warning", found=D(2020, 1, 10), decided=D(2020, 3, 1))
    assert codes(o, D(2020, 1, 9)) == []
    assert codes(o, D(2020, 2, 1)) == ["open_case"]
    assert codes(o, D(2020, 3, 1)) == ["impact_period"]


@pytest.mark.parametrize("status", ["clue", "investigation"])
def test_open_case_blocks_from_its_finding_date(make, status):
    o = make.official()
    f = ds.finding(o, kind="pending", status=status, found=D(2022, 5, 1), decided=None)
    assert codes(o, D(2022, 4, 30)) == []
    blockers = blocking_conditions(o.id, D(2025, 1, 1))
    assert [(b.code, b.source) for b in blockers] == [("open_case", f"discipline_finding:{f.id}")]
    assert "办结前不得提拔" in blockers[0].message_zh


def test_cleared_finding_counts_against_nobody(make):
    o = make.official()
    f = ds.finding(o, kind="talk_inquiry", status="cleared", found=D(2020, 1, 10),
                   decided=D(2020, 2, 1))
    assert not f.counts and f.is_cleared
    for day in (D(2020, 1, 20), D(2020, 2, 1), D(2020, 6, 1)):
        assert blocking_conditions(o.id, day) == []


def test_exempted_finding_counts_against_nobody_and_revoking_restores_it(make):
    o = make.official()
    f = ds.finding(o, kind="admonishment", found=D(2020, 1, 10), decided=D(2020, 3, 1))
    assert codes(o, D(2020, 5, 1)) == ["impact_period"]
    ds.exempt(f)
    assert blocking_conditions(o.id, D(2020, 5, 1)) == []
    assert blocking_conditions(o.id, D(2020, 2, 1)) == []  # not even while it was open
    services.revoke_exemption(f, {"revoke_reason": "经复查不符合容错条件"})
    assert codes(o, D(2020, 5, 1)) == ["impact_period"]


def test_exemption_removal_is_recorded_in_audit_and_history(make):
    o = make.official()
    f = ds.finding(o, kind="admonishment")
    e = ds.exempt(f)
    services.revoke_exemption(f, {"revoke_reason": "经复查不符合容错条件"})
    db.session.commit()  # audit entries join the chain at commit
    rows = [r for r in db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "tolerance_exemption").order_by(AuditLog.id))
        if r.entity_id == e.id or (r.after or {}).get("id") == e.id]
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].after["revoke_reason"] == "经复查不符合容错条件"
    assert rows[1].before["revoked_at"] is None and rows[1].after["revoked_at"]
    # the exemption row stays: visible history
    assert len(f.exemptions) == 1 and f.exemptions[0].revoked_at is not None
    assert f.exemption is None


def test_second_exemption_after_revocation_keeps_both_rows(make):
    f = ds.finding(make.official(), kind="admonishment")
    ds.exempt(f)
    with pytest.raises(ValidationFailed, match="已有生效"):
        ds.exempt(f)
    services.revoke_exemption(f, {"revoke_reason": "复查"})
    ds.exempt(f)
    assert len(f.exemptions) == 2 and f.exemption is f.exemptions[1]


@pytest.mark.parametrize("status, kind, decided", [
    ("clue", "pending", None), ("cleared", "pending", D(2020, 2, 1))])
def test_only_closed_findings_can_be_exempted(make, status, kind, decided):
    f = ds.finding(make.official(), status=status, kind=kind, decided=decided)
    with pytest.raises(ValidationFailed) as exc:
        ds.exempt(f)
    assert "已结案" in exc.value.errors["_"]


@pytest.mark.parametrize("outcome, blocking", [(1, False), (2, False), (3, False),
                                               (4, True), (5, True), (6, True)])
def test_opinion_outcomes_4_to_6_block(make, outcome, blocking):
    o = make.official()
    op = ds.opinion(o, requested=D(2021, 1, 5), outcome=outcome, answered=D(2021, 1, 20))
    found = blocking_conditions(o.id, D(2021, 2, 1))
    if blocking:
        assert [(b.code, b.source) for b in found] == [("opinion_outcome", f"integrity_opinion:{op.id}")]
        assert rules.OUTCOMES[outcome] in found[0].message_zh
    else:
        assert found == []


def test_opinion_validity_and_expiry(make):
    o = make.official()
    assert valid_opinion(o.id, D(2021, 2, 1)) is None  # never requested
    op = ds.opinion(o, requested=D(2021, 1, 5))
    assert valid_opinion(o.id, D(2021, 2, 1)) is None  # requested, not answered
    services.answer_opinion(op, {"outcome": 1, "answered_on": D(2021, 1, 20),
                                 "answer_text": "未收到问题线索"})
    assert valid_opinion(o.id, D(2021, 1, 19)) is None  # before the answer
    assert valid_opinion(o.id, D(2021, 1, 20)) is op
    assert valid_opinion(o.id, D(2021, 4, 20)) is op  # last day of 3 months
    assert valid_opinion(o.id, D(2021, 4, 21)) is None  # expired = no opinion
    ds.set_setting(rules.OPINION_VALIDITY_KEY, 6)
    assert valid_opinion(o.id, D(2021, 4, 21)) is op
    assert valid_opinion(o.id, D(2021, 7, 20)) is op
    assert valid_opinion(o.id, D(2021, 7, 21)) is None
    ds.set_setting(rules.OPINION_VALIDITY_KEY, 1)
    assert valid_opinion(o.id, D(2021, 2, 20)) is op
    assert valid_opinion(o.id, D(2021, 2, 21)) is None


def test_expired_blocking_opinion_no_longer_blocks(make):
    o = make.official()
    ds.opinion(o, requested=D(2021, 1, 5), outcome=6, answered=D(2021, 1, 20))
    assert codes(o, D(2021, 4, 20)) == ["opinion_outcome"]
    assert codes(o, D(2021, 4, 21)) == []


def test_latest_valid_answer_wins(make):
    o = make.official()
    ds.opinion(o, requested=D(2021, 1, 5), outcome=5, answered=D(2021, 1, 20))
    second = ds.opinion(o, requested=D(2021, 2, 1), outcome=2, answered=D(2021, 2, 10))
    assert valid_opinion(o.id, D(2021, 3, 1)) is second
    assert codes(o, D(2021, 3, 1)) == []
    assert codes(o, D(2021, 2, 5)) == ["opinion_outcome"]


def test_all_blockers_together_and_other_officials_unaffected(make):
    o, other = make.official(), make.official(name="李四")
    ds.finding(o, kind="pending", status="investigation", found=D(2022, 1, 1), decided=None)
    ds.finding(o, kind="party_removal", found=D(2021, 1, 1), decided=D(2021, 6, 1))
    ds.opinion(o, requested=D(2022, 3, 1), outcome=4, answered=D(2022, 3, 5))
    assert sorted(codes(o, D(2022, 4, 1))) == ["impact_period", "open_case", "opinion_outcome"]
    assert blocking_conditions(other.id, D(2022, 4, 1)) == []


def test_deleted_finding_no_longer_blocks(make):
    o = make.official()
    f = ds.finding(o, kind="admonishment")
    services.delete_finding(f)
    assert blocking_conditions(o.id, D(2020, 4, 1)) == []
