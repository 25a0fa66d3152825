"""dossier_section: section 7 of the dossier — the valid opinion, the findings touching
the window, blocking conditions as flags, and never the details field."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kaohe.discipline.queries import NO_OPINION_FLAG
from kaohe.discipline.services import dossier_section
from kaohe.dossier import services as dossier_services
from tests import discipline_support as ds
from tests.dossier_support import flat, page_texts

D = dt.date
AS_OF, START = D(2022, 6, 1), D(2019, 1, 1)


def test_no_opinion_is_a_warning_flag(make):
    o = make.official()
    sec = dossier_section(o.id, AS_OF, START)
    assert sec["available"] is True and sec["opinion"] is None and sec["findings"] == []
    assert [(f["level"], f["code"], f["text"]) for f in sec["flags"]] == [
        ("warn", "no_integrity_opinion", NO_OPINION_FLAG)]


def test_opinion_findings_and_flags(make):
    o = make.official()
    ds.opinion(o, requested=D(2022, 5, 1), outcome=5, answered=D(2022, 5, 10))
    old = ds.finding(o, found=D(2016, 1, 1), decided=D(2016, 3, 1), summary="很早的问题")
    long = ds.finding(o, kind="party_removal", found=D(2017, 5, 1), decided=D(2017, 6, 1),
                      summary="影响期延伸进考评年度")
    exempted = ds.finding(o, kind="admonishment", found=D(2021, 1, 1), decided=D(2021, 2, 1),
                          summary="改革中的失误")
    ds.exempt(exempted, approved_on=D(2021, 3, 1))
    ds.finding(o, kind="talk_inquiry", status="cleared", found=D(2020, 1, 1),
               decided=D(2020, 2, 1), summary="反映不实")
    ds.finding(o, kind="pending", status="investigation", found=D(2022, 3, 1), decided=None,
               summary="正在审查")
    ds.finding(o, found=D(2022, 7, 1), decided=None, status="clue", kind="pending",
               summary="截止日期之后")
    sec = dossier_section(o.id, AS_OF, START)
    assert sec["opinion"]["outcome"] == 5 and sec["opinion"]["valid_until"] == "2022-08-10"
    summaries = [f["summary"] for f in sec["findings"]]
    assert summaries == ["正在审查", "改革中的失误", "反映不实", "影响期延伸进考评年度"]
    assert old.id not in [f["id"] for f in sec["findings"]] and long.summary in summaries
    by_summary = {f["summary"]: f for f in sec["findings"]}
    assert by_summary["改革中的失误"]["exemption"]["approver"] == "市纪委常委会"
    assert by_summary["改革中的失误"]["counts"] is False
    assert by_summary["反映不实"]["cleared"] is True
    assert by_summary["影响期延伸进考评年度"]["impact"]["end"] == "2019-06-01"
    assert sorted(f["code"] for f in sec["flags"]) == ["open_case", "opinion_outcome"]
    assert all(f["level"] == "block" for f in sec["flags"])
    assert ds.SECRET not in json.dumps(sec, ensure_ascii=False)
    assert all("details" not in f for f in sec["findings"])


@pytest.mark.parametrize("as_of, in_force", [(D(2021, 2, 28), True), (D(2021, 3, 1), False)])
def test_dossier_text_at_the_last_day_of_a_period(make, as_of, in_force):
    """Decided (and answered) on 08-31 / 11-30: 6 and 3 months end on 2021-02-28, the
    month's last day (民法典 202); the dossier blocks and shows the opinion through it."""
    o = make.official()
    make.post(o, make.unit(), start=D(2015, 1, 1), title="副区长")
    ds.finding(o, kind="admin_warning", found=D(2020, 8, 1), decided=D(2020, 8, 31))
    ds.opinion(o, requested=D(2020, 11, 20), outcome=1, answered=D(2020, 11, 30))
    text = flat("".join(page_texts(dossier_services.generate(o.id, as_of).pdf)))
    assert flat("政务处分·警告2020.08.31已结案至2021.02.28") in text
    assert (flat("影响期2020-08-31 至 2021-02-28，期内不得提拔。") in text) is in_force
    assert ("有效期至2021.02.28" in text) is in_force
    assert ("纪检监察机关意见：未回复" in text) is not in_force
