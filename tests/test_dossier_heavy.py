"""Dossiers of heavy records: every record kind at the longest the forms accept, many
special-assessment results in one year, 10 000-character unit-assessment reasons.

A row taller than a page used to stop the layout (ReportLab ``LayoutError``, HTTP 500 on
the web, a traceback from the CLI). Every assertion reads the text pypdf extracts.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kaohe.dossier import services, tables
from kaohe.dossier.models import Dossier
from kaohe.dossier.styles import kit
from kaohe.extensions import db
from tests import discipline_support as ds
from tests import ua_helpers as h
from tests.dossier_support import AS_OF, D, flat, page_texts

SENTENCE = "坚持以人民为中心，统筹推进经济社会发展；善于抓落实、抓重点、抓关键，群众认可度高。"


def long_text(tag: str, n: int) -> str:
    """``n`` characters: 「〔tag〕」, numbered sentences, 「〔tag完〕」 (ends checkable)."""
    head, tail = f"〔{tag}〕", f"〔{tag}完〕"
    body, k = "", 0
    while len(body) < n - len(head) - len(tail):
        k += 1
        body += f"第{k}句{SENTENCE}"
    return head + body[:n - len(head) - len(tail)] + tail


def ends(text: str) -> tuple[str, str]:
    """The first and last 12 characters, flattened: a long cell may span pages, but its
    first and last lines never do."""
    return flat(text)[:12], flat(text)[-12:]


def body_text(pdf: bytes) -> str:
    return flat("".join(page_texts(pdf)))


def special_tasks(make, o, year=2018, n=12) -> list[str]:
    names = [(f"第{i:02d}项专项：" + "推进城乡环境综合整治和乡村振兴重点项目建设攻坚行动" * 4)[:100]
             for i in range(1, n + 1)]
    for i, name in enumerate(names):
        make.result(o, year, "competent" if i % 3 else "basically_competent", kind="special",
                    task_name=name, score=80 + i % 20)
    return names


@pytest.mark.parametrize("via", ["web", "cli"])
def test_many_long_special_tasks_in_one_year(make, client, auth, runner, tmp_path, via):
    """Twelve special results of 100-character tasks in one year: one cell taller than a
    page before (HTTP 500); now a row each, every task printed with its grade."""
    o = make.official(name="钱专项")
    names = special_tasks(make, o)
    make.commit()
    if via == "web":
        auth.login("organization")
        r = client.post(f"/officials/{o.id}/dossiers", data={"as_of": AS_OF.isoformat()})
        assert r.status_code == 302, r.status_code
        d = db.session.scalars(select(Dossier).where(Dossier.official_id == o.id)).one()
        pdf = client.get(f"/dossiers/{d.id}/download").data
    else:
        out = tmp_path / "d.pdf"
        result = runner.invoke(args=["dossier", str(o.id), "--as-of", AS_OF.isoformat(),
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
        pdf = out.read_bytes()
    text = body_text(pdf)
    assert "钱专项" in text
    special = text[text.index(flat("年度专项考核任务等次得分")):]
    for i, name in enumerate(names):
        grade = "称职" if i % 3 else "基本称职"
        assert flat(f"2018{name}{grade}{80 + i % 20}") in special


def test_every_record_at_its_longest(make):
    """Every record kind at the longest its form accepts, several of each: the dossier
    renders and keeps both ends of every text."""
    unit = make.unit(name=("江州市浔江区" + "经济技术开发区管理委员会" * 10)[:100])
    o = make.official(name="欧阳·" + "阿依古丽买买提" * 8 + "长名", unit_obj=unit,
                      current_post=("区委书记、" * 40)[:200],
                      school_fulltime=("浙江大学公共管理学院" * 10)[:100])
    texts = []
    for i in range(4):
        note = long_text(f"P{i}", 2000)
        texts.append(note)
        make.post(o, unit, start=D(2000 + 3 * i, 1, 1), end=D(2002 + 3 * i, 12, 31),
                  title=(f"第{i}任" + "党工委副书记、管委会主任" * 10)[:100], note=note,
                  principal=i % 2 == 0)
    for year in (2017, 2018, 2019):
        comment = long_text(f"A{year}", 4000)
        texts.append(comment)
        make.result(o, year, "competent", score=88, comment=comment)
    texts += special_tasks(make, o, n=20)
    for i in range(2):
        fields = {k: long_text(f"R{i}{k[0]}", 4000) for k in ("strengths", "weaknesses", "summary")}
        texts += fields.values()
        make.review(o, date=D(2018, 3 + i, 1), conclusion="poor", author="研判人" * 21, **fields)
    for i in range(2):
        content, outcome = long_text(f"N{i}c", 4000), long_text(f"N{i}o", 4000)
        texts += [content, outcome]
        make.note(o, date=D(2019, 2 + i, 1), kind="petition", result="verified_true",
                  content=content, outcome=outcome)
    finding = ds.finding(o, found=D(2018, 1, 5), decided=D(2018, 3, 1),
                         summary=long_text("F0", 2000))
    texts.append(finding.summary)
    opinion = ds.opinion(o, requested=D(2020, 3, 1), outcome=1, answered=D(2020, 3, 5),
                         purpose=long_text("Q", 200))
    opinion.answer_text = long_text("O", 4000)
    texts.append(opinion.answer_text)
    make.commit()
    d = services.generate(o.id, AS_OF)
    text = body_text(d.pdf)
    assert flat(o.name) in text
    for t in texts:
        first, last = ends(t)
        assert first in text and last in text, first


def test_ten_thousand_character_unit_assessment_reasons(make, monkeypatch):
    """A score event's reason and evidence have no length limit in the form."""
    h.no_discipline(monkeypatch)
    a, b = h.units(2)
    o = make.official(name="孙主官", unit_obj=a)
    make.post(o, a, start=D(2015, 1, 1), principal=True, title="区委书记")
    s = h.scheme(year=2018)
    for i, u in enumerate((a, b)):
        h.fill(s, u, 1.0 - 0.1 * i)
    reason, evidence = long_text("E", 10_000), long_text("V", 10_000)
    h.event(s, a, "efficiency_bonus", 1, date=D(2018, 5, 1), reason=reason, evidence=evidence)
    d = services.generate(o.id, AS_OF)
    text = body_text(d.pdf)
    for t in (reason, evidence):
        first, last = ends(t)
        assert first in text and last in text


@pytest.mark.parametrize("spans,ok", [
    ((((1, 1), (3, 1)),), True),     # across columns of one row
    ((((0, 1), (0, 2)),), False),    # across two rows: could not split
    ((((0, 1), (3, 2)),), False),
])
def test_spans_stay_within_a_row(ctx, spans, ok):
    k = kit(services.font_spec())
    rows = [["a", "b", "c", "d"]] + [["1", "2", "3", "4"]] * 3
    if ok:
        assert isinstance(tables.grid(k, rows, [40] * 4, spans=spans), tables.WholeRows)
    else:
        with pytest.raises(ValueError, match="spans must stay within one row"):
            tables.grid(k, rows, [40] * 4, spans=spans)


@pytest.mark.parametrize("length", [3, 20, 64])
def test_a_long_name_in_the_page_header_stays_clear_of_the_number(make, monkeypatch, length):
    """The header's name is set smaller when it would run into the dossier number (the
    form takes 64 characters); every character is still drawn."""
    from kaohe.dossier import render

    drawn = []

    def spy(canvas, fs, x, y, text, size, **kw):
        width = real(canvas, fs, x, y, text, size, **kw)
        left = x - {"left": 0, "right": width, "center": width / 2}[kw.get("align", "left")]
        drawn.append((text, left, width, size))
        return width

    real = render.draw_runs
    monkeypatch.setattr(render, "draw_runs", spy)
    name = ("欧阳" + "阿依古丽买买提" * 10)[:length]
    o = make.official(name=name)
    make.review(o, date=D(2019, 6, 1))
    d = services.generate(o.id, AS_OF)
    titles = [x for x in drawn if x[0] == f"{name}　干部考评材料"]
    numbers = [x for x in drawn if x[0] == f"材料编号：{d.number}"]
    assert titles and len(titles) == len(numbers)
    for (_t, left, width, size), (_n, number_left, _w, _s) in zip(titles, numbers):
        assert left + width <= number_left
        assert size == 9 if length <= 20 else size < 9
    assert flat(name) in body_text(d.pdf)


def test_agenda_bundle_cover_with_long_four_musts_notes(make):
    """The agenda bundle's cover lists each item's conditions, four-musts notes included;
    the note has no length limit in its form, and a row taller than a page used to stop
    the bundle with a LayoutError."""
    from kaohe.discussions import bundle as bundles
    from kaohe.discussions import bundle_cover
    from tests import discussions_support as s

    d = s.discussion()
    it = s.item(d, s.official(name="冯长注"))
    notes = {kind: long_text(f"K{n}", 3000)
             for n, kind in enumerate(("file_audit", "personal_report", "petition"))}
    for kind, note in notes.items():
        s.check(d, it, kind, result="adverse", note=note)
    pdf = bundle_cover.render_cover(d, bundles.cover_rows([it]), "2020-04-10 10:00")
    text = body_text(pdf)
    assert "冯长注" in text
    for note in notes.values():
        first, last = ends(note)
        assert first in text and last in text


def test_dossier_of_an_agenda_item_with_long_four_musts_notes(make):
    """The dossier attached to an agenda item shows the item's four-musts checks; their
    notes have no length limit in the form."""
    from kaohe.discussions.services import agenda
    from tests import discussions_support as s

    d = s.discussion()
    o = s.official(name="褚核查")
    it = s.item(d, o)
    notes = {kind: long_text(f"M{n}", 6000)
             for n, kind in enumerate(("file_audit", "personal_report", "petition"))}
    for kind, note in notes.items():
        s.check(d, it, kind, result="resolved", note=note)
    link = agenda.attach(d, o.id, None, None)
    text = body_text(link.dossier.pdf)
    for note in notes.values():
        first, last = ends(note)
        assert first in text and last in text
