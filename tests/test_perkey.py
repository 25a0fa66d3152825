"""Per-key reads batched for documents made for many (issue 17, kaohe.core.perkey): inside
a batch every reader answers what it answers alone, in the same order, for keys with
rows, keys without any and keys the batch did not declare; an agenda bundle runs as
many statements for six items as for two."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.appform.data import family_of
from kaohe.assessments.wording import recorded_annual_grades
from kaohe.core import clock, perkey
from kaohe.discipline.queries import findings_of, valid_opinion
from kaohe.discussions import bundle as bundles
from kaohe.discussions.services.readiness import low_grades, pending_low_grades
from kaohe.dossier.snapshot import posts_of
from kaohe.extensions import db
from kaohe.interop.lrmx_export import sheet_of
from kaohe.kaocha import services as kaocha
from kaohe.moves.models import MoveAssessment, MoveTalk, MoveTraining
from kaohe.moves.services import records as move_records
from kaohe.moves.services.query import item_records
from tests import appform_support as af
from tests import discipline_support as ds
from tests import discussions_support as s
from tests import factories as f
from tests import kaocha_support as ks
from tests.test_queries import statements

D = dt.date


def _city():
    """A discussion with three items: a full official (posts out of order, results of
    every grade, family, sheet, findings, answered opinions, moves, a final 考察材料),
    a bare one and a third; and an official in no item."""
    d = s.discussion()
    full = af.full_official(name="甲全")
    unit = f.unit(name="西城区")
    f.post(full, unit, start=D(2010, 5, 1), end=D(2015, 12, 31), title="西城区副区长")
    for year, grade in ((2017, "basically_competent"), (2018, "excellent"), (2019, "competent"),
                        (2020, "incompetent")):
        f.result(full, year, grade)
    af.member(full, "女儿", "王小", D(2005, 1, 1), order=0)
    ds.finding(full, found=D(2019, 2, 1))
    ds.finding(full, found=D(2018, 3, 1), kind="admin_demerit")
    ds.opinion(full, requested=D(2019, 1, 1), outcome=1, answered=D(2019, 1, 5))
    ds.opinion(full, requested=D(2020, 3, 1), outcome=2, answered=D(2020, 3, 5))
    bare = f.official(name="乙空", unit_obj=unit)
    third = s.official(name="丙三")
    items = [s.item(d, o) for o in (full, bare, third)]
    s.checks(d, items[0])
    s.moves(d, items[2])
    for course in ("任职培训班", "廉政教育专题班"):
        move_records.save_training(d, items[0], None, {
            "status": "planned", "course": course, "provider": "市委党校",
            "planned_on": D(2020, 9, 1)})
    kaocha.freeze(d, items[0], ks.pdf(), "甲全考察材料.pdf", None, None)
    kaocha.freeze(d, items[0], ks.pdf(2), "甲全考察材料二稿.pdf", "补充考察内容", None)
    outside = s.official(name="丁外")
    f.post(outside, unit, start=D(2012, 1, 1), title="西城区区长")
    f.commit()
    return d, items, outside


READS = {
    "posts": lambda it: posts_of(it.official_id),
    "annual": lambda it: recorded_annual_grades(it.official_id, [2017, 2018, 2019, 2021]),
    "sheet": lambda it: sheet_of(it.official).id,
    "family": lambda it: family_of(it.official_id),
    "findings": lambda it: findings_of(it.official_id),
    "opinion": lambda it: valid_opinion(it.official_id, s.DAY),
    "opinion_before": lambda it: valid_opinion(it.official_id, D(2019, 2, 1)),
    "low": lambda it: low_grades(it.official_id, s.DAY),
    "pending_low": lambda it: pending_low_grades(it.official_id, D(2021, 1, 10)),
    "talks": lambda it: item_records(it, MoveTalk),
    "assessments": lambda it: item_records(it, MoveAssessment),
    "trainings": lambda it: item_records(it, MoveTraining),
    "report": lambda it: kaocha.current_report(it),
}


@pytest.mark.parametrize("slice_", [perkey.SLICE, 1])  # 1: each declared key its own slice
@pytest.mark.parametrize("read", READS)
def test_a_batch_answers_each_key_as_the_read_alone(make, monkeypatch, read, slice_):
    """ORM rows compare by identity: the batch returns the session's own objects."""
    monkeypatch.setattr(perkey, "SLICE", slice_)
    d, items, outside = _city()
    alone = [READS[read](it) for it in items]
    with statements() as third_alone:
        READS[read](items[2])
    declared = items[:2]  # the third is not declared: read alone inside the batch too
    with perkey.batch(official_id=[i.official_id for i in declared],
                      item_id=[i.id for i in declared]):
        with statements() as first:
            batched = [READS[read](it) for it in items]
        with statements() as second:
            again = [READS[read](it) for it in items]
    assert batched == alone == again
    assert any(alone), "the data gives this read something to return"
    # Once read, the declared keys are answered without a statement; the undeclared
    # key is read as alone. The first pass: one statement for both declared keys (and
    # one of the findings' exemptions, loaded with them).
    assert len(second) == len(third_alone)
    extra = 0 if slice_ > 1 else 1 + (read == "findings")  # a second slice: one key more
    assert len(first) <= len(second) + len(third_alone) + (read == "findings") + extra


def test_the_full_official_is_read_in_order(make):
    """What the batch must keep: the orders the reads define."""
    d, items, _ = _city()
    with perkey.batch(official_id=[i.official_id for i in items], item_id=[i.id for i in items]):
        posts = posts_of(items[0].official_id)
        findings = findings_of(items[0].official_id)
        family = family_of(items[0].official_id)
        report = kaocha.current_report(items[0])
        opinion = valid_opinion(items[0].official_id, s.DAY)
        assert posts_of(items[1].official_id) == [] and family_of(items[1].official_id) == []
        assert sheet_of(items[1].official).id is None  # the empty, unsaved sheet
    assert [p["title"] for p in posts] == ["西城区副区长", "东城区区长"]
    assert set(posts[0]) == {"start_date", "end_date", "title", "rank", "is_principal", "note",
                             "unit_name"}
    assert [x.found_date for x in findings] == [D(2019, 2, 1), D(2018, 3, 1)]
    assert [m.name for m in family] == ["王小", "李梅", "王大山"]
    assert report.version == 2 and report.filename == "甲全考察材料二稿.pdf"
    assert opinion.answered_on == D(2020, 3, 5)


def test_outside_a_batch_nothing_is_kept(make):
    d, items, _ = _city()
    with perkey.batch(official_id=[items[1].official_id]):
        assert posts_of(items[1].official_id) == []
    f.post(items[1].official, f.unit(name="南城区"), start=D(2018, 1, 1), title="南城区区长")
    f.commit()
    assert [p["title"] for p in posts_of(items[1].official_id)] == ["南城区区长"]


def _bundle_statements(d) -> tuple[int, object]:
    made = bundles.start(d)
    db.session.flush()
    with statements() as seen:
        bundles.build(made.id)
    assert made.status == "done", made.error
    parts = [x for x in seen if "inspection_report.data" in x]
    assert len(parts) == len(d.items)  # each part's bytes read when it goes in, by design
    return len([x for x in seen if "bundle_slice" not in x and x not in parts]), made


def test_a_bundle_reads_as_many_statements_for_six_items_as_for_two(make):
    counts = []
    for n in (2, 6):
        d = s.discussion(title=f"{n}项议题常委会")
        for i in range(n):
            o = af.full_official(name=f"{'甲乙丙丁戊己'[i]}{n}")
            f.result(o, 2018, "basically_competent")
            ds.finding(o)
            it = s.item(d, o)
            s.checks(d, it)
            kaocha.freeze(d, it, ks.pdf(), "考察材料.pdf", None, None)
        f.commit()
        count, made = _bundle_statements(d)
        counts.append(count)
        pdf = bundles.stored_pdf(made)
        assert made.pages >= 1 + 3 * n and pdf.startswith(b"%PDF")
        text = af.flat("".join(af.pages(pdf)))
        assert all(f"{'甲乙丙丁戊己'[i]}{n}" in text for i in range(n))
        assert "2018年度考核基本称职" in text
    assert counts[0] == counts[1], counts


def _page_statements(client, url: str) -> tuple[int, str]:
    client.get(url)  # warm-up: nothing first-time-only is counted
    with statements() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["agenda", "home"])
def test_agenda_and_home_read_as_many_statements_for_six_items_as_for_two(auth, page):
    """The agenda page and the organization's home (its 'not ready' and opinion to-dos)
    compute every item's readiness: read one item at a time that was twelve statements
    more per item."""
    client = auth.as_role("organization")
    d = s.discussion(title="近期常委会", date=clock.today() + dt.timedelta(days=5))
    url = f"/discussions/{d.id}" if page == "agenda" else "/home"
    counts = []
    for names in ("甲乙", "丙丁戊己"):
        for name in names:
            o = af.full_official(name=f"{name}议")
            f.result(o, clock.today().year - 2, "basically_competent")
            ds.finding(o)
            s.checks(d, s.item(d, o))
        f.commit()
        count, html = _page_statements(client, url)
        counts.append(count)
    assert counts[0] == counts[1], counts
    if page == "agenda":
        assert all(f"{name}议" in html for name in "甲乙丙丁戊己")
        assert html.count("未征求") == 6  # each item's opinion badge, not yet requested
        assert html.count('<span class="missing">未附</span>') == 6  # no dossier attached
        assert html.count("未具备（") == 6
    else:
        assert "6 个议题中 6 个未就绪" in html
        assert all(f"{name}议尚未征求党风廉政意见" in html for name in "甲乙丙丁戊己")
