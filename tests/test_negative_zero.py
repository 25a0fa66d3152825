"""No figure reads 「-0」: a unit without deductions, or a negative that rounds to zero,
is shown as 0 on the ranking, the breakdown and the dossier (the pages showed 「-0」 and
「−-0」 for a round with no deduction at all)."""
from __future__ import annotations

import math

import pytest

from kaohe.dossier.fmt import score
from kaohe.unitassess.services.scheme import fmt
from kaohe.unitassess.services.scoring import Line, UnitScore


@pytest.mark.parametrize("value, shown", [
    (-0.0, "0"), (0.0, "0"), (-0.001, "0"), (-0.004, "0"), (-0.005, "-0.01"), (-0.01, "-0.01"),
    (-1.5, "-1.5"), (12.5, "12.5"), (90.0, "90"), (0.001, "0")])
def test_points_are_never_minus_zero(value, shown):
    assert fmt(round(value, 2)) == shown
    assert score(value) == shown


def test_a_unit_without_deductions_has_a_plain_zero():
    plain = UnitScore(1, [Line("indicator", "c", "指标", 10.0, "")])
    assert plain.deduction == 0 and math.copysign(1, plain.deduction) == 1
    assert fmt(plain.deduction) == "0"
    scored = UnitScore.scored(1, None, {"indicator": 10.0}, 10.0, [])
    assert math.copysign(1, scored.deduction) == 1


def test_deductions_read_as_a_positive_figure():
    s = UnitScore(1, [Line("deduction", "c", "扣分", -1.25, ""),
                      Line("party_conduct", "c", "党风廉政", -0.5, "")])
    assert s.deduction == 1.75 and fmt(s.deduction) == "1.75"
