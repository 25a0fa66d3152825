"""The discipline section of a past day states a case as it stood that day: one closed
(已结案) after it was still open then, without the later decision, kind and period —
as its blocker (open_case) already said."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.discipline.services import blocking_conditions, dossier_section
from kaohe.dossier import services as dossier_services
from tests import discipline_support as ds
from tests.dossier_support import flat, page_texts

D = dt.date
START = D(2018, 1, 1)


@pytest.mark.parametrize("as_of, decided_then", [
    (D(2021, 8, 31), False), (D(2021, 9, 1), True)])
def test_case_closed_after_the_day_was_open_on_it(make, as_of, decided_then):
    o = make.official()
    f = ds.finding(o, kind="party_warning", found=D(2021, 1, 10), decided=D(2021, 9, 1))
    sec = dossier_section(o.id, as_of, START)
    [row] = sec["findings"]
    codes = [b["code"] for b in sec["blockers"]]
    if decided_then:
        assert row["status"] == "closed" and row["decision_date"] == "2021-09-01"
        assert row["kind"] == "party_warning" and row["impact"]["end"] == "2022-09-01"
        assert codes == ["impact_period"]
    else:
        assert row["status"] == "open" and row["status_label"] == "尚未办结"
        assert row["decision_date"] is None and row["impact"] is None
        assert row["kind"] == "pending" and row["counts"] is True
        assert codes == ["open_case"]
    assert [b.code for b in blocking_conditions(o.id, as_of)] == codes
    assert row["id"] == f.id


def test_exempted_case_closed_after_the_day_still_counts_for_nothing(make):
    """Exemption stays retroactive (cleared and exempted findings never block)."""
    o = make.official()
    f = ds.finding(o, kind="admonishment", found=D(2021, 1, 10), decided=D(2021, 3, 1))
    ds.exempt(f, approved_on=D(2021, 4, 1))
    sec = dossier_section(o.id, D(2021, 2, 1), START)
    [row] = sec["findings"]
    assert row["status"] == "open" and row["counts"] is False and row["exemption"]
    assert sec["blockers"] == []


def test_dossier_pdf_of_a_day_before_the_decision(make):
    o = make.official()
    make.post(o, make.unit(), start=D(2015, 1, 1), title="副区长")
    ds.finding(o, kind="party_warning", found=D(2021, 1, 10), decided=D(2021, 9, 1),
               summary="违规收受礼品")
    text = flat("".join(page_texts(dossier_services.generate(o.id, D(2021, 8, 31)).pdf)))
    assert "2021.09.01" not in text and "已结案" not in text and "党纪处分·警告" not in text
    assert flat("2021.01.10媒体曝光尚未定性/未作处理尚未办结未结案违规收受礼品") in text
    text = flat("".join(page_texts(dossier_services.generate(o.id, D(2021, 9, 1)).pdf)))
    assert flat("党纪处分·警告2021.09.01已结案至2022.09.01") in text
