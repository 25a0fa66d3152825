"""Dossier sections 4 (所在单位目标责任考核) and 7 (纪委了解的情况) as the PDF shows them.

The sections come from the unit-assessment and discipline services through the
snapshot hook (:mod:`kaohe.dossier.sections`); every assertion reads the text that
pypdf extracts from a dossier made by :func:`kaohe.dossier.services.generate`.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from kaohe.discipline import rules
from kaohe.dossier import services
from kaohe.dossier.fmt import score as fmt_score
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from kaohe.unitassess.services.official import unit_results_for_official
from tests import discipline_support as ds
from tests import ua_helpers as h
from tests.dossier_support import AS_OF, D, flat, page_texts

# AS_OF is 2020-04-10: the window is 2017–2019, reviews and notes from 2017-01-01.
TOKEN = "DETAILS-SENTINEL-7Q3Z"
SENTINEL = f"{TOKEN}：专案组掌握的绝密细节（仅纪委监委可见）"

MARKS = ("三、所在单位目标责任考核情况", "四、研判情况", "五、组织掌握情况", "六、纪委了解的情况",
         "七、需重点关注的事项", "1.本材料根据")


def body(pdf: bytes) -> str:
    return flat("".join(page_texts(pdf)))


def section(text: str, number: int) -> str:
    """Flattened text of dossier section 3 … 7 by its Chinese number's position (3 → 三)."""
    i = number - 3
    start = text.index(flat(MARKS[i])) + len(flat(MARKS[i]))
    return text[start:text.index(flat(MARKS[i + 1]), start)]


def units_section(pdf: bytes) -> str:
    return section(body(pdf), 3)


def discipline_section(pdf: bytes) -> str:
    return section(body(pdf), 6)


def flags_section(pdf: bytes) -> str:
    return section(body(pdf), 7)


def plain_official(make, name="李明华"):
    """An official whose own records raise no flag: 称职 every year, the four-musts checks
    done, one review; a non-principal post (so section 4 has no unit)."""
    unit = make.unit(name="西湖区")
    o = make.official(name=name, unit_obj=unit)
    make.post(o, unit, start=D(2015, 1, 1), title="副区长")
    for year in (2017, 2018, 2019):
        make.result(o, year, "competent", score=88)
    make.note(o, date=D(2019, 3, 1))
    make.note(o, date=D(2019, 4, 1), kind="personal_report")
    make.review(o, date=D(2019, 6, 1))
    return o


def generate(o):
    d = services.generate(o.id, AS_OF)
    db.session.flush()
    return d


# --- section 7: the integrity opinion and the findings -------------------------------

def test_valid_opinion_and_findings_in_the_window_never_the_details(make):
    o = plain_official(make)
    ds.opinion(o, requested=D(2020, 3, 1), outcome=1, answered=D(2020, 3, 20),
               purpose="拟提拔为区委副书记")
    ds.finding(o, kind="admonishment", source="media", found=D(2018, 5, 2), decided=D(2018, 6, 1),
               summary="媒体曝光的违规问题甲", details=SENTINEL)
    ds.exempt(ds.finding(o, kind="admin_warning", source="higher_level", found=D(2019, 2, 1),
                         decided=D(2019, 3, 1), summary="改革试点失误乙", details=SENTINEL),
              approved_on=D(2019, 4, 1))
    ds.finding(o, kind="talk_inquiry", status="cleared", source="petition", found=D(2019, 5, 1),
               decided=D(2019, 6, 1), summary="反映不实的问题丙", details=SENTINEL)
    ds.finding(o, kind="talk_inquiry", found=D(2015, 1, 1), decided=D(2015, 2, 1),
               summary="窗口之前的问题丁", details=SENTINEL)
    ds.finding(o, kind="pending", status="clue", found=D(2020, 5, 1), decided=None,
               summary="截止日期之后的问题戊", details=SENTINEL)
    d = generate(o)
    sec = discipline_section(d.pdf)

    # The opinion in force: outcome, purpose, dates, expiry.
    for text in ("（一）党风廉政意见回复", "意见结论未收到问题线索", "征求事由拟提拔为区委副书记",
                 "征求日期2020.03.01", "回复日期2020.03.20", "有效期至2020.06.20（有效期3个月）",
                 "回复内容经查，未发现问题。"):
        assert flat(text) in sec, text
    # The findings in the window, newest first: found date and source, kind and decision
    # date, status, impact end, summary, exemption.
    rows = ["2019.05.01信访举报谈话函询2019.06.01了结澄清—（了结澄清）反映不实的问题丙",
            "2019.02.01上级交办政务处分·警告2019.03.01已结案至2019.09.01（已免责，不计）"
            "改革试点失误乙（已容错免责，不作负面评价）免责：改革创新中的失误（市纪委常委会，2019.04.01）",
            "2018.05.02媒体曝光诫勉2018.06.01已结案至2018.12.01媒体曝光的违规问题甲"]
    positions = [sec.index(flat(r)) for r in rows]
    assert positions == sorted(positions)
    assert "窗口之前的问题丁" not in sec and "截止日期之后的问题戊" not in sec
    # Nothing blocks: the opinion is valid and favourable, the impact period is over,
    # the other findings are cleared or exempted.
    flags = flags_section(d.pdf)
    assert "限制性" not in flags and "纪检监察机关意见：未回复" not in body(d.pdf)

    # The details field reaches neither the PDF nor the stored snapshot.
    assert TOKEN not in body(d.pdf) and flat(SENTINEL) not in body(d.pdf)
    assert TOKEN.encode() not in d.pdf
    findings = d.snapshot["discipline"]["findings"]
    assert len(findings) == 3 and all("details" not in f for f in findings)
    assert SENTINEL not in json.dumps(d.snapshot, ensure_ascii=False)
    raw = db.session.execute(sa.text("SELECT snapshot FROM dossier WHERE id = :id"),
                             {"id": d.id}).scalar_one()
    raw = raw if isinstance(raw, str) else json.dumps(raw)
    assert TOKEN not in raw and SENTINEL not in json.dumps(json.loads(raw), ensure_ascii=False)
    db.session.expire_all()
    assert SENTINEL not in json.dumps(db.session.get(Dossier, d.id).snapshot, ensure_ascii=False)


@pytest.mark.parametrize("kind, status, decided, impact", [
    ("admonishment", "closed", D(2019, 1, 15), "至2019.07.15"),  # 民法典 202
    ("party_expulsion", "closed", D(2019, 1, 15), "长期（不再提拔使用）"),
    ("admin_expulsion", "closed", D(2019, 1, 15), "长期（不再提拔使用）"),
    ("talk_inquiry", "closed", D(2019, 1, 15), "无"),
    ("pending", "investigation", None, "未结案"),
])
def test_impact_column(make, kind, status, decided, impact):
    """Impact shown by its end; a permanent one as 长期, never as pending (待定)."""
    o = plain_official(make)
    ds.finding(o, kind=kind, status=status, found=D(2019, 1, 2), decided=decided,
               summary="影响期列的问题")
    sec = discipline_section(generate(o).pdf)
    label = rules.kind_label(kind)
    assert flat(f"2019.01.02媒体曝光{label}") in sec
    assert flat(f"{impact}影响期列的问题") in sec
    assert "待定" not in sec


@pytest.mark.parametrize("setup", ["never_requested", "not_answered", "expired",
                                   "answered_after_as_of", "shorter_validity"])
def test_no_valid_opinion_is_flagged(make, setup):
    o = plain_official(make)
    if setup == "not_answered":
        ds.opinion(o, requested=D(2020, 3, 1))
    elif setup == "expired":  # valid until 2020-03-01
        ds.opinion(o, requested=D(2019, 11, 20), outcome=1, answered=D(2019, 12, 1))
    elif setup == "answered_after_as_of":
        ds.opinion(o, requested=D(2020, 4, 1), outcome=1, answered=D(2020, 4, 20))
    elif setup == "shorter_validity":  # one month: valid until 2020-04-01
        ds.set_setting(rules.OPINION_VALIDITY_KEY, 1)
        ds.opinion(o, requested=D(2020, 2, 20), outcome=1, answered=D(2020, 3, 1))
    d = generate(o)
    sec = discipline_section(d.pdf)
    assert "纪检监察机关意见：未回复" in sec and "有效期至" not in sec
    assert "考评年度内无问题线索、立案或处分记录。" in sec
    flags = flags_section(d.pdf)
    assert flat("重点关注纪检监察机关意见：未回复") in flags
    assert "纪检监察机关意见必听" in flags and "限制性" not in flags


# Answered 2020-01-10 + 3 months = 2020-04-10 = AS_OF: still valid (民法典 202).
@pytest.mark.parametrize("answered, valid", [(D(2020, 1, 10), True), (D(2020, 1, 9), False)])
def test_opinion_validity_ends_on_its_last_day(make, answered, valid):
    o = plain_official(make)
    ds.opinion(o, requested=D(2020, 1, 2), outcome=2, answered=answered)
    sec = discipline_section(generate(o).pdf)
    assert ("有效期至2020.04.10" in sec) is valid
    assert ("纪检监察机关意见：未回复" in sec) is not valid


def _opinion(outcome):
    return lambda o: ds.opinion(o, requested=D(2020, 3, 1), outcome=outcome,
                                answered=D(2020, 3, 20))


BLOCKING = {
    "outcome_4": (_opinion(4), "党风廉政意见回复（2020-03-20）：尚在处置，暂缓提出意见。",
                  "党风廉政意见回复结论为暂缓或不宜使用。"),
    "outcome_5": (_opinion(5), "党风廉政意见回复（2020-03-20）：建议暂缓使用。",
                  "党风廉政意见回复结论为暂缓或不宜使用。"),
    "outcome_6": (_opinion(6), "党风廉政意见回复（2020-03-20）：建议不宜使用。",
                  "党风廉政意见回复结论为暂缓或不宜使用。"),
    "clue": (lambda o: ds.finding(o, kind="pending", status="clue", source="petition",
                                  found=D(2020, 1, 15), decided=None, summary="线索"),
             "纪检监察机关正在处置的问题（信访举报，2020-01-15 发现，尚未办结），办结前不得提拔。",
             "问题线索尚在处置或立案审查中，办结前不得提拔。"),
    "investigation": (lambda o: ds.finding(o, kind="pending", status="investigation",
                                           source="inspection", found=D(2019, 11, 1),
                                           decided=None, summary="立案"),
                      "纪检监察机关正在处置的问题（巡视巡察，2019-11-01 发现，立案审查），办结前不得提拔。",
                      "问题线索尚在处置或立案审查中，办结前不得提拔。"),
    "impact_period": (lambda o: ds.finding(o, kind="party_warning", found=D(2019, 8, 1),
                                           decided=D(2019, 10, 1), summary="警告"),
                      "受党纪处分·警告（2019-10-01 决定），影响期2019-10-01 至 2020-10-01，期内不得提拔。",
                      "处分或组织处理影响期内不得提拔。"),
    "permanent_impact": (lambda o: ds.finding(o, kind="party_expulsion", found=D(2017, 3, 1),
                                              decided=D(2017, 5, 1), summary="开除"),
                         "受党纪处分·开除党籍（2017-05-01 决定），影响期2017-05-01 起（长期），期内不得提拔。",
                         "处分或组织处理影响期内不得提拔。"),
}


@pytest.mark.parametrize("case", list(BLOCKING))
def test_blocking_conditions_are_block_flags_with_their_reason(make, case):
    setup, text, reason = BLOCKING[case]
    o = plain_official(make)
    setup(o)
    flags = flags_section(generate(o).pdf)
    assert flags.count("限制性") == 1
    assert flat(f"1限制性{text}纪委监委记录：{reason}") in flags


NOT_BLOCKING = {
    "outcome_1": _opinion(1),
    "outcome_2": _opinion(2),
    "outcome_3": _opinion(3),
    "impact_over": lambda o: ds.finding(o, kind="party_warning", found=D(2017, 11, 1),
                                        decided=D(2018, 1, 1), summary="已过影响期"),
    "cleared": lambda o: ds.finding(o, kind="talk_inquiry", status="cleared", found=D(2020, 1, 2),
                                    decided=D(2020, 2, 1), summary="了结澄清"),
    "exempted_in_impact": lambda o: ds.exempt(
        ds.finding(o, kind="party_warning", found=D(2019, 8, 1), decided=D(2019, 10, 1),
                   summary="改革中的失误"), approved_on=D(2019, 11, 1)),
}


@pytest.mark.parametrize("case", list(NOT_BLOCKING))
def test_cleared_exempted_and_favourable_records_do_not_block(make, case):
    o = plain_official(make)
    NOT_BLOCKING[case](o)
    d = generate(o)
    assert "限制性" not in flags_section(d.pdf)
    assert d.snapshot["discipline"]["blockers"] == []
    sec = discipline_section(d.pdf)
    if case.startswith("exempted"):
        assert "（已容错免责，不作负面评价）" in sec
    if case == "exempted_in_impact":
        assert flat("至2020.10.01（已免责，不计）") in sec
    if case == "cleared":
        assert "了结澄清—（了结澄清）了结澄清" in sec


# --- section 4: results of the units led as principal leader -------------------------

def _led_units(make):
    """Four county units with published schemes 2016–2020; the official led 第1区
    (2014 – 2018-06) and 第2区 (since 2018-07) as principal leader and held a
    non-principal post at 第3区."""
    a, b, c, d = h.units(4)
    o = plain_official(make, name="赵立新")
    make.post(o, a, start=D(2014, 1, 1), end=D(2018, 6, 30), principal=True, title="区委书记")
    make.post(o, b, start=D(2018, 7, 1), principal=True, title="区长")
    make.post(o, c, start=D(2016, 1, 1), title="挂职副区长")
    schemes = {}
    for year in range(2016, 2021):
        s = schemes[year] = h.scheme(year=year)
        for i, u in enumerate((a, b, c, d)):
            h.fill(s, u, 1.0 - 0.05 * i)
            h.rating(s, u, 95 - 3 * i)
    return o, (a, b, c, d), schemes


def test_unit_results_of_the_units_led_in_the_window_years(make, monkeypatch):
    h.no_discipline(monkeypatch)
    o, (a, b, c, _d), s = _led_units(make)
    h.event(s[2017], a, "provincial_commendation", 1, date=D(2017, 4, 1),
            reason="获评省级文明城区（二〇一七）", evidence="省文明委通报")
    h.event(s[2018], a, "provincial_deduction", 1.5, date=D(2018, 5, 1),
            reason="省环保督察通报问题（二〇一八）", evidence="省督察组通报")
    h.event(s[2019], b, "efficiency_penalty", 0.5, date=D(2019, 9, 1),
            reason="效能投诉超期办理（二〇一九）", evidence="市效能办通报")
    h.event(s[2016], a, "efficiency_bonus", 1, date=D(2016, 5, 1), reason="二〇一六年度加分事项")
    h.event(s[2020], b, "efficiency_bonus", 1, date=D(2020, 5, 1), reason="二〇二〇年度加分事项")
    h.event(s[2018], c, "efficiency_bonus", 1, date=D(2018, 5, 1), reason="未任主要负责人单位的事项")
    d = generate(o)
    sec = units_section(d.pdf)

    expected = unit_results_for_official(o.id, [2017, 2018, 2019])
    assert [(r["year"], r["unit_name"]) for r in expected] == [
        (2017, "第1区"), (2018, "第1区"), (2018, "第2区"), (2019, "第2区")]
    assert flat("考评年度内该干部担任主要负责人的单位：第1区区委书记（2014.01—2018.06）；"
                "第2区区长（2018.07—至今）。") in sec
    summary = sec[sec.index(flat("（一）考核结果")):sec.index(flat("（二）加分、减分明细"))]
    rows = []
    for r in expected:
        eligible = "有" if r["eligible_top"] else "取消（省级扣分）"
        rows.append(flat(f"{r['year']}{r['unit_name']}（{r['post_title']}）全年"
                         f"{fmt_score(r['score'])}{r['rank']}/{r['size']}{r['grade_label']}{eligible}"))
    positions = [summary.index(row) for row in rows]
    assert positions == sorted(positions)
    # The provincial deduction cost double and the top grade, though the unit ranked first.
    a2018 = expected[1]
    assert a2018["rank"] == 1 and a2018["eligible_top"] is False and a2018["grade_label"] != "优秀"
    assert expected[0]["grade_label"] == "优秀" and expected[0]["eligible_top"] is True
    lines = sec[sec.index(flat("（二）加分、减分明细")):]
    assert flat(f"2018 年度　第1区（区委书记）　全年得分 {fmt_score(a2018['score'])}，"
                f"第 1/{a2018['size']} 名，"
                f"{a2018['grade_label']}；受省级考核扣分，取消评优资格（不得评为优秀）") in lines
    for text in ("省级表彰加分获评省级文明城区（二〇一七）+22017.04.01（省级1分×2倍=2分）；依据：省文明委通报",
                 "省级考核扣分省环保督察通报问题（二〇一八）-32018.05.01（省级1.5分×2倍=3分）；依据：省督察组通报",
                 "效能建设扣分效能投诉超期办理（二〇一九）-0.52019.09.01；依据：市效能办通报"):
        assert flat(text) in lines, text
    # 2018 at 第2区: led from July, no bonus or deduction.
    assert flat(f"2018 年度　第2区（区长）　全年得分 {fmt_score(expected[2]['score'])}") in lines
    assert "无加分、减分事项" in lines
    # Nothing from the years outside the window or from the unit not led.
    for text in ("二〇一六年度加分事项", "二〇二〇年度加分事项", "未任主要负责人单位的事项", "第3区",
                 "2016年度", "2020年度", "尚无单位目标责任考核结果", "无已发布的目标责任考核结果"):
        assert flat(text) not in sec, text


@pytest.mark.parametrize("kind, points, category, shown, eligible", [
    ("provincial_commendation", 1.5, "省级表彰加分", "+3", "有"),
    ("provincial_deduction", 1.5, "省级考核扣分", "-3", "取消（省级扣分）"),
    ("efficiency_bonus", 1.5, "效能建设加分", "+1.5", "有"),
    ("efficiency_penalty", 1.5, "效能建设扣分", "-1.5", "有"),
])
def test_bonus_and_deduction_lines(make, monkeypatch, kind, points, category, shown, eligible):
    h.no_discipline(monkeypatch)
    o, (a, *_), s = _led_units(make)
    h.event(s[2017], a, kind, points, date=D(2017, 6, 1), reason="加减分事由", evidence="通报")
    sec = units_section(generate(o).pdf)
    assert flat(f"{category}加减分事由{shown}2017.06.01") in sec
    row = sec[sec.index(flat("2017第1区（区委书记）全年")):sec.index(flat("2018第1区"))]
    assert row.endswith(eligible)
    not_eligible = "受省级考核扣分，取消评优资格（不得评为优秀）" in sec
    assert not_eligible is (kind == "provincial_deduction")


def test_party_conduct_deduction_of_a_led_unit(make):
    """A finding about the official, found by the media while leading the unit, costs the
    unit party-conduct points: the dossier shows the line with its reason."""
    o, (a, *_), _s = _led_units(make)
    ds.finding(o, source="media", kind="admonishment", found=D(2017, 2, 1),
               decided=D(2017, 3, 1), summary="媒体曝光", details=SENTINEL)
    sec = units_section(generate(o).pdf)
    assert flat("党风廉政建设赵立新：媒体曝光发现的问题，2017-03-01 给予诫勉") in sec
    assert TOKEN not in sec


def test_years_without_a_result_are_named(make, monkeypatch):
    h.no_discipline(monkeypatch)
    a, b = h.units(2)
    o = plain_official(make, name="钱进")
    make.post(o, a, start=D(2014, 1, 1), end=D(2018, 6, 30), principal=True, title="区委书记")
    make.post(o, b, start=D(2018, 7, 1), principal=True, title="区长")
    for year in (2017, 2019):
        s = h.scheme(year=year)
        for u in (a, b):
            h.fill(s, u)
    sec = units_section(generate(o).pdf)
    assert flat("2017第1区（区委书记）") in sec and flat("2019第2区（区长）") in sec
    assert flat("下列年度所在单位无已发布的目标责任考核结果（未录入）：2018 年度第1区；"
                "2018 年度第2区。") in sec


NO_DATA = "（考评年度内该干部任主要负责人的单位没有已发布的考核方案或考核数据）。"
NOT_LED = "（考评年度内该干部未担任单位主要负责人）。"


@pytest.mark.parametrize("setup, why", [
    ("no_scheme", NO_DATA),
    ("draft_scheme", NO_DATA),
    ("published_without_data", NO_DATA),
    ("scheme_outside_window", NO_DATA),
    ("not_principal", NOT_LED),
    ("principal_after_window", NOT_LED),
])
def test_no_unit_results(make, monkeypatch, setup, why):
    h.no_discipline(monkeypatch)
    a, = h.units(1)
    o = plain_official(make, name="孙立")
    if setup == "not_principal":
        make.post(o, a, start=D(2016, 1, 1), title="副区长")
    elif setup == "principal_after_window":
        make.post(o, a, start=D(2020, 2, 1), principal=True, title="区长")
    else:
        make.post(o, a, start=D(2016, 1, 1), principal=True, title="区长")
    if setup == "draft_scheme":
        h.scheme(year=2018, publish=False)
    elif setup == "published_without_data":
        h.scheme(year=2018)
    elif setup == "scheme_outside_window":
        for year in (2016, 2020):
            h.fill(h.scheme(year=year), a)
    elif setup != "no_scheme":  # data in the window, but the unit was not led then
        for year in (2016, 2018, 2020):
            h.fill(h.scheme(year=year), a)
    sec = units_section(generate(o).pdf)
    if why == NOT_LED:  # said once (the provider's statement used to repeat it)
        assert sec.startswith(flat("考评年度内该干部未担任单位主要负责人。"
                                   "本部分不涉及所在单位目标责任考核结果。"))
        assert sec.count("未担任单位主要负责人") == 1
    else:
        assert sec.startswith(flat("考评年度内该干部担任主要负责人的单位："))
        assert flat(f"尚无单位目标责任考核结果{why}") in sec and "未担任" not in sec
    assert "（一）考核结果" not in sec and "得分" not in sec


# --- long tables ---------------------------------------------------------------------

def test_long_tables_continue_with_their_header(make, monkeypatch):
    h.no_discipline(monkeypatch)
    o, (a, *_), s = _led_units(make)
    reasons = [f"第{i:02d}项加分事由：推进重点项目建设成效明显，获市委市政府通报表扬并推广经验做法"
               for i in range(1, 41)]
    for i, reason in enumerate(reasons):
        h.event(s[2017], a, "other_bonus", 0.1, date=D(2017, 1, 1 + i % 28), reason=reason)
    for i in range(12):
        ds.finding(o, kind="talk_inquiry", source="petition", found=D(2019, 1, 1 + i),
                   decided=D(2019, 2, 1 + i), summary=f"第{i:02d}件问题线索：" + "反映的情况经核实属一般性问题，" * 4,
                   details=SENTINEL)
    d = generate(o)
    pages = [flat(p) for p in page_texts(d.pdf)]
    text = "".join(pages)
    for reason in reasons:
        assert flat(reason) in text
    with_lines = [p for p in pages if "加分事由" in p]
    assert len(with_lines) >= 2
    assert all(p.count("类别事项分值说明") == 1 for p in with_lines)  # header on every page
    with_findings = [p for p in pages if "件问题线索" in p]
    assert len(with_findings) >= 2
    assert all("发现日期来源处理（处分）决定日期状态影响期摘要" in p for p in with_findings)
    assert TOKEN not in text


@pytest.mark.parametrize("count", [9, 29])
def test_a_flag_row_is_not_torn_from_its_number(make, count):
    """A flag row that does not fit at the foot of a page moves whole to the next one
    (with ``count`` notes the table breaks where ReportLab tore a row: its number and
    level at the foot of one page, its text on the next)."""
    o = plain_official(make)
    for i in range(count):
        make.note(o, date=D(2019, 1 + i % 12, 1 + i % 28), kind="file_audit", result="issue",
                  content="档案审核发现问题", outcome="出生日期、参加工作时间前后不一致，" * (1 + i % 5))
    pages = [flat(p) for p in page_texts(generate(o).pdf)]
    first = next(n for n, p in enumerate(pages) if flat(MARKS[4]) in p)
    seen = 0
    for page in pages[first:]:
        for number in range(1, count + 2):
            head = f"{number}重点关注"
            if head in page:
                seen += 1
                rest = page.split(head, 1)[1]
                assert rest.startswith(("干部人事档案审核：存在问题", "纪检监察机关意见：未回复")), \
                    (number, rest[:40])
    assert seen >= count + 1


def test_split_tables_keep_rows_whole(ctx):
    """At every height a flags table breaks between rows; only a row taller than a page is
    split, and then each part keeps at least two lines."""
    from kaohe.dossier import records, tables
    from kaohe.dossier.styles import FRAME_W, kit

    k = kit(services.font_spec())
    flags = [{"level": "warn", "code": "x", "text": f"第{i}条提示事项",
              "detail": "需要在讨论前核实的情况说明。" * (6 - i % 6)} for i in range(16)]
    table = records.flags({"flags": flags}, k)[-1]
    assert isinstance(table, tables.WholeRows)
    _w, height = table.wrap(FRAME_W, 10 ** 6)
    rows = len(table._cellvalues)
    splits = 0
    for avail in range(20, int(height), 5):
        parts = table.split(FRAME_W, avail)
        if parts:
            splits += 1
            top, rest = parts
            assert len(top._cellvalues) + len(rest._cellvalues) - 1 == rows  # header repeated
            assert sum(top._rowHeights) <= avail
    assert splits > 10
    giant = records.flags({"flags": [{"level": "block", "code": "x", "text": "很长的事项",
                                      "detail": "超长的说明文字。" * 600}]}, k)[-1]
    _w, height = giant.wrap(FRAME_W, 10 ** 6)
    assert height > tables.FRAME_H
    top, rest = giant.split(FRAME_W, tables.FRAME_H)
    assert min(sum(top._rowHeights), sum(rest._rowHeights)) >= tables.MIN_ROW_SPLIT


def test_led_units_sentence_says_the_unit_once(make):
    """「考评年度内该干部担任主要负责人的单位」 names a post whose title begins with its unit
    as 现任职务 does (「东城区区长」), not 「东城区东城区区长」."""
    unit = make.unit(name="东城区")
    o = make.official(name="赵一", unit_obj=unit)
    make.post(o, unit, start=D(2015, 1, 1), end=D(2018, 6, 30), title="东城区区长",
              principal=True)
    make.post(o, unit, start=D(2018, 7, 1), title="区委书记", principal=True)
    text = units_section(services.generate(o.id, AS_OF).pdf)
    assert flat("东城区区长（2015.01—2018.06）") in text and "东城区东城区" not in text
    assert flat("东城区区委书记（2018.07—") in text
