"""Officials and their records through the web forms: create, edit, soft delete, audit."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kaohe.assessments.models import AssessmentResult
from kaohe.audit.models import AuditLog
from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.officials.models import Official, Post
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review
from kaohe.units.models import Unit
from tests import factories
from tests.helpers import PNG, build_world, form_version, settings_form_values, text


def _audit(entity_type: str, entity_id: int | None = None) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.entity_type == entity_type).order_by(AuditLog.id)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    return list(db.session.scalars(stmt))


def _fresh(model, id_):
    return db.session.scalar(select(model).where(model.id == id_).execution_options(
        include_deleted=True, populate_existing=True))


def _org_user_id() -> int:
    return db.session.scalar(select(User.id).where(User.username == "organization"))


def official_form(unit_id, **kw) -> dict:
    data = {"name": "李明", "gender": "M", "birth_date": "1980-05-06", "ethnicity": "汉族",
            "native_place": "江苏南京", "party_date": "2003-07-01",
            "work_start_date": "2002-08-01", "edu_fulltime": "大学", "degree_fulltime": "学士",
            "school_fulltime": "南京大学 行政管理", "edu_inservice": "研究生",
            "degree_inservice": "硕士", "school_inservice": "中央党校", "unit_id": str(unit_id),
            "current_post": "东城区副区长", "rank": "副处级",
            "id_number": factories.id_number(dt.date(1980, 5, 6))}
    data.update(kw)
    return data


def test_create_edit_delete_official_through_the_forms(client, auth, make):
    world = build_world()
    auth.login()
    form = official_form(world.district.id)
    response = client.post("/officials/new", data=form)
    assert response.status_code == 302
    official = db.session.scalar(select(Official).where(Official.name == "李明"))
    assert response.location == f"/officials/{official.id}"
    assert (official.birth_date, official.unit_id, official.rank, official.id_number,
            official.recorded_by_id) == (dt.date(1980, 5, 6), world.district.id, "副处级",
                                         form["id_number"], _org_user_id())
    page = text(client.get(response.location))
    for shown in ("李明", "东城区副区长", "1980.05", "江苏南京", "南京大学 行政管理", "中央党校",
                  "副处级", "东城区", form["id_number"], "干部信息已保存。"):
        assert shown in page
    [created] = _audit("official", official.id)
    assert (created.action, created.actor_name, created.actor_id) == (
        "create", "organization", _org_user_id())
    assert created.before is None
    assert created.after["name"] == "李明" and created.after["birth_date"] == "1980-05-06"
    assert created.after["id"] == official.id and "photo" not in created.after

    # Edit: the audit row holds exactly the changed fields, before and after.
    edit = f"/officials/{official.id}/edit"
    response = client.post(edit, data={**form, "current_post": "东城区区长", "rank": "正处级",
                                       **form_version(client, edit)})
    assert response.status_code == 302
    assert (_fresh(Official, official.id).current_post, _fresh(Official, official.id).rank) == (
        "东城区区长", "正处级")
    updated = _audit("official", official.id)[-1]
    assert updated.action == "update" and updated.actor_name == "organization"
    assert updated.before == {"current_post": "东城区副区长", "rank": "副处级"}
    assert updated.after == {"current_post": "东城区区长", "rank": "正处级"}

    # Saving the form unchanged writes no audit row.
    client.post(edit, data={**form, "current_post": "东城区区长", "rank": "正处级",
                            **form_version(client, edit)})
    assert len(_audit("official", official.id)) == 2

    # Delete: hidden everywhere, the row and its history stay.
    response = client.post(f"/officials/{official.id}/delete")
    assert response.status_code == 302 and response.location == "/officials/"
    assert client.get(f"/officials/{official.id}").status_code == 404
    assert client.get(f"/api/v1/officials/{official.id}").status_code == 404
    assert "李明" not in text(client.get("/officials/"))
    assert db.session.scalar(select(Official).where(Official.id == official.id)) is None
    row = _fresh(Official, official.id)
    assert row is not None and row.deleted_at is not None and row.name == "李明"
    deleted = _audit("official", official.id)[-1]
    assert deleted.action == "delete" and deleted.actor_name == "organization"
    assert deleted.before == {"deleted_at": None}
    assert deleted.after["deleted_at"] == row.deleted_at.isoformat()


def test_photo_upload(client, auth, make):
    import io

    world = build_world()
    auth.login()
    o = world.official
    form = official_form(world.district.id, name=o.name, birth_date="1975-03-08",
                         id_number=o.id_number)
    form["photo_upload"] = (io.BytesIO(PNG), "me.png")
    form.update(form_version(client, f"/officials/{o.id}/edit"))
    response = client.post(f"/officials/{o.id}/edit", data=form,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    photo = client.get(f"/officials/{o.id}/photo")
    assert photo.data == PNG and photo.mimetype == "image/png"
    assert f'src="/officials/{o.id}/photo"' in text(client.get(f"/officials/{o.id}"))


# Each record kind: form data to create, a change to make, how the profile shows it.
RECORDS = {
    "posts": dict(
        model=Post, table="post", anchor="posts", path="posts",
        create=lambda u: {"unit_id": str(u.id), "title": "西城区区长", "rank": "正处级",
                          "start_date": "2021-01-05", "end_date": "", "is_principal": "y",
                          "note": "交流任职"},
        change={"title": "西城区委书记"},
        shown=("西城区区长", "2021.01", "交流任职"),
        stored=lambda r: (r.title, r.start_date, r.end_date, r.is_principal),
        expected=("西城区区长", dt.date(2021, 1, 5), None, True),
    ),
    "assessments": dict(
        model=AssessmentResult, table="assessment_result", anchor="results", path="results",
        create=lambda u: {"year": "2021", "kind": "annual", "quarter": "", "task_name": "",
                          "grade": "competent", "score": "95.5", "unit_rank": "1",
                          "unit_size": "12", "votes_total": "50", "votes_excellent": "45",
                          "votes_competent": "4", "votes_basically_competent": "1",
                          "votes_incompetent": "0", "public_rating": "88",
                          "comment": "敢于担当"},
        # 称职, not 优秀: the official is alone in his unit, whose 优秀 quota is 0
        # (tests/test_excellent_quota.py).
        change={"grade": "basically_competent", "comment": "较好完成任务"},
        shown=("2021 年", "年度考核", "称职", "95.50", "1/12", "90.0%", "敢于担当"),
        stored=lambda r: (r.year, r.kind, r.grade, float(r.score), r.votes_excellent),
        expected=(2021, "annual", "competent", 95.5, 45),
    ),
    "reviews": dict(
        model=Review, table="review", anchor="reviews", path="reviews",
        create=lambda u: {"date": "2021-05-01", "kind": "thematic", "author": "张部长",
                          "conclusion": "fairly_good", "strengths": "善于攻坚",
                          "weaknesses": "统筹不足", "summary": "可以使用"},
        change={"conclusion": "good", "summary": "建议重用"},
        shown=("2021-05-01", "专题研判", "张部长", "较好", "善于攻坚", "统筹不足", "可以使用"),
        stored=lambda r: (r.date, r.kind, r.author, r.conclusion),
        expected=(dt.date(2021, 5, 1), "thematic", "张部长", "fairly_good"),
    ),
    "orgnotes": dict(
        model=OrgNote, table="org_note", anchor="notes", path="notes",
        create=lambda u: {"date": "2021-04-01", "kind": "petition", "result": "verified_false",
                          "content": "群众来信反映违规收礼", "outcome": "经核查查无实据"},
        change={"result": "verified_true", "outcome": "部分属实，已批评教育"},
        shown=("2021-04-01", "信访举报", "查无实据", "群众来信反映违规收礼", "经核查查无实据"),
        stored=lambda r: (r.date, r.kind, r.result, r.content),
        expected=(dt.date(2021, 4, 1), "petition", "verified_false", "群众来信反映违规收礼"),
    ),
}


@pytest.mark.parametrize("kind", list(RECORDS))
def test_record_create_edit_delete_through_the_forms(client, auth, make, kind):
    spec = RECORDS[kind]
    model = spec["model"]
    world = build_world()
    west = make.unit(name="西城区", kind="county", parent=world.city)
    make.commit()
    o = world.official
    auth.login()
    base = f"/officials/{o.id}/{spec['path']}"
    form = spec["create"](west)

    response = client.post(f"{base}/new", data=form)
    assert response.status_code == 302, text(response)
    assert response.location == f"/officials/{o.id}#{spec['anchor']}"
    item = db.session.scalars(select(model).where(model.official_id == o.id)
                              .order_by(model.id.desc())).first()
    assert spec["stored"](item) == spec["expected"]
    assert item.recorded_by_id == _org_user_id()
    page = text(client.get(f"/officials/{o.id}"))
    for shown in spec["shown"]:
        assert shown in page, shown
    [created] = _audit(spec["table"], item.id)
    assert (created.action, created.actor_name, created.before) == ("create", "organization", None)
    assert created.after["official_id"] == o.id and created.after["id"] == item.id
    assert created.after["recorded_by_id"] == _org_user_id()

    # Edit: only the changed fields are logged, with their old and new values.
    old = {k: getattr(item, k) for k in spec["change"]}
    response = client.post(f"{base}/{item.id}/edit", data={
        **form, **spec["change"], **form_version(client, f"{base}/{item.id}/edit")})
    assert response.status_code == 302, text(response)
    fresh = _fresh(model, item.id)
    assert {k: getattr(fresh, k) for k in spec["change"]} == spec["change"]
    updated = _audit(spec["table"], item.id)[-1]
    assert (updated.action, updated.actor_name) == ("update", "organization")
    assert updated.before == old and updated.after == spec["change"]

    # Delete: gone from the profile and the API, still in the table and the audit log.
    response = client.post(f"{base}/{item.id}/delete")
    assert response.status_code == 302
    assert db.session.scalar(select(model).where(model.id == item.id)) is None
    row = _fresh(model, item.id)
    assert row is not None and row.deleted_at is not None
    page = text(client.get(f"/officials/{o.id}"))
    assert "已删除" in page
    for gone in (v for v in spec["change"].values() if not v.isascii()):
        assert gone not in page
    assert client.get(f"{base}/{item.id}/edit").status_code == 404
    deleted = _audit(spec["table"], item.id)[-1]
    assert (deleted.action, deleted.before, deleted.actor_name) == (
        "delete", {"deleted_at": None}, "organization")
    assert [a.action for a in _audit(spec["table"], item.id)] == ["create", "update", "delete"]


def test_record_of_another_official_is_not_editable_through_this_one(client, auth, make):
    world = build_world()
    other = make.official(name="赵六")
    make.commit()
    auth.login()
    for kind, attr in (("posts", "post"), ("results", "result"), ("reviews", "review"),
                       ("notes", "note")):
        item = getattr(world, attr)
        assert client.get(f"/officials/{other.id}/{kind}/{item.id}/edit").status_code == 404
        assert client.post(f"/officials/{other.id}/{kind}/{item.id}/delete").status_code == 404
        assert _fresh(type(item), item.id).deleted_at is None


def test_profile_groups_records_by_year_newest_first(client, auth, make):
    o = make.official(name="钱七")
    make.result(o, 2018, grade="competent", comment="二〇一八年度评语")
    make.result(o, 2020, grade="excellent", comment="二〇二〇年度评语")
    make.result(o, 2020, kind="quarterly", quarter=3, grade="competent", comment="三季度评语")
    make.review(o, date=dt.date(2019, 8, 1), summary="二〇一九研判")
    make.review(o, date=dt.date(2020, 2, 1), summary="二〇二〇研判")
    make.note(o, date=dt.date(2017, 5, 1), content="二〇一七档案审核")
    make.note(o, date=dt.date(2020, 6, 1), content="二〇二〇事项报告核查", kind="personal_report")
    make.commit()
    auth.login()
    page = text(client.get(f"/officials/{o.id}"))
    years = [int(y) for y in re.findall(r'<section class="card year" id="year-(\d{4})">', page)]
    assert years == [2020, 2019, 2018, 2017]
    sections = dict(zip(years, re.split(r'<section class="card year" id="year-\d{4}">', page)[1:]))
    for item in ("二〇二〇年度评语", "三季度评语", "第3季度考核", "二〇二〇研判", "二〇二〇事项报告核查"):
        assert item in sections[2020]
    assert "二〇一九研判" in sections[2019] and "二〇二〇研判" not in sections[2019]
    assert "二〇一八年度评语" in sections[2018] and "二〇一七档案审核" in sections[2017]
    # The API groups the same way.
    data = client.get(f"/api/v1/officials/{o.id}").get_json()
    assert [y["year"] for y in data["years"]] == [2020, 2019, 2018, 2017]
    assert [r["kind"] for r in data["years"][0]["assessment_results"]] == ["annual", "quarterly"]


@pytest.mark.parametrize("votes,total,rates", [
    ((45, 5, 0, 0), 50, ("90.0%", "10.0%", "0.0%", "0.0%")),
    ((10, 10, 9, 1), 30, ("33.3%", "33.3%", "30.0%", "3.3%")),
    ((0, 0, 0, 7), 7, ("0.0%", "0.0%", "0.0%", "100.0%")),
])
def test_vote_rates_are_derived_never_typed(client, auth, make, votes, total, rates):
    o = make.official(name="孙八")
    make.result(o, 2020, votes_total=total, **dict(zip(
        ("votes_excellent", "votes_competent", "votes_basically_competent", "votes_incompetent"),
        votes)))
    make.commit()
    auth.login()
    page = text(client.get(f"/officials/{o.id}"))
    assert " / ".join(rates) + f' <span class="muted">（{total} 票）</span>' in page
    api = client.get(f"/api/v1/officials/{o.id}").get_json()
    got = api["years"][0]["assessment_results"][0]["vote_rates"]
    assert got == pytest.approx({k: v / total for k, v in zip(
        ("excellent", "competent", "basically_competent", "incompetent"), votes)})
    # The form asks for counts only: there is no field to type a rate into.
    form_page = text(client.get(f"/officials/{o.id}/results/new"))
    assert not re.search(r'name="[^"]*rate[^"]*"', form_page.replace("public_rating", ""))


def test_no_votes_no_rates(client, auth, make):
    o = make.official(name="周九")
    make.result(o, 2020)
    make.commit()
    auth.login()
    api = client.get(f"/api/v1/officials/{o.id}").get_json()
    assert api["years"][0]["assessment_results"][0]["vote_rates"] is None


def test_units_create_and_edit_with_audit(client, auth, make):
    world = build_world()
    auth.login("admin")
    response = client.post("/units/new", data={
        "code": "D-01", "name": "市发展改革委", "kind": "department",
        "parent_id": str(world.city.id), "leader_in_charge": "李副市长", "sort_order": "3"})
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "D-01"))
    assert (unit.parent_id, unit.kind, unit.leader_in_charge) == (world.city.id, "department",
                                                                  "李副市长")
    page = text(client.get("/units/"))
    assert "市发展改革委" in page and "李副市长" in page and "市直部门" in page
    response = client.post(f"/units/{unit.id}/edit", data={
        "code": "D-01", "name": "市发展和改革委员会", "kind": "department",
        "parent_id": str(world.city.id), "leader_in_charge": "王副市长", "sort_order": "3",
        **form_version(client, f"/units/{unit.id}/edit")})
    assert response.status_code == 302
    log = _audit("unit", unit.id)
    assert [x.action for x in log] == ["create", "update"]
    assert log[1].before == {"name": "市发展改革委", "leader_in_charge": "李副市长"}
    assert log[1].after == {"name": "市发展和改革委员会", "leader_in_charge": "王副市长"}
    assert log[1].actor_name == "admin"


def test_settings_change_is_audited(client, auth, make):
    auth.login("admin")
    from kaohe.settings import services as settings

    form = {"dossier__confidentiality": "机密", "dossier__window_years": "4",
            "assessment__excellent_quota_pct": "20",
            "assessment__excellent_quota_pct_approved": "25"}
    page = text(client.get("/admin/settings"))
    names = set(re.findall(r'name="([a-z_]+__[a-z_]+)"', page))
    assert set(form) <= names
    form = {**settings_form_values(page), **form}  # other features' settings unchanged
    response = client.post("/admin/settings", data={**form, **form_version(client, "/admin/settings")})
    assert response.status_code == 302, text(response)
    assert settings.get("dossier.window_years") == 4
    log = _audit("setting")
    changed = {(x.after or {}).get("key"): x for x in log}
    assert changed["dossier.window_years"].after == {"key": "dossier.window_years", "value": 4}
    assert changed["dossier.window_years"].actor_name == "admin"


def test_admin_creates_user_with_one_time_password(client, auth, ctx):
    auth.login("admin")
    response = client.post("/admin/users/new", data={"username": "zhang.san",
                                                     "display_name": "张三",
                                                     "role": "discipline"})
    page = text(response)
    assert response.status_code == 200 and "此密码只显示这一次" in page
    password = re.search(r'<p class="secret mono">(.*?)</p>', page).group(1)
    user = db.session.scalar(select(User).where(User.username == "zhang.san"))
    assert user.role.name == "discipline" and password not in user.password_hash
    assert _audit("user", user.id)[0].actor_name == "admin"
    other = client.application.test_client()
    other.post("/login", data={"username": "zhang.san", "password": password})
    assert "您好，张三" in text(other.get("/home"))


@pytest.mark.parametrize("role", ["reviewer", "discipline"])
def test_user_edit_form_preselects_the_users_role(client, auth, ctx, role):
    """A browser submits the first option of a select with none selected: the edit form
    must preselect the user's role, or saving a name change would change the role."""
    user = db.session.scalar(select(User).where(User.username == role))
    auth.login("admin")
    page = text(client.get(f"/admin/users/{user.id}/edit"))
    assert re.findall(r'<option selected value="([a-z]+)"', page) == [role]


def test_posts_of_a_deleted_official_do_not_block_a_principal_post(client, auth, make):
    """An official entered by mistake and deleted keeps their posts in the table; they
    no longer count as the unit's principal leader."""
    world = build_world()  # 王建国 is principal of 东城区 since 2016
    world.official.soft_delete()
    other = make.official(name="李正")
    make.commit()
    auth.login()
    response = client.post(f"/officials/{other.id}/posts/new", data={
        "unit_id": str(world.district.id), "title": "东城区区长", "rank": "正处级",
        "start_date": "2020-01-01", "end_date": "", "is_principal": "y", "note": ""})
    assert response.status_code == 302, text(response)[:1000]
    assert db.session.scalar(select(Post).where(Post.official_id == other.id)).is_principal
