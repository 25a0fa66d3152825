"""JSON API additions (issue 8): units, token writes with the forms' rules, OpenAPI."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from kaohe.assessments.models import AssessmentResult
from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.extensions import db
from kaohe.officials.models import Official
from tests.helpers import table_counts

B1 = dt.date(1975, 3, 8)


def _token(make, role="organization") -> dict:
    user = db.session.scalar(select(User).where(User.username == role))
    token = auth_services.create_token(user)
    make.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def district(make):
    unit = make.unit(name="东城区", code="DC")
    make.commit()
    return unit


def test_units_list_for_unit_readers(client, make, district):
    response = client.get("/api/v1/units", headers=_token(make, "assessment"))
    assert response.status_code == 200
    assert response.get_json()["items"][0] == {
        "id": district.id, "code": "DC", "name": "东城区", "kind": "county", "kind_label": "区县",
        "parent_id": None, "leader_in_charge": "张副市长"}
    assert client.get("/api/v1/units", headers=_token(make, "reviewer")).status_code == 403
    assert client.get(f"/api/v1/units/{district.id + 999}",
                      headers=_token(make, "admin")).status_code == 404


def test_create_update_official_and_add_result(client, make, district):
    headers = _token(make)
    number = make.id_number(B1)
    body = {"name": "王建国", "gender": "M", "birth_date": "1975-03-08", "id_number": number,
            "unit_id": district.id, "rank": "正处级", "party_date": "1998-07-01"}
    response = client.post("/api/v1/officials", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["name"] == "王建国" and created["id_number"] == number
    official = db.session.get(Official, created["id"])
    assert official.unit_id == district.id and official.party_date == dt.date(1998, 7, 1)
    assert official.edu_fulltime == "" and official.ethnicity == ""  # left out = left blank
    response = client.put(f"/api/v1/officials/{official.id}",
                          json={"current_post": "区长", "version": created["version"]},
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == created["version"] + 1
    db.session.refresh(official)
    assert official.current_post == "区长" and official.rank == "正处级"  # others kept
    response = client.post(f"/api/v1/officials/{official.id}/results", headers=headers,
                           json={"year": 2019, "kind": "annual", "grade": "competent", "score": 92})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["grade_label"] == "称职"
    result = db.session.scalar(select(AssessmentResult).where(
        AssessmentResult.official_id == official.id))
    assert (result.year, result.grade, float(result.score)) == (2019, "competent", 92.0)
    response = client.post(f"/api/v1/officials/{official.id}/posts", headers=headers,
                           json={"unit_id": district.id, "title": "东城区区长",
                                 "start_date": "2016-01-01", "is_principal": True})
    assert response.status_code == 201 and response.get_json()["is_principal"] is True


def test_errors_are_400_with_chinese_messages_per_field(client, make, district):
    headers = _token(make)
    official = make.official(name="王建国")
    make.commit()
    before = table_counts()
    cases = [
        ({"name": "", "gender": "M", "birth_date": "1975-03-08", "id_number": "123"},
         {"name": "请填写姓名。"}),
        ({"name": "李四", "gender": "M", "birth_date": "1975-13-08", "id_number": "1"},
         {"birth_date": "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"}),
        ({"name": "李四", "gender": "M", "birth_date": "1975-03-08", "id_number": "123"},
         {"id_number": "身份证号应为 18 位，前 17 位为数字，末位为数字或 X。"}),
        ({"name": "李四", "gender": "M", "birth_date": "1975-03-08",
          "id_number": official.id_number}, {"id_number": "已有干部使用该身份证号。"}),
        ({"name": "李四", "nickname": "x"}, None),
    ]
    for body, fields in cases:
        response = client.post("/api/v1/officials", json=body, headers=headers)
        assert response.status_code == 400
        data = response.get_json()
        assert data["error"]
        if fields:
            for name, message in fields.items():
                assert data["fields"][name] == message
        else:
            assert "未知字段" in data["fields"]["nickname"]
    response = client.post(f"/api/v1/officials/{official.id}/results", headers=headers,
                           json={"year": 2019, "kind": "annual", "grade": "excellent",
                                 "votes_total": 10, "votes_excellent": 3})
    assert response.get_json()["fields"]["votes_total"].startswith("各等次票数之和（3）")
    response = client.post("/api/v1/officials", data="not json", headers=headers)
    assert response.status_code == 400 and "JSON" in response.get_json()["error"]
    response = client.post("/api/v1/officials", json={"name": "a\x00b"}, headers=headers)
    assert response.status_code == 400
    assert table_counts() == before


@pytest.mark.parametrize("body", [b"[" * 5000, b'{"name":' * 3000])
@pytest.mark.parametrize("role, url", [("organization", "/api/v1/officials"),
                                       ("discipline", "/api/v1/officials/{id}/discipline-findings")])
def test_deeply_nested_json_is_refused_as_bad_json(client, make, district, body, role, url):
    """Found by the bad-input sweep: the JSON decoder's RecursionError was a 500."""
    official = make.official(name="王建国", unit_obj=district)
    headers = _token(make, role)
    before = table_counts()
    response = client.post(url.format(id=official.id), data=body, headers=headers,
                           content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]
    assert {k: v for k, v in table_counts().items() if k != "audit_log"} == \
        {k: v for k, v in before.items() if k != "audit_log"}


def test_writes_need_a_token_of_a_writer(client, auth, make, district):
    body = {"name": "王建国", "gender": "M", "birth_date": "1975-03-08",
            "id_number": make.id_number(B1)}
    assert client.post("/api/v1/officials", json=body).status_code == 401
    assert client.post("/api/v1/officials", json=body,
                       headers=_token(make, "discipline")).status_code == 403
    auth.as_role("organization")  # a cookie session is never enough: no CSRF exposure
    assert client.post("/api/v1/officials", json=body).status_code == 403


def test_openapi_document_lists_the_routes(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = json.loads(response.data)
    assert doc["openapi"] == "3.0.3"
    paths = doc["paths"]
    for path, method in (("/officials", "get"), ("/officials", "post"),
                         ("/officials/{official_id}", "get"), ("/officials/{official_id}", "put"),
                         ("/officials/{official_id}/results", "post"),
                         ("/officials/{official_id}/posts", "post"),
                         ("/units", "get"), ("/units/{unit_id}", "get")):
        assert method in paths[path], (path, method)
    body = paths["/officials"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"name", "gender", "birth_date", "id_number"}
    assert body["properties"]["gender"]["enum"] == ["M", "F"]
    assert body["properties"]["name"]["maxLength"] == 64
    assert body["properties"]["birth_date"]["format"] == "date"
    query = {p["name"] for p in paths["/officials"]["get"]["parameters"]}
    assert {"q", "unit_id", "rank", "year", "grade"} <= query
    [param] = paths["/officials/{official_id}"]["get"]["parameters"]
    assert param == {"name": "official_id", "in": "path", "required": True,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
    assert paths["/units"]["get"]["summary"].startswith("All units")


def test_openapi_document_is_valid_openapi(client):
    import schemathesis

    from kaohe.api.openapi import document

    schema = schemathesis.openapi.from_dict(document(client.application))
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 10
