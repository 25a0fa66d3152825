"""Bad input: a Chinese message next to the field, nothing saved, never a 500."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from kaohe.core import clock
from kaohe.assessments.services import FIRST_YEAR
from tests import factories
from tests.helpers import (build_world, field_errors, form_alerts, form_version, table_counts,
                           text)
from tests.test_records import RECORDS, official_form

TODAY = clock.today()
# A future date that stays future if the run crosses midnight (Beijing) after collection.
TOMORROW = (TODAY + dt.timedelta(days=2)).isoformat()
DATE_FORMAT = "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"
FUTURE = "日期不能晚于今天。"
CHOICE = "不是有效的选择。"
NOT_INT = "不是有效的整数。"
NOT_DECIMAL = "不是有效的小数。"
SCORE = "分数应在 0 到 100 之间。"
NO_UNIT = "所选单位不存在。"
HUGE = "9" * 25


def _with_check_digit(first17: str) -> str:
    return first17 + factories.idcard.check_digit(first17)


def _wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# form → (URL pattern, valid data builder)
def _url(form: str, w) -> str:
    o = w.official.id
    return {
        "official_new": "/officials/new",
        "official_edit": f"/officials/{o}/edit",
        "post": f"/officials/{o}/posts/new",
        "post_edit": f"/officials/{o}/posts/{w.post.id}/edit",
        "result": f"/officials/{o}/results/new",
        "result_edit": f"/officials/{o}/results/{w.result.id}/edit",
        "review": f"/officials/{o}/reviews/new",
        "note": f"/officials/{o}/notes/new",
        "unit": "/units/new",
        "unit_edit": f"/units/{w.district.id}/edit",
        "user": "/admin/users/new",
    }[form]


def _valid(form: str, w) -> dict:
    if form == "official_new":
        return official_form(w.district.id)
    if form == "official_edit":
        return official_form(w.district.id, name="王建国", birth_date="1975-03-08",
                             id_number=w.official.id_number)
    if form in ("post", "post_edit"):
        return {**RECORDS["posts"]["create"](w.city), "is_principal": ""}
    if form == "result":
        return RECORDS["assessments"]["create"](w.district)
    if form == "result_edit":
        return {**RECORDS["assessments"]["create"](w.district), "year": "2019"}
    if form == "review":
        return RECORDS["reviews"]["create"](w.district)
    if form == "note":
        return RECORDS["orgnotes"]["create"](w.district)
    if form == "unit":
        return {"code": "N-01", "name": "新区", "kind": "zone", "parent_id": str(w.city.id),
                "leader_in_charge": "", "sort_order": "0"}
    if form == "unit_edit":
        return {"code": w.district.code, "name": "东城区", "kind": "county",
                "parent_id": str(w.city.id), "leader_in_charge": "张副市长", "sort_order": "0"}
    if form == "user":
        return {"username": "new.user", "display_name": "新用户", "role": "reviewer"}
    raise AssertionError(form)


def _second_id_for(w) -> str:
    """The ID number of a second official (for the duplicate case)."""
    other = factories.official(name="钱二", birth=dt.date(1980, 5, 6))
    factories.commit()
    return other.id_number


def _deleted_official_id(w) -> str:
    other = factories.official(name="已删除", birth=dt.date(1980, 5, 6))
    other.soft_delete()
    factories.commit()
    return other.id_number


# (form, field whose .error must carry the message, overrides, exact messages)
# An override value may be a callable of the world, evaluated after it is built.
CASES = [
    # officials
    ("official_new", "name", {"name": "  "}, ["请填写姓名。"]),
    ("official_new", "name", {"name": "名" * 65}, ["字段长度不能超过 64 个字符。"]),
    ("official_new", "birth_date", {"birth_date": "1980/05/06"}, [DATE_FORMAT]),
    ("official_new", "birth_date", {"birth_date": "1980-02-30"}, [DATE_FORMAT]),
    ("official_new", "birth_date", {"birth_date": ""}, ["请填写出生日期。"]),
    ("official_new", "birth_date",
     {"birth_date": TOMORROW,
      "id_number": _with_check_digit("330102" + TOMORROW.replace("-", "") + "123")}, [FUTURE]),
    ("official_new", "party_date", {"party_date": TOMORROW}, [FUTURE]),
    ("official_new", "party_date", {"party_date": "1979-01-01"}, ["入党时间应晚于出生日期。"]),
    ("official_new", "work_start_date", {"work_start_date": "1980-05-06"},
     ["参加工作时间应晚于出生日期。"]),
    ("official_new", "gender", {"gender": "X"}, [CHOICE]),
    ("official_new", "rank", {"rank": "团长"}, [CHOICE]),
    ("official_new", "edu_fulltime", {"edu_fulltime": "博士后"},
     ["学历应写明层次，如“大学本科”“研究生”“省委党校研究生”。"]),
    ("official_new", "degree_fulltime", {"degree_fulltime": "经济学"},
     ["学位应为学士、硕士或博士学位并写明学科，如“经济学学士”“管理学硕士”；没有学位填“无”。"]),
    ("official_new", "party_date", {"political_status": "群众"},
     ["只有中共党员（含预备党员）填写入党时间；同时是民主党派成员的，政治面貌选“中共党员”。"]),
    ("official_new", "democratic_party", {"political_status": "民主党派", "party_date": ""},
     ["民主党派成员须选择所在党派。"]),
    ("official_new", "democratic_party_date",
     {"democratic_party": "民建", "democratic_party_date": TOMORROW}, [FUTURE]),
    ("official_new", "unit_id", {"unit_id": "999999"}, [NO_UNIT]),
    ("official_new", "unit_id", {"unit_id": "abc"}, [NO_UNIT]),
    ("official_new", "unit_id", {"unit_id": HUGE}, [NO_UNIT]),
    ("official_new", "id_number", {"id_number": ""}, ["请填写身份证号。"]),
    ("official_new", "id_number", {"id_number": "12345"},
     ["身份证号应为 18 位，前 17 位为数字，末位为数字或 X。"]),
    ("official_new", "id_number", {"id_number": "3301021980050612345"}, ["身份证号应为 18 位。"]),
    ("official_new", "id_number", {"id_number": "33010219800506123Y"},
     ["身份证号应为 18 位，前 17 位为数字，末位为数字或 X。"]),
    ("official_new", "id_number",
     {"id_number": lambda w: _wrong_check_digit(factories.id_number(dt.date(1980, 5, 6), 77))},
     ["身份证号校验位不正确，请核对。"]),
    ("official_new", "id_number",
     {"id_number": _with_check_digit("33010219800230123")}, ["身份证号中的出生日期无效。"]),
    ("official_new", "id_number",
     {"id_number": factories.id_number(dt.date(1981, 5, 6), 5)},
     ["身份证号中的出生日期与填写的出生日期不一致。"]),
    ("official_new", "id_number", {"id_number": _second_id_for}, ["已有干部使用该身份证号。"]),
    ("official_new", "id_number", {"id_number": _deleted_official_id}, ["已有干部使用该身份证号。"]),
    ("official_new", "photo_upload", {"photo_upload": (b"GIF89a....", "x.png")},
     ["照片须为 JPG 或 PNG 图片。"]),
    ("official_new", "photo_upload", {"photo_upload": (b"\x89PNG\r\n\x1a\n", "x.gif")},
     ["照片须为 JPG 或 PNG 图片。"]),
    # an edit that changes a valid field and breaks another saves neither
    ("official_edit", "id_number", {"current_post": "改了", "id_number": "330102197503080000"},
     ["身份证号校验位不正确，请核对。"]),
    ("official_edit", "photo_upload", {"current_post": "改了",
                                       "photo_upload": (b"not an image", "x.jpg")},
     ["照片须为 JPG 或 PNG 图片。"]),
    # posts
    ("post", "title", {"title": ""}, ["请填写职务。"]),
    ("post", "start_date", {"start_date": "2021.01.05"}, [DATE_FORMAT]),
    ("post", "start_date", {"start_date": TOMORROW}, [FUTURE]),
    ("post", "end_date", {"end_date": "2020-12-31"}, ["任职结束日期不能早于开始日期。"]),
    ("post", "end_date", {"end_date": "not a date"}, [DATE_FORMAT]),
    ("post", "unit_id", {"unit_id": "999999"}, [NO_UNIT]),
    ("post", "unit_id", {"unit_id": "abc"}, [NO_UNIT]),
    ("post", "unit_id", {"unit_id": ""}, [NO_UNIT]),
    ("post", "rank", {"rank": "司令"}, [CHOICE]),
    ("post", "is_principal",
     {"unit_id": lambda w: str(w.district.id), "is_principal": "y", "start_date": "2019-01-01"},
     ["该单位在此期间已有主要负责人：王建国（2016-01-01 至 今）。"]),
    ("post_edit", "end_date", {"title": "改了", "start_date": "2016-01-01",
                               "end_date": "2015-12-31"}, ["任职结束日期不能早于开始日期。"]),
    # assessment results
    ("result", "year", {"year": "abc"}, [NOT_INT]),
    ("result", "year", {"year": ""}, ["请填写年度。"]),
    ("result", "year", {"year": "1970"}, [f"年度应在 {FIRST_YEAR} 至 {TODAY.year} 之间。"]),
    ("result", "year", {"year": str(TODAY.year + 1)},
     [f"年度应在 {FIRST_YEAR} 至 {TODAY.year} 之间。"]),
    ("result", "year", {"year": HUGE}, [f"年度应在 {FIRST_YEAR} 至 {TODAY.year} 之间。"]),
    ("result", "year", {"year": "2019"},
     ["该干部 2019 年度已有年度考核结果，每年只能有一条。"]),
    ("result", "kind", {"kind": "monthly"}, [CHOICE]),
    ("result", "grade", {"grade": "outstanding"}, [CHOICE]),
    ("result", "grade", {"grade": ""}, ["请选择等次。"]),
    ("result", "quarter", {"kind": "quarterly", "quarter": ""}, ["季度考核须选择季度（1–4）。"]),
    ("result", "quarter", {"kind": "quarterly", "quarter": "5"}, [CHOICE]),
    ("result", "quarter", {"kind": "quarterly", "quarter": "二"}, ["选择无效：无法转化类型。"]),
    ("result", "quarter", {"kind": "quarterly", "year": "2019", "quarter": lambda w: str(
        factories.result(w.official, 2019, kind="quarterly", quarter=2).quarter)},
     ["该干部 2019 年第 2 季度已有考核结果。"]),
    ("result", "task_name", {"kind": "special", "task_name": "  "}, ["专项考核须填写任务名称。"]),
    ("result", "score", {"score": "101"}, [SCORE]),
    ("result", "score", {"score": "-1"}, [SCORE]),
    ("result", "score", {"score": "abc"}, [NOT_DECIMAL]),
    ("result", "score", {"score": "NaN"}, [NOT_DECIMAL]),
    ("result", "score", {"score": "sNaN"}, [NOT_DECIMAL]),
    ("result", "score", {"score": "Infinity"}, [NOT_DECIMAL]),
    ("result", "public_rating", {"public_rating": "100.01"}, [SCORE]),
    ("result", "unit_rank", {"unit_rank": "13", "unit_size": "12"},
     ["单位内排名应在 1 与参评人数之间。"]),
    ("result", "unit_rank", {"unit_rank": "3", "unit_size": ""},
     ["单位内排名与参评人数须同时填写。"]),
    ("result", "unit_rank", {"unit_rank": "0"}, ["数值大小必须介于 1 到 2147483647 之间。"]),
    ("result", "unit_size", {"unit_size": HUGE}, ["数值大小必须介于 1 到 2147483647 之间。"]),
    ("result", "unit_size", {"unit_size": "3000000000"},
     ["数值大小必须介于 1 到 2147483647 之间。"]),
    ("result", "votes_total", {"votes_excellent": "44"},
     ["各等次票数之和（49）与有效票总数（50）不一致。"]),
    ("result", "votes_total", {"votes_total": ""}, ["填写民主测评票数时须填写有效票总数。"]),
    ("result", "votes_total", {"votes_total": "0"}, ["数值大小必须介于 1 到 2147483647 之间。"]),
    ("result", "votes_incompetent", {"votes_incompetent": "-1"},
     ["数值大小必须介于 0 到 2147483647 之间。"]),
    ("result_edit", "score", {"comment": "改了", "score": "101"}, [SCORE]),
    # reviews
    ("review", "date", {"date": "2021/05/01"}, [DATE_FORMAT]),
    ("review", "date", {"date": ""}, ["请填写研判日期。"]),
    ("review", "date", {"date": TOMORROW}, [FUTURE]),
    ("review", "kind", {"kind": "weekly"}, [CHOICE]),
    ("review", "conclusion", {"conclusion": "优"}, [CHOICE]),
    ("review", "author", {"author": "   "}, ["请填写研判人。"]),
    # organization notes
    ("note", "date", {"date": "01-04-2021"}, [DATE_FORMAT]),
    ("note", "date", {"date": TOMORROW}, [FUTURE]),
    ("note", "kind", {"kind": "gossip"}, [CHOICE]),
    ("note", "result", {"result": "unknown"}, [CHOICE]),
    ("note", "content", {"content": "  "}, ["请填写具体内容。"]),
    # units
    ("unit", "code", {"code": lambda w: w.district.code}, ["单位代码已存在。"]),
    ("unit", "parent_id", {"parent_id": "999999"}, ["上级单位不存在。"]),
    ("unit", "parent_id", {"parent_id": "abc"}, ["上级单位不存在。"]),
    ("unit", "kind", {"kind": "province"}, [CHOICE]),
    ("unit", "sort_order", {"sort_order": "abc"}, [NOT_INT]),
    ("unit", "sort_order", {"sort_order": "3000000000"},
     ["数值大小必须介于 -2147483647 到 2147483647 之间。"]),
    ("unit_edit", "parent_id", {"parent_id": lambda w: str(w.district.id)},
     ["上级单位不能是本单位或其下级单位。"]),
    # users
    ("user", "username", {"username": "bad name!"}, ["用户名只能包含字母、数字、下划线、点和连字符。"]),
    ("user", "username", {"username": "organization"}, ["该用户名已被使用。"]),
    ("user", "role", {"role": "king"}, [CHOICE]),
]


@pytest.mark.parametrize("form,field,overrides,messages", [
    pytest.param(*c, id=f"{c[0]}-{c[1]}-" + "|".join(
        "fn" if callable(v) else str(v)[:30] for v in c[2].values())) for c in CASES])
def test_bad_input_is_refused_next_to_the_field(client, auth, make, form, field, overrides,
                                                messages):
    w = build_world()
    data = {**_valid(form, w)}
    for key, value in overrides.items():
        data[key] = value(w) if callable(value) else value
    files = False
    if "photo_upload" in data:
        content, name = data["photo_upload"]
        data["photo_upload"] = (io.BytesIO(content), name)
        files = True
    auth.login("admin" if form.startswith(("unit", "user")) else "organization")
    if form.endswith("_edit"):  # the edit form's version, as the browser sends it back
        data.update(form_version(client, _url(form, w)))
    before = table_counts()
    response = client.post(_url(form, w), data=data,
                           content_type="multipart/form-data" if files else None)
    page = text(response)
    assert response.status_code == 200, page[:3000]
    assert field_errors(page, field) == messages
    assert "保存失败" in " ".join(form_alerts(page))
    assert table_counts() == before, "nothing may be saved, not even an audit row"
    # The other values entered are shown again for correction.
    for key, value in data.items():
        if key not in overrides and isinstance(value, str) and not value.isascii():
            assert value in page, key


def test_the_same_valid_data_is_accepted(client, auth, make):
    """The valid data the cases start from does save (so each refusal is the override's)."""
    w = build_world()
    auth.login()
    for form in ("official_new", "post", "result", "review", "note"):
        response = client.post(_url(form, w), data=_valid(form, w))
        assert response.status_code == 302, (form, text(response)[:2000])
    auth.logout()
    auth.login("admin")
    for form in ("unit", "user"):
        response = client.post(_url(form, w), data=_valid(form, w))
        assert response.status_code in (200, 302), form
        assert "保存失败" not in text(response)


# --- no 500 anywhere ----------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "page=abc", "page=0", "page=-3", f"page={HUGE}", "page=2147483648", "unit_id=xyz",
    "unit_id=-1", f"unit_id={HUGE}", "unit_id=999999", "year=99999", f"year={HUGE}", "year=abc",
    "grade=bogus", "rank=bogus", "rank=%E5%9B%A2%E9%95%BF", "q=" + "王" * 300, "q=%25",
    "q=_", "q=%27%3B--", "year=2019&grade=excellent&unit_id=abc&rank=&page=2",
])
def test_officials_list_survives_garbage_query_strings(client, auth, make, query):
    build_world()
    auth.login()
    response = client.get(f"/officials/?{query}")
    assert response.status_code == 200
    assert "干部查询" in text(response)


@pytest.mark.parametrize("query,status", [
    ("page=0", 400), ("page=-1", 400), ("page=abc", 400), (f"page={HUGE}", 400),
    ("per_page=1000", 400), ("per_page=0", 400), ("per_page=x", 400), ("year=abc", 400),
    ("year=99999", 400), ("unit_id=abc", 400), (f"unit_id={HUGE}", 400),
    ("page=0&per_page=1000", 400), ("q=%00", 400), ("grade=bogus", 200), ("rank=bogus", 200),
    ("unit_id=999999", 200), ("page=99", 200),
])
def test_api_list_rejects_bad_parameters_with_json(client, auth, make, query, status):
    build_world()
    auth.login()
    response = client.get(f"/api/v1/officials?{query}")
    assert response.status_code == status
    data = response.get_json()
    if status == 400:
        assert data["status"] == 400 and re.search(r"[\u4e00-\u9fff]", data["error"])
    else:
        assert set(data) >= {"items", "total", "page"}


@pytest.mark.parametrize("url", [
    "/officials/999999", "/officials/999999/photo", "/officials/999999/edit",
    f"/officials/{HUGE}", "/officials/2147483648", "/officials/999999/results/new",
    "/officials/{o}/results/999999/edit", "/officials/{o}/posts/999999/edit",
    "/officials/{o}/reviews/999999/edit", "/officials/{o}/notes/999999/edit",
    "/units/999999/edit", f"/units/{HUGE}/edit", "/no/such/page", "/officials/abc",
])
def test_unknown_ids_give_a_chinese_404_page(client, auth, make, url):
    w = build_world()
    auth.login()
    response = client.get(url.format(o=w.official.id))
    assert response.status_code == 404
    assert "页面或记录不存在" in text(response)


@pytest.mark.parametrize("url", ["/api/v1/officials/999999", f"/api/v1/officials/{HUGE}",
                                 "/api/v1/nothing", "/api/v1/officials/abc"])
def test_unknown_api_resources_give_json_404(client, auth, make, url):
    build_world()
    auth.login()
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json() == {"error": "页面或记录不存在", "status": 404}


@pytest.mark.parametrize("url", ["/admin/users/999999/edit", f"/admin/users/{HUGE}/edit"])
def test_unknown_user_gives_404(client, auth, url):
    auth.login("admin")
    response = client.get(url)
    assert response.status_code == 404 and "页面或记录不存在" in text(response)


@pytest.mark.parametrize("method,url,data", [
    ("GET", "/officials/?q=%00", None),
    ("GET", "/api/v1/officials?rank=a%00", None),
    ("POST", "/login", {"username": "organization\x00", "password": "x"}),
    ("POST", "/officials/new", {"name": "王\x00"}),
    ("POST", "/units/new", {"code": "X\x00", "name": "n", "kind": "zone"}),
])
def test_nul_characters_are_refused_not_crashing(client, auth, make, method, url, data):
    build_world()
    auth.login()
    before = table_counts()
    response = client.open(url, method=method, data=data)
    assert response.status_code == 400
    body = response.get_json()["error"] if url.startswith("/api/") else text(response)
    assert "请求中含有无效字符。" in body
    assert table_counts() == before


def test_no_500_on_method_not_allowed(client, auth, make):
    w = build_world()
    auth.login()
    response = client.get(f"/officials/{w.official.id}/delete")
    assert response.status_code == 405 and "不支持该操作方式" in text(response)
    assert client.delete("/api/v1/officials").get_json()["status"] == 405


# --- CSRF ----------------------------------------------------------------------------

@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_login_without_csrf_token_is_refused(client, csrf_on, ctx):
    before = table_counts()
    response = client.post("/login", data={"username": "organization",
                                           "password": "test-password-123"})
    assert response.status_code == 400
    assert "表单已过期或来源无效，请刷新页面后重新提交。" in text(response)
    assert client.get("/home").status_code == 302
    assert table_counts() == before
    # With the token of the login page it works.
    token = _token(text(client.get("/login")))
    response = client.post("/login", data={"username": "organization",
                                           "password": "test-password-123", "csrf_token": token})
    assert response.status_code == 302 and response.location == "/home"


@pytest.mark.parametrize("form", ["official_new", "result", "review", "note", "post", "unit"])
def test_forms_without_csrf_token_save_nothing(client, auth, make, csrf_on, form):
    w = build_world()
    token = _token(text(client.get("/login")))
    client.post("/login", data={"username": "organization", "password": "test-password-123",
                                "csrf_token": token})
    before = table_counts()
    url = _url(form, w)
    for bad in (None, "forged-token"):
        data = _valid(form, w) if bad is None else {**_valid(form, w), "csrf_token": bad}
        response = client.post(url, data=data)
        assert response.status_code == 400
        assert "表单已过期或来源无效" in text(response)
        assert table_counts() == before
    # Deletes and logout are forms too.
    assert client.post(f"/officials/{w.official.id}/delete").status_code == 400
    assert client.post("/logout").status_code == 400
    assert table_counts() == before
    # The page's own token makes the same post succeed.
    page_token = _token(text(client.get(url)))
    response = client.post(url, data={**_valid(form, w), "csrf_token": page_token})
    assert response.status_code == 302


# --- ID numbers in other digit forms ---------------------------------------------------

FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_fullwidth_id_number_is_stored_as_ascii_and_still_unique(client, auth, make):
    from sqlalchemy import select

    from kaohe.extensions import db
    from kaohe.officials.models import Official

    w = build_world()
    auth.login()
    number = factories.id_number(dt.date(1980, 5, 6))
    response = client.post("/officials/new", data=official_form(
        w.district.id, id_number=number.translate(FULLWIDTH)))
    assert response.status_code == 302
    assert db.session.scalar(select(Official.id_number).where(Official.name == "李明")) == number
    # The same number typed again in ASCII is the same person.
    before = table_counts()
    page = text(client.post("/officials/new", data=official_form(w.district.id, name="李明二",
                                                                 id_number=number)))
    assert field_errors(page, "id_number") == ["已有干部使用该身份证号。"]
    assert table_counts() == before


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９"])
def test_id_number_problem_accepts_ascii_digits_only(digits):
    from kaohe.officials import idcard

    number = factories.id_number(dt.date(1980, 5, 6))
    assert idcard.problem(number) is None
    other = number[:17].translate(str.maketrans("0123456789", digits)) + number[17]
    assert idcard.problem(other) == "身份证号应为 18 位，前 17 位为数字，末位为数字或 X。"


def test_oversized_upload_is_refused_in_chinese(client, auth, make):
    w = build_world()
    auth.login()
    before = table_counts()
    data = official_form(w.district.id)
    data["photo_upload"] = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (9 * 1024 * 1024)), "big.png")
    response = client.post("/officials/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413 and "上传的文件过大" in text(response)
    assert table_counts() == before
