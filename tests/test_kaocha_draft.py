"""The 考察材料 draft (.docx): read back with python-docx and checked paragraph by paragraph."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlalchemy import select

from kaohe.assessments.window import assessment_window
from kaohe.audit.models import AuditLog
from kaohe.extensions import db
from kaohe.kaocha import content, services, writer
from kaohe.kaocha.models import MIME
from kaohe.officials.services import save_post
from tests import factories as f
from tests import kaocha_support as ks
from tests.helpers import field_errors, text

D = dt.date
SIGNED = D(2020, 4, 8)
HEADINGS = ["一、主要表现", "（一）德：政治品质和道德品行", "（二）能：工作能力",
            "（三）勤：工作作风和精神状态", "（四）绩：工作实绩", "（五）廉：廉洁自律",
            "二、主要缺点和不足", "三、年度考核情况", "四、民主推荐、民主测评情况"]


def draft(official, as_of=ks.s.DAY, item=None, group="市委组织部考察组", inspectors="张三、李四"):
    return ks.paragraphs(services.draft_docx(official, as_of, SIGNED, group, inspectors, item))


def bare(**kw):
    """An official with no review or result."""
    return f.official(name=kw.pop("name", "李明"), **kw)


# ---------------------------------------------------------------- facts

@pytest.mark.parametrize("fields,phrase", [
    ({"political_status": "中共党员", "party_date": D(1998, 7, 1)}, "1998年7月加入中国共产党"),
    ({"political_status": "中共预备党员", "party_date": D(2025, 6, 30)},
     "2025年6月加入中国共产党（预备党员）"),
    ({"political_status": "民主党派", "party_date": None, "democratic_party": "民建"}, "民建会员"),
    ({"political_status": "民主党派", "party_date": None, "democratic_party": "九三学社",
      "democratic_party_date": D(2005, 3, 1)}, "2005年3月加入九三学社，九三学社社员"),
    ({"political_status": "中共党员", "party_date": D(1995, 6, 1), "democratic_party": "民盟"},
     "1995年6月加入中国共产党，民盟盟员"),
    ({"political_status": "无党派人士", "party_date": None}, "无党派人士"),
    ({"political_status": "", "party_date": None}, "【政治面貌未录入】"),
])
def test_facts_state_the_political_affiliation(make, fields, phrase):
    o = bare(**fields)
    facts = draft(o)[1]
    assert facts == (f"李明，男，汉族，1975年3月生，浙江杭州人，{phrase}，1996年8月参加工作，"
                     "【学历未录入】，现任区委副书记。")


def test_facts_of_a_crowd_member_say_nothing_of_a_party(make):
    o = bare(political_status="群众", party_date=None, gender="F", ethnicity="回族",
             native_place="宁夏银川人", edu_fulltime="大学", degree_fulltime="学士",
             edu_inservice="省委党校研究生", degree_inservice="管理学硕士",
             work_start_date=D(2000, 12, 31), current_post="市委办公室副主任")
    assert draft(o)[1] == ("李明，女，回族，1975年3月生，宁夏银川人，2000年12月参加工作，"
                           "大学学历，学士学位；在职省委党校研究生学历，管理学硕士，"
                           "现任市委办公室副主任。")


def test_missing_facts_are_marked_for_the_author(make):
    o = bare(native_place="", work_start_date=None, current_post="", political_status="",
             party_date=None)
    facts = draft(o)[1]
    for mark in ("【籍贯未录入】", "【参加工作时间未录入】", "【学历未录入】", "【现任职务未录入】",
                 "【政治面貌未录入】"):
        assert mark in facts


@pytest.mark.parametrize("meeting, post", [
    (D(2020, 4, 10), "东城区区长"),  # the meeting before the appointment
    (D(2021, 5, 31), "东城区区长"),  # the old post's last day: still held, the new one not yet
    (D(2021, 6, 1), "东城区委书记"),
])
def test_item_draft_states_the_post_held_on_the_meeting_date(make, meeting, post):
    """The draft of an item is of the meeting date (its grades, reviews): so is 现任职务,
    not the text recorded since (the appointment it led to)."""
    d, it = ks.item(date=meeting)
    o = it.official
    [old] = o.posts
    save_post(o, old, {"unit_id": old.unit_id, "title": old.title, "rank": old.rank,
                       "start_date": old.start_date, "end_date": D(2021, 5, 31),
                       "is_principal": True, "note": ""})
    f.post(o, old.unit, start=D(2021, 6, 1), principal=True, title="东城区委书记")
    o.current_post = "东城区委书记"
    db.session.flush()
    facts = draft(o, as_of=meeting, item=it)[1]
    assert facts.endswith(f"现任{post}。"), facts
    assert draft(o, as_of=D(2021, 6, 2))[1].endswith("现任东城区委书记。")


# ---------------------------------------------------------------- layout

def test_headings_title_and_signature_in_order(make):
    d, it = ks.item()
    lines = draft(it.official, item=it)
    assert lines[0] == "王建国同志考察材料"
    assert lines[2] == ("根据干部工作安排，市委组织部考察组对王建国同志（拟任东城区委书记）进行了考察。"
                        "现将考察情况报告如下：")
    positions = [lines.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    assert lines[-3:] == ["考察组：市委组织部考察组", "考察人：张三、李四", "2020年4月8日"]


def test_item_without_proposed_post_names_the_action(make):
    d, it = ks.item(action="dismiss", post="")
    assert "对王建国同志（拟免职）进行了考察" in draft(it.official, item=it)[2]


@pytest.mark.parametrize("action, post, removal, said", [
    ("exchange", "西城区区长", "东城区区长", "（拟任西城区区长，拟免东城区区长）"),
    ("dismiss", "", "东城区区长", "（拟免东城区区长）"),
    ("promote", "东城区委书记", "", "（拟任东城区委书记）"),
])
def test_intro_names_both_posts_of_the_item(make, action, post, removal, said):
    d, it = ks.item(action=action, post=post, removal=removal)
    assert f"对王建国同志{said}进行了考察" in draft(it.official, item=it)[2]


def test_blank_signature_leaves_lines_to_fill(make):
    lines = draft(bare(), group="", inspectors="")
    assert lines[2].startswith("根据干部工作安排，考察组对李明同志进行了考察。")
    assert lines[-3:] == [f"考察组：{writer.BLANK}", f"考察人：{writer.BLANK}", "2020年4月8日"]


def test_page_fonts_and_margins_of_a_gongwen(make):
    data = services.draft_docx(bare(), ks.s.DAY, SIGNED, "", "", None)
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin,
             section.bottom_margin, section.left_margin, section.right_margin)
    # Stored in twips: within 0.1 mm of A4 and the 公文 margins.
    for got, want in zip(sizes, (210, 297, 37, 35, 28, 26)):
        assert abs(got - Mm(want)) < Mm(0.1)
    title, body = doc.paragraphs[0].runs[0], doc.paragraphs[2].runs[0]
    heading = next(p for p in doc.paragraphs if p.text == "一、主要表现").runs[0]
    east_asian = [r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in (title, body, heading)]
    assert east_asian == ["方正小标宋简体", "仿宋_GB2312", "黑体"]
    assert (title.font.size, body.font.size) == (Pt(22), Pt(16))
    assert doc.paragraphs[2].paragraph_format.first_line_indent == Pt(32)
    assert doc.paragraphs[2].paragraph_format.line_spacing == Pt(28)
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and "— " in section.footer.paragraphs[0].text
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert not [a for a in defaults.attrib if a.endswith("Theme")]  # no theme font wins


# ---------------------------------------------------------------- strengths and weaknesses

def test_strengths_are_placed_under_their_headings_and_nothing_is_dropped(make):
    o = bare()
    f.review(o, date=D(2019, 9, 1), author="赵研判",
             strengths="德：政治坚定，对党忠诚；能：统筹协调能力强。\n【绩】完成棚户区改造三万户。\n"
                       "（五）廉：严格落实中央八项规定精神。",
             weaknesses="工作方法有时简单。")
    f.review(o, date=D(2018, 5, 2), kind="thematic", author="钱研判",
             strengths="敢于担当，善于攻坚\n工作作风：深入基层", weaknesses="")
    lines = draft(o)
    src_a, src_b = "（据2019-09-01 日常研判，研判人赵研判）", "（据2018-05-02 专题研判，研判人钱研判）"
    assert ks.after(lines, HEADINGS[1], HEADINGS[2]) == ["政治坚定，对党忠诚" + src_a]
    assert ks.after(lines, HEADINGS[2], HEADINGS[3]) == ["统筹协调能力强。" + src_a]
    assert ks.after(lines, HEADINGS[3], HEADINGS[4]) == ["深入基层" + src_b]
    assert ks.after(lines, HEADINGS[4], HEADINGS[5]) == ["完成棚户区改造三万户。" + src_a]
    assert ks.after(lines, HEADINGS[5], writer.UNSORTED_HEADING) == [
        "严格落实中央八项规定精神。" + src_a]
    assert ks.after(lines, writer.UNSORTED_HEADING, HEADINGS[6]) == [
        writer.UNSORTED_NOTE, "敢于担当，善于攻坚" + src_b]
    assert ks.after(lines, HEADINGS[6]) == ["工作方法有时简单。" + src_a]


def test_unlabelled_only_and_empty_headings(make):
    o = bare()
    f.review(o, date=D(2019, 6, 1), strengths="能力突出，德才兼备", weaknesses="")
    lines = draft(o)
    for n in range(1, 6):  # 「能力」「德才」 inside a sentence are no labels
        assert ks.after(lines, HEADINGS[n], (HEADINGS + [writer.UNSORTED_HEADING])[n + 1]
                        if n < 5 else writer.UNSORTED_HEADING) == [writer.EMPTY_DIMENSION]
    assert "能力突出，德才兼备（据2019-06-01 日常研判，研判人李干部）" in lines
    assert ks.after(lines, HEADINGS[6]) == [writer.NO_WEAKNESS]


@pytest.mark.parametrize("text,pieces", [
    ("德：甲；能：乙。勤：丙", [("de", "甲"), ("neng", "乙。"), ("qin", "丙")]),
    ("【德】甲\n[能]乙\n（勤）丙\n(绩):丁", [("de", "甲"), ("neng", "乙"), ("qin", "丙"), ("ji", "丁")]),
    ("一、德：甲\n2.工作实绩：乙\n（三）廉政：丙", [("de", "甲"), ("ji", "乙"), ("lian", "丙")]),
    ("前言\n德：甲", [(None, "前言"), ("de", "甲")]),
    ("道德品行好，能吃苦", [(None, "道德品行好，能吃苦")]),
    ("德：\n能：乙", [("neng", "乙")]),
    ("", []),
    ("\x00\x0b德：甲\x1f", [("de", "甲")]),
])
def test_split_dimensions(text, pieces):
    assert content.split_dimensions(text) == pieces


def test_reviews_outside_the_window_are_not_read(make):
    o = bare()
    f.review(o, date=D(2016, 12, 31), strengths="德：窗口之前")
    f.review(o, date=D(2017, 1, 1), strengths="德：窗口第一天")
    lines = draft(o, as_of=D(2020, 4, 10))  # window 2017–2019
    assert not any("窗口之前" in line for line in lines)
    assert any(line.startswith("窗口第一天") for line in lines)


def test_huge_review_texts_with_control_characters(make):
    o = bare()
    big = "坚持原则、敢抓敢管。" * 2_000  # 20 000 characters
    f.review(o, date=D(2019, 6, 1), strengths=f"德：{big}\x07\n能：{'能力强' * 3000}",
             weaknesses="不足\x0c" + "需加强理论学习。" * 1000)
    data = services.draft_docx(o, ks.s.DAY, SIGNED, "", "", None)
    lines = ks.paragraphs(data)
    de = ks.after(lines, HEADINGS[1], HEADINGS[2])
    assert len(de) == 1 and de[0].startswith(big) and "\x07" not in de[0]
    assert ks.after(lines, HEADINGS[2], HEADINGS[3])[0].startswith("能力强" * 3000)
    assert ks.after(lines, HEADINGS[6])[0].startswith("不足需加强理论学习。")


def test_multi_line_strength_keeps_its_lines(make):
    o = bare()
    f.review(o, date=D(2019, 6, 1), strengths="绩：第一，招商引资。\n第二，脱贫攻坚。\n\n第三，生态保护。")
    lines = ks.after(draft(o), HEADINGS[4], HEADINGS[5])
    assert lines == ["第一，招商引资。", "第二，脱贫攻坚。",
                     "第三，生态保护。（据2019-06-01 日常研判，研判人李干部）"]


# ---------------------------------------------------------------- annual grades

@pytest.mark.parametrize("as_of,expected", [
    (D(2020, 3, 30), ["2016年度：优秀", "2017年度：称职", "2018年度：基本称职",
                      "2019年度：待考核（该年度考核于2020年3月31日确定等次）"]),
    (D(2020, 3, 31), ["2017年度：称职", "2018年度：基本称职", "2019年度：未录入年度考核结果"]),
    (D(2020, 4, 1), ["2017年度：称职", "2018年度：基本称职", "2019年度：未录入年度考核结果"]),
    (D(2021, 1, 1), ["2017年度：称职", "2018年度：基本称职", "2019年度：未录入年度考核结果",
                     "2020年度：待考核（该年度考核于2021年3月31日确定等次）"]),
])
def test_grades_per_year_at_the_window_boundaries(make, as_of, expected):
    o = bare()
    for year, grade in ((2016, "excellent"), (2017, "competent"),
                        (2018, "basically_competent")):
        f.result(o, year, grade)
    f.result(o, 2019, "competent", kind="quarterly", quarter=4)  # not an annual grade
    assert ks.after(draft(o, as_of=as_of), "三、年度考核情况") == expected


@pytest.mark.parametrize("work_start, expected", [
    (D(2019, 8, 1), ["2017年度：未参加考核（2019.08参加工作）",  # started the year after
                     "2018年度：未参加考核（2019.08参加工作）", "2019年度：未录入年度考核结果"]),
    (D(2018, 12, 31), ["2017年度：未参加考核（2018.12参加工作）",  # at work on its last day
                       "2018年度：未录入年度考核结果", "2019年度：未录入年度考核结果"]),
])
def test_a_year_before_work_began_is_said_as_the_form_says_it(make, work_start, expected):
    o = bare(work_start_date=work_start, party_date=None)
    assert ks.after(draft(o, as_of=D(2020, 4, 1)), "三、年度考核情况")[:3] == expected


def test_leap_day_conclusion_setting(make):
    from kaohe.settings import services as settings

    settings.set_value("assessment.year_concludes_on", "02-29")
    o = bare()
    f.result(o, 2020, "excellent")
    lines = ks.after(draft(o, as_of=D(2021, 2, 28)), "三、年度考核情况")
    assert lines[-1] == "2020年度：优秀"  # 02-29 falls on 28 February in 2021
    lines = ks.after(draft(o, as_of=D(2021, 2, 27)), "三、年度考核情况")
    assert lines[-1] == "2020年度：待考核（该年度考核于2021年2月28日确定等次）"


# ---------------------------------------------------------------- votes

@pytest.mark.parametrize("votes,participants,expected", [
    (2, 3, "66.7%"), (1, 3, "33.3%"), (1, 6, "16.7%"), (1, 8, "12.5%"), (1, 16, "6.3%"),
    (7, 8, "87.5%"), (1, 2000, "0.1%"), (1, 20001, "0.0%"), (0, 5, "0.0%"), (5, 5, "100.0%"),
    (0, 0, "—"),
])
def test_vote_rate_rounds_half_up_to_one_decimal(votes, participants, expected):
    assert content.rate(votes, participants) == expected


def test_recommendations_and_evaluations_from_the_records(make):
    d, it = ks.item()
    o = it.official
    ks.recommend(d, it, participants=48, votes=41, held_on=D(2020, 3, 20))
    ks.recommend(d, it, participants=16, votes=1, kind="talk", held_on=D(2020, 3, 2), scope="",
                 note="个别谈话推荐。")
    f.result(o, 2016, "excellent", votes_total=40, votes_excellent=40)  # outside the window
    lines = ks.after(draft(o, item=it), HEADINGS[-1])
    assert lines == [
        "2020年3月2日谈话调研推荐：参加推荐 16 人，得票 1 票，得票率 6.3%。个别谈话推荐。",
        "2020年3月20日会议推荐（区委全委会成员）：参加推荐 48 人，得票 41 票，得票率 85.4%。",
    ]


def test_evaluation_line_per_year_with_votes(make):
    o = bare()
    f.result(o, 2018, "competent", votes_total=45, votes_excellent=20, votes_competent=23,
             votes_basically_competent=2, votes_incompetent=0)
    f.result(o, 2019, "excellent", votes_total=3, votes_excellent=2, votes_competent=None,
             votes_basically_competent=1)
    assert ks.after(draft(o), HEADINGS[-1]) == [
        "2018年度民主测评：参加测评 45 人，优秀 20 票（44.4%）、称职 23 票（51.1%）、"
        "基本称职 2 票（4.4%）、不称职 0 票（0.0%）；优秀和称职票合计 43 票，得票率 95.6%。",
        "2019年度民主测评：参加测评 3 人，优秀 2 票（66.7%）、称职 0 票（0.0%）、"
        "基本称职 1 票（33.3%）、不称职 0 票（0.0%）；优秀和称职票合计 2 票，得票率 66.7%。",
    ]


def test_no_votes_recorded_says_so(make):
    assert ks.after(draft(bare()), HEADINGS[-1]) == [writer.NO_VOTES]


# ---------------------------------------------------------------- pages

def test_item_draft_page_then_download(make, auth, today):
    d, it = ks.item()
    ks.recommend(d, it, participants=60, votes=59)
    make.commit()
    client = auth.as_role("organization")
    item_page = text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    url = f"/discussions/{d.id}/items/{it.id}/kaocha/draft"
    assert url in item_page and "98.3%" in item_page.split('id="kaocha"')[1]
    form = text(client.get(url))
    assert f'value="{today.isoformat()}"' in form and 'id="group"' in form
    response = client.get(url, query_string={"group": "市委组织部第二考察组",
                                             "inspectors": "张三、李四", "date": "2020-04-09"})
    assert response.status_code == 200 and response.mimetype == MIME["docx"]
    assert "no-store" in response.headers["Cache-Control"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    lines = ks.paragraphs(response.data)
    assert lines[-3:] == ["考察组：市委组织部第二考察组", "考察人：张三、李四", "2020年4月9日"]
    assert "2020年3月20日会议推荐（区委全委会成员）：参加推荐 60 人，得票 59 票，得票率 98.3%。" in lines
    log = db.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "discussion_access").order_by(AuditLog.id.desc())).first()
    assert (log.action, log.after["what"], log.after["item_id"]) == ("download", "考察材料初稿",
                                                                     it.id)


@pytest.mark.parametrize("query,field,message", [
    ({"date": "2020-02-30"}, "date", "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
    ({"date": ""}, "date", "请填写落款日期。"),
    ({"date": "2020-04-09", "group": "组" * 101}, "group", "字段长度不能超过 100 个字符。"),
])
def test_draft_bad_input_shows_the_form_again(make, auth, query, field, message):
    d, it = ks.item()
    make.commit()
    response = auth.as_role("organization").get(
        f"/discussions/{d.id}/items/{it.id}/kaocha/draft", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert field_errors(text(response), field) == [message]


def test_profile_draft_is_as_of_today(make, auth, today):
    o = bare()
    years = assessment_window(today).years
    f.result(o, years[0], "excellent")
    make.commit()
    client = auth.as_role("organization")
    url = f"/officials/{o.id}/kaocha/draft"
    assert url in text(client.get(f"/officials/{o.id}"))
    response = client.get(url,
                          query_string={"date": today.isoformat()})
    assert response.mimetype == MIME["docx"]
    lines = ks.paragraphs(response.data)
    assert ks.after(lines, "三、年度考核情况")[:2] == [f"{years[0]}年度：优秀",
                                                  f"{years[1]}年度：未录入年度考核结果"]
    assert lines[2] == "根据干部工作安排，考察组对李明同志进行了考察。现将考察情况报告如下："
    auth.logout()
    reader = auth.as_role("discipline")
    assert url not in text(reader.get(f"/officials/{o.id}"))
    assert reader.get(url).status_code == 403


# ---------------------------------------------------------------- command line

def test_cli_writes_the_item_draft(make, runner, tmp_path):
    d, it = ks.item()
    ks.recommend(d, it, participants=3, votes=2)
    make.commit()
    out = tmp_path / "draft.docx"
    result = runner.invoke(args=["kaocha-draft", str(it.official_id), "--item", str(it.id),
                                 "--date", "2020-04-09", "--group", "市委组织部考察组",
                                 "--inspectors", "张三", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成王建国同志考察材料初稿" in result.output
    lines = ks.paragraphs(out.read_bytes())
    assert "（拟任东城区委书记）" in lines[2] and lines[-3:] == [
        "考察组：市委组织部考察组", "考察人：张三", "2020年4月9日"]
    assert "2020年3月20日会议推荐（区委全委会成员）：参加推荐 3 人，得票 2 票，得票率 66.7%。" in lines
    assert ks.after(lines, "三、年度考核情况") == ["2017年度：称职", "2018年度：优秀", "2019年度：称职"]


@pytest.mark.parametrize("args,message", [
    (["999999"], "干部 999999 不存在。"),
    (["{official}", "--item", "999999"], "议题 999999 不存在或不是王建国的议题。"),
    (["{other}", "--item", "{item}"], "不是李明的议题。"),
    (["{official}", "--date", "2020-02-30"], "2020-02-30"),
    (["{official}", "--group", "组" * 101], "考察组不能超过 100 个字。"),
])
def test_cli_refusals(make, runner, tmp_path, args, message):
    d, it = ks.item()
    other = bare()
    make.commit()
    out = tmp_path / "draft.docx"
    values = {"official": it.official_id, "other": other.id, "item": it.id}
    result = runner.invoke(args=["kaocha-draft", *(a.format(**values) for a in args),
                                 "-o", str(out)])
    assert result.exit_code != 0 and message in result.output
    assert not out.exists()
