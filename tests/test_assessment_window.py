"""近三年考核: the last N concluded assessment years, at every boundary, through the
rule itself, the setting, the dossier PDF, the discussion readiness and the LRMX export."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.assessments.window import assessment_window, conclusion_day, window_of
from kaohe.assessments.wording import annual_results_text
from kaohe.core import clock
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.services.readiness import compute
from kaohe.dossier import services as dossiers
from kaohe.settings import services as settings
from tests import discipline_support as ds
from tests import discussions_support as s
from tests.dossier_support import flat, page_texts
from tests.helpers import field_errors, form_version, settings_form_values, text

D = dt.date


# ---- the rule ------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, concludes_on, years, open_years, pending", [
    # Default: year Y concludes on 31 March of Y + 1, the day itself included.
    (D(2020, 3, 30), "03-31", (2016, 2017, 2018), (2019, 2020), (2019,)),
    (D(2020, 3, 31), "03-31", (2017, 2018, 2019), (2020,), ()),
    (D(2020, 4, 1), "03-31", (2017, 2018, 2019), (2020,), ()),
    (D(2020, 12, 31), "03-31", (2017, 2018, 2019), (2020,), ()),
    # The year turns: the year just ended is pending, the window does not move.
    (D(2021, 1, 1), "03-31", (2017, 2018, 2019), (2020, 2021), (2020,)),
    (D(2020, 2, 29), "03-31", (2016, 2017, 2018), (2019, 2020), (2019,)),
    # 02-29 in a common year is 28 February; in a leap year 29 February.
    (D(2021, 2, 27), "02-29", (2017, 2018, 2019), (2020, 2021), (2020,)),
    (D(2021, 2, 28), "02-29", (2018, 2019, 2020), (2021,), ()),
    (D(2024, 2, 28), "02-29", (2020, 2021, 2022), (2023, 2024), (2023,)),
    (D(2024, 2, 29), "02-29", (2021, 2022, 2023), (2024,), ()),
    # The earliest and the latest conclusion days.
    (D(2021, 1, 1), "01-01", (2018, 2019, 2020), (2021,), ()),
    (D(2020, 12, 31), "01-01", (2017, 2018, 2019), (2020,), ()),
    (D(2021, 12, 30), "12-31", (2017, 2018, 2019), (2020, 2021), (2020,)),
    (D(2021, 12, 31), "12-31", (2018, 2019, 2020), (2021,), ()),
])
def test_window_at_its_boundaries(as_of, concludes_on, years, open_years, pending):
    win = window_of(as_of, 3, concludes_on)
    assert (win.years, win.open_years, win.pending) == (years, open_years, pending)
    assert win.start == D(years[0], 1, 1)
    for y in win.years:  # every year in the window has concluded on as_of ...
        assert win.concludes(y) <= as_of
    for y in win.open_years:  # ... and none after it has
        assert win.concludes(y) > as_of


@pytest.mark.parametrize("n", [1, 3, 5, 10])
def test_window_length_is_the_setting(n):
    win = window_of(D(2020, 3, 30), n, "03-31")
    assert win.years == tuple(range(2019 - n, 2019))


@pytest.mark.parametrize("year, concludes_on, day", [
    (2019, "03-31", D(2020, 3, 31)), (2019, "02-29", D(2020, 2, 29)),
    (2020, "02-29", D(2021, 2, 28)), (2099, "02-29", D(2100, 2, 28)),  # 2100: not leap
    (1999, "02-29", D(2000, 2, 29)), (2020, "12-31", D(2021, 12, 31)),
])
def test_conclusion_day(year, concludes_on, day):
    assert conclusion_day(year, concludes_on) == day


# ---- the setting ---------------------------------------------------------------------

@pytest.mark.parametrize("raw, stored", [
    ("03-31", "03-31"), ("3-31", "03-31"), (" 3月31日 ", "03-31"), ("02-29", "02-29"),
    ("01-01", "01-01"), ("12-31", "12-31"), ("4/30", "04-30"),
])
def test_setting_accepts_days_of_the_year(make, raw, stored):
    assert settings.set_value("assessment.year_concludes_on", raw) == stored
    assert settings.get("assessment.year_concludes_on") == stored


@pytest.mark.parametrize("raw, message", [
    ("02-30", "2 月只有 29 天"), ("04-31", "4 月只有 30 天"), ("13-01", "月份应在 1 到 12 之间"),
    ("00-10", "月份应在 1 到 12 之间"), ("03-00", "3 月只有 31 天"), ("", "请按“月-日”填写"),
    ("三月底", "请按“月-日”填写"), ("2020-03-31", "请按“月-日”填写"),
])
def test_setting_refuses_what_is_not_a_day(make, raw, message):
    with pytest.raises(ValidationFailed) as exc:
        settings.set_value("assessment.year_concludes_on", raw)
    assert message in exc.value.errors["assessment.year_concludes_on"]
    assert settings.get("assessment.year_concludes_on") == "03-31"


def _settings_form(client) -> dict:
    data = settings_form_values(text(client.get("/admin/settings")))
    return {**data, **form_version(client, "/admin/settings")}


@pytest.mark.parametrize("value, error", [("04-31", "4 月只有 30 天"), ("", "请填写日期（月-日）。"),
                                          ("02-29", None)])
def test_settings_page_checks_the_day_next_to_the_field(client, auth, make, value, error):
    auth.login("admin")
    data = _settings_form(client)
    data["assessment__year_concludes_on"] = value
    response = client.post("/admin/settings", data=data)
    if error is None:
        assert response.status_code == 302
        assert settings.get("assessment.year_concludes_on") == "02-29"
    else:
        assert any(error in e for e in field_errors(text(response),
                                                    "assessment__year_concludes_on"))
        assert settings.get("assessment.year_concludes_on") == "03-31"


def test_window_reads_both_settings(make):
    assert assessment_window(D(2020, 3, 30)).years == (2016, 2017, 2018)
    settings.set_value("assessment.year_concludes_on", "03-01")
    settings.set_value("dossier.window_years", 2)
    assert assessment_window(D(2020, 3, 30)).years == (2018, 2019)


# ---- the dossier -----------------------------------------------------------------------

def _official(grades: dict[int, str]):
    unit = s.f.unit(name="东城区")
    o = s.f.official(name="王建国", unit_obj=unit)
    s.f.post(o, unit, start=D(2014, 1, 1), title="区长")
    for year, grade in grades.items():
        s.f.result(o, year, grade, score=80)
    return o


def _body(o, as_of) -> str:
    return flat("".join(page_texts(dossiers.generate(o.id, as_of).pdf)))


def _section_two(body: str) -> str:
    return body.split(flat("二、近三年年度考核情况"))[1].split(flat("三、所在单位"))[0]


@pytest.mark.parametrize("as_of, window, low_flag, pending", [
    (D(2020, 3, 30), "2016—2018年度", True, True),
    (D(2020, 3, 31), "2017—2019年度", False, False),
    (D(2020, 4, 1), "2017—2019年度", False, False),
])
def test_dossier_before_and_on_the_conclusion_day(make, as_of, window, low_flag, pending):
    # 2016 基本称职; 2019 not entered yet. Before 31 March 2020, 2019 is 待考核 and 2016
    # is in the window (it blocks); from 31 March 2020, 2019 is missing and 2016 is out.
    o = _official({2016: "basically_competent", 2017: "competent", 2018: "competent"})
    body = _body(o, as_of)
    cover = body.split(flat("一、基本情况"))[0]
    assert flat(f"考评年度{window}") in cover
    assert (flat("（2019 年度待考核）") in cover) is pending
    two = _section_two(body)
    assert ("2016基本称职" in two) is low_flag
    assert ("2019待考核（年度考核2020年3月31日结束，此前不计入考评年度）" in two) is pending
    assert ("2019未录入（无年度考核结果）" in two) is (not pending)
    assert flat("每年度的年度考核于次年3月31日结束") in two
    flags = body.split(flat("七、需重点关注的事项"))[1]
    assert ("近三年年度考核有基本称职及以下等次" in flags) is low_flag
    assert ("2019年年度考核结果未录入" in flags) is (not pending)
    assert "年度考核结束日（次年）：03-31" in body


def test_result_entered_before_the_year_concludes_is_pending_and_noted(make):
    o = _official({2017: "competent", 2018: "competent", 2019: "basically_competent"})
    body = _body(o, D(2020, 3, 30))
    two = _section_two(body)
    assert "2019待考核（已录入“基本称职”，年度考核2020年3月31日结束，此前不计入考评年度）" in two
    flags = body.split(flat("七、需重点关注的事项"))[1]
    assert "2019年度考核（待考核）已录入“基本称职”" in flags
    assert "近三年年度考核有基本称职" not in flags  # not counted yet: a warning, not a block
    # The window is 2016–2018: 2016 has no result and is flagged; 2019 is never missing.
    assert "2016年年度考核结果未录入" in flags and "2019年年度考核结果未录入" not in flags


def test_current_year_result_entered_ahead_is_shown_not_counted(make):
    o = _official({2017: "competent", 2018: "competent", 2019: "competent",
                   2020: "incompetent"})
    body = _body(o, D(2020, 12, 31))
    two = _section_two(body)
    assert "2020待考核（已录入“不称职”，年度考核2021年3月31日结束，此前不计入考评年度）" in two
    flags = body.split(flat("七、需重点关注的事项"))[1]
    assert "2020年度考核（待考核）已录入“不称职”" in flags
    assert "应降低一个职务层次" not in flags


def test_window_length_setting_names_the_section(make):
    settings.set_value("dossier.window_years", 5)
    o = _official({2015: "competent", 2017: "competent"})
    body = _body(o, D(2020, 4, 1))
    assert flat("二、近五年年度考核情况") in body and flat("近五年考评情况") in body
    assert flat("考评年度2015—2019年度") in body


# ---- readiness and the item page ---------------------------------------------------------

@pytest.mark.parametrize("day, blocked", [(D(2020, 3, 30), True), (D(2020, 3, 31), False),
                                          (D(2021, 1, 1), False)])
def test_readiness_blocks_on_a_low_grade_of_the_window(make, auth, day, blocked):
    o = _official({2016: "basically_competent", 2017: "competent", 2018: "competent",
                   2019: "competent"})
    ds.opinion(o, requested=day - dt.timedelta(days=20), outcome=1,
               answered=day - dt.timedelta(days=10))
    d = s.discussion(date=day)
    it = s.item(d, o)
    s.checks(d, it)
    s.agenda.attach(d, o.id, None, None)
    r = compute(it)
    assert ([b["code"] for b in r.blockers] == ["low_grade"]) is blocked
    assert r.ready is not blocked
    make.commit()
    page = text(auth.as_role("organization").get(f"/discussions/{d.id}/items/{it.id}"))
    assert ("2016 年度考核为“基本称职”（近 3 年内），按规定不得列为考察对象。" in page) is blocked
    if not blocked:
        window = "2017—2019 年度" if day.year == 2020 else "2017—2019 年度，2020 年度待考核"
        assert f"近 3 年年度考核：{window}" in page


def test_low_grade_entered_for_a_pending_year_warns_only(make):
    o = _official({2016: "competent", 2017: "competent", 2018: "competent",
                   2019: "basically_competent"})
    ds.opinion(o, requested=D(2020, 3, 1), outcome=1, answered=D(2020, 3, 10))
    d = s.discussion(date=D(2020, 3, 30))
    it = s.item(d, o)
    s.checks(d, it)
    s.agenda.attach(d, o.id, None, None)
    r = compute(it)
    assert r.ready and r.blockers == []
    assert [w["code"] for w in r.warnings] == ["pending_low_grade"]
    assert r.warnings[0]["text"] == ("2019 年度考核尚未结束（待考核，2020-03-31 结束），已录入"
                                     "“基本称职”；结束后计入近三年年度考核，届时不得列为考察对象。")


# ---- LRMX --------------------------------------------------------------------------------

@pytest.mark.parametrize("today, expected", [
    (D(2020, 3, 30), "2016年度考核基本称职；2017年度考核称职；2018年度考核结果未录入。"),
    (D(2020, 3, 31), "2017年度考核称职；2018年度考核结果未录入；2019年度考核称职。"),
    (D(2021, 1, 1), "2017年度考核称职；2018年度考核结果未录入；2019年度考核称职。"),
])
def test_lrmx_annual_results_are_the_window(make, auth, monkeypatch, today, expected):
    o = _official({2015: "competent", 2016: "basically_competent", 2017: "competent",
                   2019: "competent", 2020: "competent"})
    assert annual_results_text(o, today) == expected
    make.commit()
    monkeypatch.setattr(clock, "today", lambda: today)
    page = text(auth.as_role("organization").get(f"/interop/officials/{o.id}.lrmx"))
    assert f"<NianDuKaoHeJieGuo>{expected}</NianDuKaoHeJieGuo>" in page
