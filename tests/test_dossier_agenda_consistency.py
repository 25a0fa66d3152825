"""The dossier attached to an agenda item agrees with the item: its four musts (from the
item page's own service), its date and its proposal; a dossier that no longer does is
stale until regenerated. Also the text defects found reading whole dossiers."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import AgendaItem, Discussion, ItemDossier
from kaohe.discussions.services import agenda, decisions
from kaohe.discussions.services.readiness import check_states, compute
from kaohe.dossier import services as dossiers
from kaohe.extensions import db
from tests import discussions_support as s
from tests.dossier_support import flat, page_texts
from tests.helpers import form_version, text

D = dt.date
GRADES = ("competent", "competent", "competent")


def _pdf_text(pdf: bytes) -> str:
    return flat("".join(page_texts(pdf)))


def _section(body: str, head: str, nxt: str) -> str:
    return body.split(flat(head))[1].split(flat(nxt))[0]


def _world(skip=(), **item_kw):
    o = s.official(grades=GRADES)
    d = s.discussion()
    it = s.item(d, o, **item_kw)
    s.checks(d, it, skip=skip)
    return o, d, it


# ---- the four musts in the dossier ------------------------------------------------------

def test_dossier_prints_the_items_four_musts_as_its_page(make, auth):
    o, d, it = _world(skip=("file_audit", "personal_report", "petition"))
    make.commit()
    client = auth.as_role("organization")
    for kind in ("file_audit", "personal_report", "petition"):
        url = f"/discussions/{d.id}/items/{it.id}/checks/{kind}"
        r = client.post(url, data={"result": "clear", "checked_by": "干部监督科 刘洋",
                                   "checked_on": "2020-04-02", "note": "",
                                   **form_version(client, url, optional=True)})
        assert r.status_code == 302, text(r)
    assert client.post(f"/discussions/{d.id}/attach",
                       data={"official_id": o.id}).status_code == 302
    page = text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    db.session.expire_all()
    link = db.session.scalar(select(ItemDossier).where(ItemDossier.item_id == it.id))
    body = _pdf_text(client.get(f"/discussions/{d.id}/items/{it.id}/dossiers/1.pdf").data)
    five = _section(body, "五、组织掌握情况", "六、纪委了解的情况")
    assert flat("（一）本议题“凡提四必”核查情况") in five
    recorder = s.user("organization").name
    states = check_states(db.session.get(type(it), it.id), d.date)
    for c in states:
        # The page's row and the dossier's row say the same: result, who, date.
        assert c.done and c.result in page and c.who in page and c.when in page
        assert flat(c.label + c.result) in five
        when = c.when.replace("-", ".")
        assert flat(c.who) in five and when in five
    assert flat(f"干部监督科刘洋（录入：{recorder}）") in five
    assert f"录入：{recorder}" in page
    # No sentence saying the checks were never made.
    assert "无干部人事档案审核记录" not in body and "无个人有关事项报告核查记录" not in body
    assert "（本议题的核查结果见上表）" in five
    frozen = link.dossier.snapshot["context"]["four_musts"]
    assert [(m["kind"], m["result"], m["who"], m["when"]) for m in frozen] == [
        (c.kind, c.result, c.who, c.when) for c in states]
    assert compute(db.session.get(type(it), it.id)).stale == []


@pytest.mark.parametrize("setup, level, flag", [
    ("missing", "提示", None),
    ("pending", "重点关注", "个人有关事项报告核查：发现问题，尚在核查（干部科刘科长，2020年4月1日）"),
    ("adverse", "限制性", "个人有关事项报告核查：查实问题，影响使用（干部科刘科长，2020年4月1日）"),
])
def test_open_or_adverse_checks_are_flagged_in_the_dossier(make, setup, level, flag):
    o, d, it = _world(skip=("personal_report",))
    if setup != "missing":
        s.check(d, it, "personal_report", result=setup, note="配偶房产未报告。")
    link = agenda.attach(d, o.id, None, None)
    body = _pdf_text(link.dossier.pdf)
    five = _section(body, "五、组织掌握情况", "六、纪委了解的情况")
    flags = body.split(flat("七、需重点关注的事项"))[1]
    if setup == "missing":
        assert flat("个人有关事项报告核查未完成：未核查") in five
        assert flat("本议题个人有关事项报告核查未完成（未核查）") in flags
    else:
        assert flat(flag) in flags and "配偶房产未报告。" in five
    assert "无个人有关事项报告核查记录" not in flags  # the item's own check speaks for it
    codes = {f["code"]: f["level"] for f in link.dossier.snapshot["flags"]}
    expected = {"提示": "warn", "重点关注": "warn", "限制性": "block"}[level]
    assert codes["must_personal_report"] == expected


def test_dossier_without_an_item_keeps_the_record_flags(make):
    o = s.official(grades=GRADES)
    body = _pdf_text(dossiers.generate(o.id, s.DAY).pdf)
    five = _section(body, "五、组织掌握情况", "六、纪委了解的情况")
    assert "凡提四必" not in five
    assert flat("2017年1月1日至2020年4月10日组织掌握情况中无个人有关事项报告核查、档案审核或"
                "信访举报记录。") in five
    assert flat("2017年1月1日至2020年4月10日无干部人事档案审核记录") in body


# ---- stale dossiers ------------------------------------------------------------------------

def _move(d, date):
    agenda.save_discussion(d, {"kind": d.kind, "date": date, "title": d.title,
                               "member_names": "\n".join(m.name for m in d.members)})


@pytest.mark.parametrize("new_date", [D(2020, 4, 10), D(2020, 4, 11), D(2020, 4, 9),
                                      D(2020, 3, 30), D(2021, 1, 4)])
def test_moving_the_meeting_makes_the_dossier_stale_until_regenerated(make, auth, new_date):
    o, d, it = _world()
    if new_date.year == 2021:  # keep the opinion valid on the new date
        s.ds.opinion(o, requested=D(2020, 12, 20), outcome=1, answered=D(2020, 12, 28))
    link = agenda.attach(d, o.id, None, None)
    assert compute(it).ready
    _move(d, new_date)
    make.commit()
    moved = new_date != s.DAY
    r = compute(it)
    reason = (f"考评材料第 1 版（{link.dossier.number}）按会议日期 2020-04-10 生成，"
              f"会议日期现为 {new_date.isoformat()}，须按新日期重新生成")
    # Moved past the old opinion's validity, the item's integrity check changes as well.
    musts = (f"考评材料第 1 版（{link.dossier.number}）生成后“凡提四必”核查情况有变化"
             "（纪检监察机关意见），须重新生成")
    assert r.stale == ([reason] if moved else []) + ([musts] if new_date.year == 2021 else [])
    assert (reason in r.missing) is moved and r.ready is not moved
    client = auth.as_role("organization")
    item_page = text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    show_page = text(client.get(f"/discussions/{d.id}"))
    assert (reason in item_page) is moved and ("当前·已过时" in item_page) is moved
    assert ("已过时，须重新生成" in show_page) is moved
    if not moved:
        return
    with pytest.raises(ValidationFailed) as exc:  # the meeting cannot be held on it
        decisions.hold(db.session.get(Discussion, d.id), [m.id for m in d.members],
                       today=new_date)
    assert "须按新日期重新生成" in exc.value.errors["items"]
    db.session.rollback()
    response = client.post(f"/discussions/{d.id}/attach",
                           data={"official_id": o.id, "reason": "会议改期"})
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(type(it), it.id)
    assert compute(item).stale == [] and compute(item).ready
    v2 = item.current_dossier.dossier
    assert v2.as_of == new_date and v2.snapshot["context"]["discussion_date"] == str(new_date)
    assert "当前·已过时" not in text(client.get(f"/discussions/{d.id}/items/{it.id}"))


def test_a_check_recorded_after_attaching_makes_the_dossier_stale(make):
    o, d, it = _world(skip=("petition",))
    link = agenda.attach(d, o.id, None, None)
    assert compute(it).stale == []
    s.check(d, it, "petition")
    assert compute(it).stale == [f"考评材料第 1 版（{link.dossier.number}）生成后“凡提四必”"
                                 "核查情况有变化（信访举报核查），须重新生成"]
    agenda.attach(d, o.id, "补录信访举报核查", None)
    assert compute(it).stale == [] and compute(it).ready


def test_a_new_integrity_opinion_makes_the_dossier_stale(make):
    o, d, it = _world()
    agenda.attach(d, o.id, None, None)
    s.ds.opinion(o, requested=D(2020, 3, 20), outcome=1, answered=D(2020, 3, 25))
    assert [r.split("（")[2] for r in compute(it).stale] == ["纪检监察机关意见），须重新生成"]


def test_editing_the_item_makes_the_dossier_stale(make):
    o, d, it = _world()
    link = agenda.attach(d, o.id, None, None)
    agenda.save_item(d, it, {"official_id": str(o.id), "action": "further_use",
                             "proposed_post": "东城区委副书记", "reason": it.reason})
    assert compute(it).stale == [f"考评材料第 1 版（{link.dossier.number}）生成后任免事项、拟任职务"
                                 "已修改，须重新生成"]


def test_held_readiness_keeps_its_stale_list(make):
    o, d, it = _world()
    agenda.attach(d, o.id, None, None)
    decisions.hold(d, [m.id for m in d.members], today=s.DAY)
    assert it.readiness_at_held["stale"] == []
    _ = o


# ---- text of the cover and sections -----------------------------------------------------

@pytest.mark.parametrize("action, post, removal, phrase", [
    ("promote", "东城区委书记", "", "提拔，拟任东城区委书记"),
    ("exchange", "拟任西城区区长", "东城区副区长", "交流，拟任西城区区长，拟免东城区副区长"),
    ("dismiss", "", "拟免：东城区委书记", "免职，拟免东城区委书记"),
    ("dismiss", "", "", "免职"),
    ("retire", "", "", "退休"),
])
def test_the_proposal_reads_as_a_phrase(make, action, post, removal, phrase):
    o, d, it = _world(action=action, post=post, removal=removal)
    assert it.motion == phrase
    body = _pdf_text(agenda.attach(d, o.id, None, None).dossier.pdf)
    cover = body.split(flat("一、基本情况"))[0]
    assert flat(f"动议事项{phrase}") in cover
    assert flat(f"讨论会议常委会：2020年第3次常委会，2020年4月10日") in cover
    basic = _section(body, "一、基本情况", "二、")
    assert flat(f"动议事项{phrase}") in basic
    assert "拟任拟任" not in body and not re.search(r"(提拔|交流)拟任", body)
    assert "拟免拟免" not in body and not re.search(r"免职拟免", body)


def test_a_changed_removal_makes_the_dossier_stale(make):
    o, d, it = _world(action="exchange", post="西城区区长", removal="东城区副区长")
    link = agenda.attach(d, o.id, None, None)
    assert compute(it).stale == []
    agenda.save_item(d, it, {"official_id": str(o.id), "action": "exchange",
                             "proposed_post": "西城区区长", "proposed_removal": "东城区区长",
                             "reason": it.reason})
    assert compute(it).stale == [f"考评材料第 1 版（{link.dossier.number}）生成后拟免职务"
                                 "已修改，须重新生成"]


def test_a_dossier_frozen_before_removals_were_recorded_is_not_called_stale(make):
    o, d, it = _world(action="exchange", post="西城区区长", removal="东城区副区长")
    link = agenda.attach(d, o.id, None, None)
    snap = dict(link.dossier.snapshot)
    snap["context"] = {k: v for k, v in snap["context"].items() if k != "proposed_removal"}
    link.dossier.snapshot = snap
    db.session.flush()
    assert compute(it).stale == []


def test_section_three_says_each_sentence_once(make):
    o = s.official(grades=GRADES)  # principal leader of 东城区 since 2015: led in the window
    plain = s.f.official(name="李海燕", unit_obj=s.f.unit(name="西城区"))
    s.f.result(plain, 2018, "competent")
    for official, led in ((o, True), (plain, False)):
        body = _pdf_text(dossiers.generate(official.id, s.DAY).pdf)
        three = _section(body, "三、所在单位目标责任考核情况", "四、研判情况")
        sentences = [x for x in three.split("。") if x]
        assert len(sentences) == len(set(sentences)), sentences
        assert three.count("未担任单位主要负责人") == (0 if led else 1)


def test_section_six_numbers_its_parts_without_an_opinion(make):
    o = s.official(grades=GRADES, opinion_outcome=None)
    body = _pdf_text(dossiers.generate(o.id, s.DAY).pdf)
    six = _section(body, "六、纪委了解的情况", "七、需重点关注的事项")
    assert six.index(flat("（一）党风廉政意见回复")) < six.index("纪检监察机关意见：未回复") \
        < six.index(flat("（二）问题线索及处理情况"))


# ---- the demo -----------------------------------------------------------------------------

def test_demo_dossier_agrees_with_its_item(app, runner):
    result = runner.invoke(args=["seed-demo", "--officials", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    link = db.session.scalars(select(ItemDossier).join(AgendaItem).join(Discussion).where(
        Discussion.status == "draft")).one()  # the upcoming meeting's ready item
    item = link.item
    body = _pdf_text(link.dossier.pdf)
    five = _section(body, "五、组织掌握情况", "六、纪委了解的情况")
    for c in check_states(item, item.discussion.date):
        assert c.done and flat(c.label + c.result) in five and flat(c.who) in five
    assert "无干部人事档案审核记录" not in body and "无个人有关事项报告核查记录" not in body
    assert flat(f"{item.action_label}，拟任{item.proposed_post}") in body
    assert compute(item).ready and compute(item).stale == []


def test_agenda_and_item_pages_say_both_posts(make, auth):
    o, d, it = _world(action="exchange", post="西城区区长", removal="东城区副区长")
    make.commit()
    client = auth.as_role("organization")
    row = text(client.get(f"/discussions/{d.id}")).split(f'id="item{it.id}"')[1].split("</tr>")[0]
    assert "拟任西城区区长，拟免东城区副区长" in row
    heading = text(client.get(f"/discussions/{d.id}/items/{it.id}")).split("</h1>")[0]
    assert "交流，拟任西城区区长，拟免东城区副区长" in heading
