"""「填写任免审批表信息」: the form facts and the family entered in Kaohe, printed and exported;
agenda items' own 拟免职务."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kaohe.appsheet import services
from kaohe.appsheet.family import save_member
from kaohe.audit.models import AuditLog
from kaohe.core.errors import ValidationFailed
from kaohe.auth import services as auth_services
from kaohe.discussions.models import AgendaItem
from kaohe.extensions import db
from kaohe.interop.lrmx_check import check_fields
from kaohe.interop.lrmx_export import export_fields
from kaohe.interop.lrmx_parse import parse
from kaohe.interop.models import AppointmentSheet, FamilyMember
from tests import discussions_support as s
from tests.appform_support import flat, pages
from tests.conftest import PASSWORD
from tests.helpers import field_errors, form_alerts, form_version, input_value, text

D = dt.date
FILLED = {"birth_place": "浙江杭州", "health": "健康", "tech_title": "高级经济师",
          "specialty": "财政金融管理", "degree_school_fulltime": "浙江大学经济学院",
          "degree_school_inservice": "中共浙江省委党校", "proposed_post": "东城区委书记",
          "proposed_removal": "东城区区长职务", "rewards": "2019年被评为全省优秀公务员。",
          "reason": "工作需要，拟提拔使用。", "reporting_unit": "中共测试市委组织部",
          "filled_by": "刘科长"}
MEMBER = {"relation": "妻子", "name": "李秀英", "birth": "1976.05", "political_status": "中共党员",
          "work": "东城区第一中学教师"}


def _sheet_url(o):
    return f"/officials/{o.id}/appointment-sheet"


def _events(entity: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.entity_type == entity)
                                   .order_by(AuditLog.seq)))


def _sheet(o) -> AppointmentSheet | None:
    db.session.expire_all()
    return db.session.scalar(select(AppointmentSheet).where(AppointmentSheet.official_id == o.id))


def _family(o) -> list[FamilyMember]:
    db.session.expire_all()
    return list(db.session.scalars(select(FamilyMember).where(FamilyMember.official_id == o.id)
                                   .order_by(FamilyMember.sort_order)))


def test_profile_links_to_the_page_for_writers_only(make, auth):
    o = make.official()
    make.commit()
    assert _sheet_url(o) in text(auth.as_role("organization").get(f"/officials/{o.id}"))
    auth.logout()
    assert _sheet_url(o) not in text(auth.as_role("discipline").get(f"/officials/{o.id}"))


def test_sheet_entered_is_saved_audited_printed_and_exported(make, auth):
    o = make.official()
    make.commit()
    client = auth.as_role("organization")
    page = text(client.get(_sheet_url(o)))
    assert "尚未录入家庭成员" in page and input_value(page, "birth_place") == ""
    response = client.post(_sheet_url(o), data=FILLED)
    assert response.status_code == 302 and response.headers["Location"].endswith(_sheet_url(o))
    sheet = _sheet(o)
    assert {k: getattr(sheet, k) for k in FILLED} == FILLED
    [event] = _events("appointment_sheet")
    assert (event.action, event.actor_name, event.entity_id) == ("create", "organization",
                                                                 sheet.id)
    assert input_value(text(client.get(_sheet_url(o))), "health") == "健康"
    profile = text(client.get(f"/officials/{o.id}"))
    section = profile.split('id="lrmx-sheet"')[1].split("</section>")[0]
    # Entered here, not imported: the profile never calls it an imported original.
    assert "任免审批表其他信息" in section and "导入" not in section.split("</h2>")[0]
    assert FILLED["birth_place"] in section
    one, two = (flat(p) for p in pages(client.get(
        f"/officials/{o.id}/appointment-form?size=A4&as_of=2026-03-08").data))
    for key in ("birth_place", "tech_title", "specialty", "proposed_post", "proposed_removal"):
        assert FILLED[key] in one, key
    for key in ("rewards", "reason", "reporting_unit", "filled_by"):
        assert FILLED[key] in two, key
    exported = parse(client.get(f"/interop/officials/{o.id}.lrmx").data)
    assert exported.get("ChuShengDi") == "浙江杭州" and exported.get("TianBiaoRen") == "刘科长"
    assert exported.get("ChengBaoDanWei") == "中共测试市委组织部"


@pytest.mark.parametrize("key", services.FIELDS)
@pytest.mark.parametrize("extra", [0, 1])
def test_sheet_lengths_are_the_specifications(make, auth, key, extra):
    o = make.official()
    make.commit()
    limit = services.MAX[key]
    client = auth.as_role("organization")
    response = client.post(_sheet_url(o), data={**FILLED, key: "字" * (limit + extra)})
    if extra:
        assert response.status_code == 200
        assert field_errors(text(response), key) == [f"不能超过 {limit} 个字。"]
        assert _sheet(o) is None and _events("appointment_sheet") == []
    else:
        assert response.status_code == 302 and len(getattr(_sheet(o), key)) == limit


def test_service_refuses_over_length_too(make):
    o = make.official()
    with pytest.raises(ValidationFailed) as refused:
        services.save_sheet(o, None, {"reason": "字" * 553})
    assert refused.value.errors == {"reason": "不能超过 552 个字（现有 553 个）。"}


def test_stale_sheet_edit_is_refused_and_shows_the_newer_value(make, auth):
    o = make.official()
    services.save_sheet(o, None, {"health": "健康"})
    make.commit()
    client = auth.as_role("organization")
    stale = form_version(client, _sheet_url(o))
    services.save_sheet(o, _sheet(o), {"health": "良好"})
    db.session.commit()
    response = client.post(_sheet_url(o), data={**FILLED, "health": "一般", **stale})
    page = text(response)
    assert response.status_code == 200 and "已被他人修改" in " ".join(form_alerts(page))
    assert "当前保存的值：良好" in page and _sheet(o).health == "良好"
    fresh = form_version(client, _sheet_url(o))
    assert client.post(_sheet_url(o), data={**FILLED, "health": "一般", **fresh}).status_code == 302
    assert _sheet(o).health == "一般"


@pytest.mark.parametrize("birth,stored,day_known,shown", [
    ("1976.05", D(1976, 5, 1), False, "1976.05"),
    ("197605", D(1976, 5, 1), False, "1976.05"),
    ("1976-05-31", D(1976, 5, 31), True, "1976.05.31"),
    ("19760531", D(1976, 5, 31), True, "1976.05.31"),
    ("2000.02.29", D(2000, 2, 29), True, "2000.02.29"),  # leap day
    ("1999.12.31", D(1999, 12, 31), True, "1999.12.31"),
    ("", None, False, "—"),
])
def test_family_member_birth_at_month_or_day(make, auth, birth, stored, day_known, shown):
    o = make.official()
    make.commit()
    client = auth.as_role("organization")
    response = client.post(f"/officials/{o.id}/family/new", data={**MEMBER, "birth": birth})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_sheet_url(o)}#family")
    [m] = _family(o)
    assert (m.birth_date, m.birth_day_known, m.sort_order) == (stored, day_known, 1)
    assert f"<td>{shown}</td>" in text(client.get(_sheet_url(o)))
    [event] = _events("family_member")
    assert (event.action, event.actor_name) == ("create", "organization")
    edit = text(client.get(f"/officials/{o.id}/family/{m.id}/edit"))
    assert input_value(edit, "birth") == ("" if shown == "—" else shown)
    [item] = parse(client.get(f"/interop/officials/{o.id}.lrmx").data).members
    assert item["ChuShengRiQi"] == (stored.strftime("%Y%m%d" if day_known else "%Y%m")
                                    if stored else "")


@pytest.mark.parametrize("birth,message", [
    ("1976.13", "出生日期应为年月"), ("2001.02.29", "出生日期应为年月"),
    ("去年", "出生日期应为年月"), ("1899.12", "出生日期应为年月"),
    ("2027.01", "出生日期不能晚于今天。"),
])
def test_family_birth_refused_next_to_the_field(make, auth, birth, message):
    o = make.official()
    make.commit()
    response = auth.as_role("organization").post(f"/officials/{o.id}/family/new",
                                                 data={**MEMBER, "birth": birth})
    assert response.status_code == 200
    [error] = field_errors(text(response), "birth")
    assert error.startswith(message) and _family(o) == []


@pytest.mark.parametrize("field,limit", [("relation", 18), ("name", 18),
                                         ("political_status", 18), ("work", 124)])
@pytest.mark.parametrize("extra", [0, 1])
def test_family_lengths_are_the_specifications(make, auth, field, limit, extra):
    o = make.official()
    make.commit()
    response = auth.as_role("organization").post(f"/officials/{o.id}/family/new", data={
        **MEMBER, field: "字" * (limit + extra)})
    if extra:
        assert field_errors(text(response), field) == [f"不能超过 {limit} 个字。"]
        assert _family(o) == []
    else:
        assert response.status_code == 302 and len(getattr(_family(o)[0], field)) == limit


@pytest.mark.parametrize("field,message", [("relation", "请填写称谓。"), ("name", "请填写姓名。")])
def test_family_member_needs_relation_and_name(make, auth, field, message):
    o = make.official()
    make.commit()
    response = auth.as_role("organization").post(f"/officials/{o.id}/family/new",
                                                 data={**MEMBER, field: ""})
    assert field_errors(text(response), field) == [message] and _family(o) == []


def test_deceased_member_is_marked_without_birth_and_printed_without_age(make, auth):
    o = make.official()
    make.commit()
    client = auth.as_role("organization")
    url = f"/officials/{o.id}/family/new"
    refused = client.post(url, data={**MEMBER, "relation": "父亲", "name": "王大山",
                                     "birth": "1950.01", "deceased": "y"})
    assert field_errors(text(refused), "birth") == [
        "已去世的成员不填出生日期（只在称谓或姓名后注明已去世）。"] and _family(o) == []
    response = client.post(url, data={**MEMBER, "relation": "父亲", "name": "王大山",
                                      "birth": "", "deceased": "y", "work": ""})
    assert response.status_code == 302
    [m] = _family(o)
    assert (m.name, m.birth_date) == ("王大山（已去世）", None)
    edit = text(client.get(f"/officials/{o.id}/family/{m.id}/edit"))
    assert input_value(edit, "name") == "王大山"
    assert re.search(r'<input checked[^>]*id="deceased"', edit)
    # Saving again does not mark twice; unticking removes the mark.
    form = {**MEMBER, "relation": "父亲", "name": "王大山", "birth": "", "work": "",
            **form_version(client, f"/officials/{o.id}/family/{m.id}/edit")}
    assert client.post(f"/officials/{o.id}/family/{m.id}/edit",
                       data={**form, "deceased": "y"}).status_code == 302
    assert _family(o)[0].name == "王大山（已去世）"
    two = flat(pages(client.get(f"/officials/{o.id}/appointment-form?size=A4").data)[1])
    assert "王大山（已去世）" in two
    form = {**form, **form_version(client, f"/officials/{o.id}/family/{m.id}/edit")}
    assert client.post(f"/officials/{o.id}/family/{m.id}/edit", data=form).status_code == 302
    assert _family(o)[0].name == "王大山"


def test_family_order_edit_and_delete(make, auth):
    o = make.official()
    make.commit()
    client = auth.as_role("organization")
    for relation, name in (("妻子", "李秀英"), ("儿子", "王小明")):
        client.post(f"/officials/{o.id}/family/new", data={**MEMBER, "relation": relation,
                                                           "name": name})
    assert [(m.relation, m.sort_order) for m in _family(o)] == [("妻子", 1), ("儿子", 2)]
    son = _family(o)[1]
    url = f"/officials/{o.id}/family/{son.id}/edit"
    client.post(url, data={**MEMBER, "relation": "儿子", "name": "王小明", "sort_order": "0",
                           **form_version(client, url)})
    assert [m.relation for m in _family(o)] == ["儿子", "妻子"]
    page = text(client.get(_sheet_url(o)))
    assert page.index("王小明") < page.index("李秀英")
    # The printed form and the export follow the order.
    two = flat(pages(client.get(f"/officials/{o.id}/appointment-form?size=A4").data)[1])
    assert two.index("王小明") < two.index("李秀英")
    assert client.post(f"/officials/{o.id}/family/{son.id}/delete").status_code == 302
    assert [m.name for m in _family(o)] == ["李秀英"]
    assert db.session.scalar(select(FamilyMember).where(FamilyMember.id == son.id)
                             .execution_options(include_deleted=True)).deleted_at is not None
    assert [e.action for e in _events("family_member")][-1] == "delete"


@pytest.mark.parametrize("birth,others,linked", [
    ("1976.05", 1, True), ("1976.05.20", 1, True), ("1976.05.21", 1, False),
    ("1976.06", 1, False), ("1976.05", 2, False), ("", 1, False),
])
def test_family_member_is_linked_to_the_official_they_are(make, birth, others, linked):
    o = make.official()
    relatives = [make.official(name="李秀英", birth=D(1976, 5, 20)) for _ in range(others)]
    m = save_member(o, None, {**MEMBER, "birth": birth})
    assert m.relative_official_id == (relatives[0].id if linked else None)


def test_linked_relative_makes_the_users_recuse(make, auth, client):
    o = make.official()
    wife = make.official(name="李秀英", birth=D(1976, 5, 20))
    auth_services.create_user("wife_org", "organization", PASSWORD, official_id=wife.id)
    make.commit()
    client.post("/login", data={"username": "wife_org", "password": PASSWORD})
    assert client.get(_sheet_url(o)).status_code == 200  # not yet declared
    auth.logout()
    writer = auth.as_role("organization")
    writer.post(f"/officials/{o.id}/family/new", data={**MEMBER, "birth": "1976.05"})
    auth.logout()
    client.post("/login", data={"username": "wife_org", "password": PASSWORD})
    [m] = _family(o)
    for method, url, data in (
            ("GET", _sheet_url(o), None), ("POST", _sheet_url(o), FILLED),
            ("GET", f"/officials/{o.id}/family/new", None),
            ("POST", f"/officials/{o.id}/family/{m.id}/edit", {**MEMBER, "work": "被篡改"}),
            ("POST", f"/officials/{o.id}/family/{m.id}/delete", None)):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403 and "李秀英" not in text(response), url
    assert _sheet(o) is None and [x.work for x in _family(o)] == [MEMBER["work"]]


@pytest.mark.parametrize("role", ["admin", "assessment", "discipline", "reviewer"])
def test_other_roles_cannot_enter_the_sheet(make, auth, role):
    o = make.official()
    make.commit()
    client = auth.as_role(role)
    assert client.post(_sheet_url(o), data=FILLED).status_code == 403
    assert client.post(f"/officials/{o.id}/family/new", data=MEMBER).status_code == 403
    assert _sheet(o) is None and _family(o) == []


def test_entered_sheet_passes_the_check_before_sending(make, auth):
    o = make.official()
    make.commit()
    client = auth.as_role("organization")
    entered = {"出生地", "健康状况", "奖惩情况", "呈报单位", "填表人"}
    assert entered <= {p.label for p in check_fields(*export_fields(o, True))}
    client.post(_sheet_url(o), data=FILLED)
    client.post(f"/officials/{o.id}/family/new", data=MEMBER)
    db.session.expire_all()
    after = check_fields(*export_fields(o, True))
    assert not entered & {p.label for p in after}
    assert not [p for p in after if p.label.startswith("家庭")]


# ------------------------------------------------------------------ agenda items' 拟免职务

def _item_url(d, it=None):
    return f"/discussions/{d.id}/items/{it.id}/edit" if it else f"/discussions/{d.id}/items/new"


@pytest.mark.parametrize("field", ["proposed_post", "proposed_removal"])
@pytest.mark.parametrize("extra", [0, 1])
def test_item_posts_up_to_324(make, auth, field, extra):
    d = s.discussion()
    o = s.official(name="王建国")
    make.commit()
    client = auth.as_role("organization")
    page = text(client.get(_item_url(d)))
    assert 'id="proposed_removal"' in page
    response = client.post(_item_url(d), data={
        "official_id": str(o.id), "action": "promote", "proposed_post": "东城区委书记",
        "reason": "工作需要。", field: "职" * (324 + extra)})
    items = list(db.session.scalars(select(AgendaItem)))
    if extra:
        assert field_errors(text(response), field) == ["字段长度不能超过 324 个字符。"]
        assert items == []
    else:
        assert response.status_code == 302 and len(getattr(items[0], field)) == 324


def test_item_removal_is_saved_and_printed_as_the_items_own(make, auth):
    from tests.appform_support import sheet

    d = s.discussion()
    o = s.official(name="王建国")
    sheet(o, proposed_post="表上拟任职务", proposed_removal="表上拟免职务", reason="表上理由")
    make.commit()
    client = auth.as_role("organization")
    client.post(_item_url(d), data={"official_id": str(o.id), "action": "promote",
                                    "proposed_post": "东城区委书记",
                                    "proposed_removal": "西城区副区长", "reason": "工作需要。"})
    [it] = db.session.scalars(select(AgendaItem))
    assert (it.proposed_post, it.proposed_removal) == ("东城区委书记", "西城区副区长")
    assert input_value(text(client.get(_item_url(d, it))), "proposed_removal") == "西城区副区长"
    assert "东城区委书记，拟免西城区副区长" in text(client.get(f"/discussions/{d.id}/items/{it.id}"))
    one = flat(pages(client.get(f"/discussions/{d.id}/items/{it.id}/appointment-form.pdf")
                     .data)[0])
    assert "西城区副区长" in one and "表上拟免职务" not in one and "表上拟任职务" not in one
    # Cleared: printed blank, not the sheet's.
    client.post(_item_url(d, it), data={"official_id": str(o.id), "action": "promote",
                                        "proposed_post": "东城区委书记", "proposed_removal": "",
                                        "reason": "工作需要。",
                                        **form_version(client, _item_url(d, it), optional=True)})
    one = flat(pages(client.get(f"/discussions/{d.id}/items/{it.id}/appointment-form.pdf")
                     .data)[0])
    assert "西城区副区长" not in one and "表上拟免职务" not in one


@pytest.mark.parametrize("length,ok", [(13, True), (14, False)])
def test_deceased_mark_counts_in_the_names_length(make, auth, length, ok):
    o = make.official()
    make.commit()
    response = auth.as_role("organization").post(f"/officials/{o.id}/family/new", data={
        **MEMBER, "birth": "", "name": "名" * length, "deceased": "y"})
    if ok:
        assert response.status_code == 302 and len(_family(o)[0].name) == 18
    else:
        assert field_errors(text(response), "name") == [
            "不能超过 18 个字（含（已去世），现有 19 个）。"] and _family(o) == []
