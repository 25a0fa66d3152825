"""The PDF, read back with pypdf: content and order, header/footer, determinism, fonts."""
from __future__ import annotations

import os
import re

import pytest

from kaohe.dossier import fonts
from kaohe.dossier import services
from kaohe.dossier.render import render_pdf
from kaohe.dossier.snapshot import build_snapshot
from tests.dossier_support import (AS_OF, D, flat, page_texts, reader, require_cjk_truetype,
                                   rich_official)

CLOSING = "，。；：！？、）》」』】〕〉”’…·・%,.;:!?)]"
CMAP = "/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H"


@pytest.fixture
def dossier(make):
    o = rich_official()
    d = services.generate(o.id, AS_OF, context={
        "proposed_action": "提拔", "proposed_post": "江州市人民政府副市长",
        "discussion_title": "市委常委会第12次会议", "discussion_date": D(2020, 4, 12)})
    return o, d


def test_content_in_order(dossier):
    o, d = dossier
    pages = page_texts(d.pdf)
    body = flat("".join(pages))
    order = ["干部考评材料", "一、基本情况", "任职经历", "二、近三年年度考核情况", "年度考核趋势",
             "平时考核与专项考核", "三、所在单位目标责任考核情况", "四、研判情况", "五、组织掌握情况",
             "六、纪委了解的情况", "七、需重点关注的事项", "说明"]
    positions = [body.index(flat(s)) for s in order]
    assert positions == sorted(positions)
    cover = flat(pages[0])
    for fact in ("王建国", "提拔，拟任江州市人民政府副市长", "市委常委会第12次会议，2020年4月12日",
                 "截止日期2020年4月10日", "2017—2019年度", "密级内部", d.number, "生成时间"):
        assert flat(fact) in cover
    # The three years with their grades; the missing one marked, 2016 absent.
    assert "2017称职88.5" in body and "2019基本称职71" in body
    assert "2018未录入（无年度考核结果）" in body
    assert "50.0%／40.0%／10.0%／0.0%（40票）" in body
    assert "2016" not in body.split(flat("二、近三年年度考核情况"))[1].split(flat("三、"))[0]
    assert "二〇一六年评语" not in body
    # Reviews in the window with their conclusions; none outside it.
    assert "2018年5月3日日常研判研判人：李干部研判结论：较好" in body
    assert "2020年3月3日考察研判" in body and "研判结论：较差" in body
    assert "窗口之前的研判" not in body and "截止日期之后的研判" not in body
    assert "群众反映其在征地拆迁中存在违规问题。" in body and "办理中" in body
    assert "纪检监察机关意见：未回复" in body
    assert "尚无单位目标责任考核结果" in body and "东城区区长（2017.01—至今）" in body
    # Flags.
    flags = body.split(flat("七、需重点关注的事项"))[1]
    for text in ("近三年年度考核有基本称职及以下等次，不得列为考察对象",
                 "2018年年度考核结果未录入", "信访举报尚在办理中", "纪检监察机关意见：未回复"):
        assert text in flags
    assert "限制性" in flags
    # Settings used, and no full ID number anywhere.
    assert "考评材料密级标识：内部；考评材料年度范围：3年" in body
    assert o.id_number not in body and o.id_number_masked in body


def test_header_and_footer_on_every_page(dossier):
    o, d = dossier
    pages = page_texts(d.pdf)
    assert len(pages) == len(reader(d.pdf).pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {len(pages)} 页" in text
        assert "王建国" in text and f"材料编号：{d.number}" in text and "【内部】" in text
    assert re.fullmatch(r"KH-\d{4}-\d{6}", d.number)


def test_outline_has_the_sections(dossier):
    _o, d = dossier
    titles = [item["/Title"] for item in reader(d.pdf).outline]
    assert titles[:2] == ["封面", "一、基本情况"] and titles[-1] == "七、需重点关注的事项"


def test_same_snapshot_same_bytes(dossier):
    from kaohe.dossier.models import Dossier
    from kaohe.extensions import db

    _o, d = dossier
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Dossier, d.id)  # snapshot and PDF read back from the database
    assert render_pdf(stored.snapshot) == stored.pdf == render_pdf(stored.snapshot)
    assert b"/CreationDate" in d.pdf
    stamp = d.snapshot["dossier"]["generated_at"]
    assert stamp.endswith("+08:00")
    date = re.search(rb"/CreationDate \(D:(\d{14})\+08'00'\)", d.pdf).group(1).decode()
    assert date == re.sub(r"\D", "", stamp[:19])


def test_text_lines_never_start_with_closing_punctuation(make):
    o = make.official(name="李明")
    long = ("坚持以人民为中心，统筹推进经济社会发展；善于抓落实、抓重点、抓关键！" * 6
            + "（个别工作推进偏慢）、《工作方案》落实不够……“群众满意度”较高。")
    make.review(o, date=D(2019, 6, 1), strengths=long, weaknesses="不足" + long[::-1],
                summary=long[3:])
    make.note(o, date=D(2019, 2, 1), content=long)
    pdf = services.generate(o.id, AS_OF).pdf
    lines = [ln.strip() for text in page_texts(pdf) for ln in text.split("\n") if ln.strip()]
    bad = [ln for ln in lines if ln[0] in CLOSING]
    assert not bad, bad


def test_fallback_font_renders_the_middle_dot_name(app, make):
    o = rich_official(name="阿依古丽·买买提")
    app.config["KAOHE_CJK_FONT"] = fonts.FALLBACK
    try:
        d = services.generate(o.id, AS_OF)
    finally:
        app.config["KAOHE_CJK_FONT"] = None
    assert b"/STSong-Light" in d.pdf and b"FontFile2" not in d.pdf  # CID, not embedded
    texts = page_texts(d.pdf)
    assert all("阿依古丽・买买提" in t for t in texts)  # · drawn as GB 2312's 间隔号 U+30FB
    assert "·" not in "".join(texts)
    assert f"第 1 页 共 {len(texts)} 页" in texts[0]
    if os.path.exists(CMAP):  # every character drawn is one the CID font has
        covered = _cmap_coverage(CMAP)
        missing = {c for c in "".join(texts) if c.strip() and ord(c) not in covered}
        assert not missing, missing


def test_truetype_font_keeps_the_middle_dot(make):
    require_cjk_truetype()
    o = rich_official(name="阿依古丽·买买提")
    pdf = services.generate(o.id, AS_OF).pdf
    assert b"FontFile2" in pdf
    assert all("阿依古丽·买买提" in t for t in page_texts(pdf))


def test_unusable_font_path_falls_back(app, make, caplog, monkeypatch):
    monkeypatch.setattr(fonts.log, "disabled", False)  # alembic's fileConfig disables loggers
    fs = fonts.load("/nonexistent/font.ttf")
    assert fs.name == fonts.FALLBACK and not fs.embedded
    assert "unusable" in caplog.text
    require_cjk_truetype()
    assert fonts.load(None).embedded


def test_dossier_without_records_in_the_window_is_honest(make):
    o = make.official(name="张三")
    make.post(o, make.unit(), start=D(2010, 1, 1))
    body = flat("".join(page_texts(services.generate(o.id, AS_OF).pdf)))
    for year in (2017, 2018, 2019):
        assert f"{year}未录入（无年度考核结果）" in body
    assert "2017年1月1日至2020年4月10日无研判记录" in body
    assert "未绘制趋势图" in body
    assert "2017、2018、2019年年度考核结果未录入" in body


@pytest.mark.parametrize("work_start, absent, missing", [
    (D(2019, 7, 1), (2017, 2018), (2019,)),  # started in 2019: 2017 and 2018 before it
    (D(2018, 12, 31), (2017,), (2018, 2019)),  # at work on 2018's last day
    (D(2017, 1, 1), (), (2017, 2018, 2019)),
])
def test_years_before_work_began_are_not_called_missing(make, work_start, absent, missing):
    """The dossier says 「未参加考核（YYYY.MM参加工作）」 as the 任免审批表 does, in the table,
    the lead and the chart, and asks for no 补录 of those years."""
    o = make.official(name="张三", work_start_date=work_start, party_date=None)
    make.post(o, make.unit(), start=work_start)
    snap = build_snapshot(o.id, AS_OF)
    flags = {f["code"]: f["text"] for f in snap["flags"]}
    body = flat("".join(page_texts(services.generate(o.id, AS_OF).pdf)))
    for year in absent:
        said = f"{year}未参加考核（{work_start:%Y.%m}参加工作）"
        assert said in body and f"{year}未录入" not in body
    for year in missing:
        assert f"{year}未录入（无年度考核结果）" in body
    assert flags["missing_year"] == f"{'、'.join(map(str, missing))} 年年度考核结果未录入"


def test_snapshot_alone_renders(make):
    """The renderer needs nothing but the snapshot (no app, no database)."""
    o = rich_official()
    snap = services.with_meta(build_snapshot(o.id, AS_OF), "KH-2020-000001",
                              services.now_local(), "测试")
    from kaohe.extensions import db

    db.session.close()
    assert render_pdf(snap).startswith(b"%PDF-")


def _cmap_coverage(path: str) -> set[int]:
    with open(path, encoding="latin-1") as fh:
        text = fh.read()
    out: set[int] = set()
    for block in re.findall(r"begincidrange(.*?)endcidrange", text, re.S):
        for a, b, _cid in re.findall(r"<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\d+)", block):
            out.update(range(int(a, 16), int(b, 16) + 1))
    for block in re.findall(r"begincidchar(.*?)endcidchar", text, re.S):
        out.update(int(a, 16) for a, _cid in re.findall(r"<([0-9a-f]+)>\s*(\d+)", block))
    return out


@pytest.fixture
def discipline_plugged_in():
    """The discipline feature's section through the snapshot hook, as it will plug in."""
    from kaohe.discipline.queries import dossier_section
    from kaohe.dossier import snapshot

    saved = dict(snapshot.SECTION_PROVIDERS)
    snapshot.register_section("discipline", lambda req: dossier_section(
        req.official_id, req.as_of, req.window_start))
    yield
    snapshot.SECTION_PROVIDERS.update(saved)


def test_discipline_section_of_the_discipline_feature(make, discipline_plugged_in):
    from tests import discipline_support as ds

    o = rich_official()
    ds.opinion(o, requested=D(2020, 3, 1), outcome=5, answered=D(2020, 3, 10))
    f = ds.finding(o, found=D(2019, 5, 1), decided=D(2019, 6, 1), summary="违规收受礼品")
    ds.exempt(ds.finding(o, kind="admonishment", found=D(2018, 1, 1), decided=D(2018, 2, 1),
                         summary="改革中的失误"), approved_on=D(2018, 3, 1))
    d = services.generate(o.id, AS_OF)
    body = flat("".join(page_texts(d.pdf)))
    section = body.split(flat("六、纪委了解的情况"))[1].split(flat("七、"))[0]
    assert "党风廉政意见回复" in section and "建议暂缓使用" in section
    assert "2020.03.10" in section and "经查，未发现问题。" in section
    assert f.summary in section and "改革中的失误（已容错免责，不作负面评价）" in section
    assert ds.SECRET not in body
    flags = body.split(flat("七、需重点关注的事项"))[1]
    assert "纪检监察机关意见：未回复" not in flags and "限制性" in flags
