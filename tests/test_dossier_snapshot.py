"""build_snapshot: the window, missing years, flags, masking, settings, context, hooks."""
from __future__ import annotations

import json

import pytest

from kaohe.dossier import snapshot as snapshot_mod
from kaohe.dossier.snapshot import build_snapshot, register_section
from kaohe.settings import services as settings
from tests.dossier_support import AS_OF, D, rich_official


def codes(snap) -> list[str]:
    return [f["code"] for f in snap["flags"]]


def test_window_is_the_three_concluded_years_before_as_of(make):
    o = rich_official()
    snap = build_snapshot(o.id, AS_OF)
    assert snap["window"] == {"years": [2017, 2018, 2019], "start": "2017-01-01",
                              "end": "2020-04-10", "concludes_on": "03-31"}
    assert snap["pending"] == []  # 2019 concluded on 2020-03-31
    annual = {a["year"]: a for a in snap["annual"]}
    assert list(annual) == [2017, 2018, 2019]  # 2016 is outside, 2018 is kept as missing
    assert annual[2017]["grade_label"] == "称职" and annual[2017]["score"] == 88.5
    assert annual[2017]["vote_rates"] == {"excellent": 0.5, "competent": 0.4,
                                          "basically_competent": 0.1, "incompetent": 0.0}
    assert annual[2018] == {"year": 2018, "missing": True}
    assert annual[2019]["grade"] == "basically_competent"
    p2018 = snap["periodic"][1]
    assert p2018["quarters"][1]["grade_label"] == "优秀" and p2018["quarters"][0]["missing"]
    assert p2018["special"][0]["task_name"] == "脱贫攻坚"
    # Reviews and notes from 1 January of the first year up to the as-of date only.
    assert [r["date"] for r in snap["reviews"]] == ["2018-05-03", "2020-03-03"]
    assert [n["date"] for n in snap["org_notes"]] == ["2019-03-01", "2019-08-01"]
    assert snap["posts"][-1]["end_date"] is None and snap["posts"][-1]["is_principal"]


def test_snapshot_is_plain_json_and_masks_the_id_number(make):
    o = rich_official()
    snap = build_snapshot(o.id, AS_OF)
    assert json.loads(json.dumps(snap, ensure_ascii=False)) == snap
    text = json.dumps(snap, ensure_ascii=False)
    assert o.id_number not in text and o.id_number_masked in text
    assert snap["official"]["age"] == 45 and snap["official"]["unit_name"] == "东城区"


def test_flags_follow_the_rules(make):
    o = rich_official()
    snap = build_snapshot(o.id, AS_OF)
    flags = {f["code"]: f for f in snap["flags"]}
    assert flags["low_grade"]["level"] == "block"
    assert "不得列为考察对象" in flags["low_grade"]["text"]
    assert "2019 年度考核基本称职" in flags["low_grade"]["detail"]
    assert flags["missing_year"]["text"] == "2018 年年度考核结果未录入"
    assert flags["petition_pending"]["level"] == "warn"
    assert flags["review_poor"]["level"] == "warn"
    assert flags["no_integrity_opinion"]["text"] == "纪检监察机关意见：未回复"
    assert flags["no_personal_report"]["level"] == "info"
    assert "incompetent" not in flags and "no_file_audit" not in flags


def test_incompetent_and_two_consecutive_years(make):
    o = make.official()
    make.note(o, date=D(2016, 1, 1))
    make.result(o, 2018, "incompetent")
    make.result(o, 2019, "incompetent")
    make.result(o, 2017, "excellent")
    snap = build_snapshot(o.id, AS_OF)
    texts = [f["text"] for f in snap["flags"] if f["level"] == "block"]
    assert "2018 年度考核不称职：应降低一个职务层次（职级）" in texts
    assert "2019 年度考核不称职：应降低一个职务层次（职级）" in texts
    assert "2018、2019 年度连续两年考核不称职：应予以辞退（免职）" in texts
    assert "missing_year" not in codes(snap)


def test_settings_are_read_and_recorded(make):
    o = rich_official()
    settings.set_value("dossier.window_years", "5")
    settings.set_value("dossier.confidentiality", "机密")
    snap = build_snapshot(o.id, AS_OF)
    assert snap["window"]["years"] == [2015, 2016, 2017, 2018, 2019]
    used = {s["key"]: s for s in snap["settings"]}
    assert used["dossier.confidentiality"]["value"] == "机密"
    assert used["dossier.window_years"] == {"key": "dossier.window_years",
                                            "label": "考评材料年度范围", "value": 5, "unit": "年"}
    assert [r["date"] for r in build_snapshot(o.id, AS_OF)["reviews"]][0] == "2015-05-01"


def test_deleted_records_are_left_out(make):
    o = rich_official()
    from kaohe.reviews.models import Review
    from kaohe.extensions import db
    from sqlalchemy import select

    r = db.session.scalars(select(Review).where(Review.official_id == o.id,
                                                Review.date == D(2020, 3, 3))).one()
    r.soft_delete()
    db.session.flush()
    snap = build_snapshot(o.id, AS_OF)
    assert [x["date"] for x in snap["reviews"]] == ["2018-05-03"]
    assert "review_poor" not in codes(snap)


def test_context_of_an_agenda_item(make):
    o = rich_official()
    ctx = {"discussion_title": " 市委常委会 ", "discussion_date": D(2020, 4, 12),
           "proposed_action": "拟提名为", "proposed_post": "副市长人选",
           "proposed_removal": " 东城区区长 ", "agenda_item_id": 7, "ignored": "x"}
    snap = build_snapshot(o.id, AS_OF, ctx)
    assert snap["context"] == {"discussion_title": "市委常委会", "discussion_date": "2020-04-12",
                               "proposed_action": "拟提名为", "proposed_post": "副市长人选",
                               "proposed_removal": "东城区区长", "agenda_item_id": 7}
    assert build_snapshot(o.id, AS_OF)["context"] is None


def test_past_as_of_shows_the_posts_held_then(make):
    o = rich_official(current_post="市发改委主任")
    snap = build_snapshot(o.id, D(2015, 6, 1))
    assert snap["official"]["current_post"] == "东城区区委常委、组织部部长"
    assert [p["title"] for p in snap["posts"]] == ["区委常委、组织部部长"]
    assert snap["posts"][0]["end_date"] is None  # still held on the as-of date
    assert build_snapshot(o.id, AS_OF)["official"]["current_post"] == "市发改委主任"


@pytest.fixture
def providers():
    saved = dict(snapshot_mod.SECTION_PROVIDERS)
    yield
    snapshot_mod.SECTION_PROVIDERS.update(saved)


def test_section_hook_fills_discipline_and_unit_results(make, providers):
    o = rich_official()
    seen = {}

    def discipline(req):
        seen["req"] = req
        return {"available": True, "opinion": {"outcome_label": "建议暂缓使用", "blocking": True,
                                               "answered_on": D(2020, 3, 1)},
                "findings": [], "blockers": [{"message_zh": "党风廉政意见：建议暂缓使用"}],
                "flags": ["党风廉政意见：建议暂缓使用",
                          {"level": "info", "code": "x", "text": "另一条提示"}]}

    register_section("discipline", discipline)
    register_section("unit_results", lambda req: {
        "available": True, "statement": "东城区 2019 年度目标责任考核第 3 名。",
        "tables": [{"title": "单位考核", "columns": ["年度", "得分"], "rows": [[2019, 95.5]]}]})
    snap = build_snapshot(o.id, AS_OF)
    req = seen["req"]
    assert (req.official_id, req.as_of, req.window_start, req.years) == (
        o.id, AS_OF, D(2017, 1, 1), (2017, 2018, 2019))
    assert [p["unit_name"] for p in req.principal_posts] == ["东城区"]
    assert snap["discipline"]["opinion"]["answered_on"] == "2020-03-01"
    flags = {f["text"]: f["level"] for f in snap["flags"]}
    assert flags["党风廉政意见：建议暂缓使用"] == "block" and flags["另一条提示"] == "info"
    assert "纪检监察机关意见：未回复" not in flags
    assert snap["unit_results"]["tables"][0]["rows"] == [[2019, 95.5]]
    with pytest.raises(KeyError):
        register_section("nonsense", discipline)


def test_unknown_official(make):
    from kaohe.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        build_snapshot(999999, AS_OF)
    assert exc.value.errors == {"official_id": "干部不存在（编号 999999）。"}
