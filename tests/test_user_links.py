"""Recusal setup for real users (issue 16.1): the admin links a user to their own official
record and declares relatives, on the user's page or with ``flask link-user``; the user
then reads none of those officials' records anywhere (the reads of tests/test_recusal.py:
pages, PDFs, API, export, search). Every change is audited; refusals save nothing."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth import links
from kaohe.auth import services as auth_services
from kaohe.auth.models import User, UserRelative
from kaohe.auth.permissions import recused_official_ids
from kaohe.dossier import services as dossier_services
from kaohe.extensions import db
from kaohe.interop.models import FamilyMember
from tests.conftest import PASSWORD
from tests.helpers import field_errors, table_counts, text
from tests.test_recusal import READS

ROLES = ("organization", "discipline")


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _login(client, username: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, text(response)


@pytest.fixture
def city(make):
    """Officials A (the user's own record), B (named in A's declared family), R (a relative
    only the admin knows of), C (unrelated), each with a result and a dossier; unlinked
    users ``x_organization`` and ``x_discipline``."""
    people = {key: make.official(name=name, birth=dt.date(1970 + n, 1 + n, 1 + n))
              for n, (key, name) in enumerate((("a", "甲本人"), ("b", "乙家属"), ("r", "丙亲属"),
                                               ("c", "丁无关")))}
    db.session.add(FamilyMember(official_id=people["a"].id, relation="配偶",
                                name=people["b"].name, relative_official_id=people["b"].id))
    results = {o.id: make.result(o, 2020).id for o in people.values()}
    dossiers = {o.id: dossier_services.generate(o.id).id for o in people.values()}
    for role in ROLES:
        auth_services.create_user(f"x_{role}", role, PASSWORD)
    make.commit()
    return people, results, dossiers


def _link_on_the_page(client, people, username: str) -> None:
    """The admin finds A by name and B… R by ID number on X's page, links A, adds R."""
    a, r = people["a"], people["r"]
    user = _user(username)
    page = text(client.get(f"/admin/users/{user.id}/edit", query_string={"q": "甲本"}))
    found = page[page.index('id="found"'):]
    assert a.name in found and a.id_number_masked in found and a.id_number not in found
    assert f'name="own-official_id" value="{a.id}"' in found
    response = client.post(f"/admin/users/{user.id}/official", data={"own-official_id": a.id})
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "已将用户" in page and f"{a.name}（编号 {a.id}" in page

    page = text(client.get(f"/admin/users/{user.id}/edit", query_string={"q": r.id_number}))
    assert f'name="relative-official_id" value="{r.id}"' in page
    response = client.post(f"/admin/users/{user.id}/relatives",
                           data={"relative-official_id": r.id, "relative-relation": "表兄"})
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert f"{r.name}（编号 {r.id}" in page and "表兄" in page


@pytest.mark.parametrize("role,method,template", READS)
def test_linked_on_the_admin_page_then_refused_everywhere(client, city, role, method,
                                                          template):
    people, results, dossiers = city
    username = f"x_{role}"
    _login(client, username)  # before the links: the user reads A, B and R
    for o in people.values():
        url = template.format(id=o.id, result=results[o.id], dossier=dossiers[o.id])
        assert client.open(url, method=method, data={"as_of": "2024-01-01"}).status_code != 403

    _login(client, "admin")
    _link_on_the_page(client, people, username)

    _login(client, username)
    for key, o in people.items():
        url = template.format(id=o.id, result=results[o.id], dossier=dossiers[o.id])
        response = client.open(url, method=method, data={"as_of": "2024-01-01"})
        assert (response.status_code == 403) == (key != "c"), (key, url, response.status_code)


def test_linked_user_finds_them_in_no_list_export_search_or_api(client, city):
    people, _results, _dossiers = city
    _login(client, "admin")
    _link_on_the_page(client, people, "x_organization")
    hidden = [people[k] for k in ("a", "b", "r")]
    visible = people["c"]
    token = auth_services.create_token(_user("x_organization"))
    db.session.commit()

    _login(client, "x_organization")
    page = text(client.get("/officials/"))
    assert visible.name in page and not any(o.name in page for o in hidden)
    for o in hidden:
        assert f"/officials/{o.id}\"" not in text(client.get("/officials/",
                                                             query_string={"q": o.name}))
    sheet = load_workbook(io.BytesIO(client.get("/interop/export/officials.xlsx").data),
                          read_only=True).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [visible.name]

    client = client.application.test_client()  # the token alone, no cookie
    bearer = {"Authorization": f"Bearer {token}"}
    names = [i["name"] for i in client.get("/api/v1/officials?per_page=100",
                                           headers=bearer).get_json()["items"]]
    assert names == [visible.name]
    for o in hidden:
        assert client.get(f"/api/v1/officials/{o.id}", headers=bearer).status_code == 403
        assert client.get("/api/v1/officials", query_string={"q": o.name},
                          headers=bearer).get_json()["total"] == 0
    assert client.get(f"/api/v1/officials/{visible.id}", headers=bearer).status_code == 200


def test_links_are_shown_audited_and_removable(client, city):
    people, _results, _dossiers = city
    a, r = people["a"], people["r"]
    _login(client, "admin")
    _link_on_the_page(client, people, "x_organization")
    user = _user("x_organization")
    assert recused_official_ids(user) == {a.id, people["b"].id, r.id}

    users_page = text(client.get("/admin/users"))
    row = re.search(r'<td class="mono">x_organization</td>.*?</tr>', users_page, re.S).group(0)
    assert f"本人：{a.name}（编号 {a.id}）" in row and f"亲属：{r.name}（表兄）" in row

    relative = db.session.scalar(select(UserRelative).where(UserRelative.user_id == user.id))
    log = [e for e in db.session.scalars(select(AuditLog).where(AuditLog.actor_name == "admin")
                                         .order_by(AuditLog.seq)) if e.action != "login"]
    assert [(e.action, e.entity_type, e.entity_id) for e in log] == [
        ("update", "user", user.id), ("create", "user_relative", relative.id)]
    assert log[0].before == {"official_id": None} and log[0].after == {"official_id": a.id}
    assert log[1].after["official_id"] == r.id and log[1].after["relation"] == "表兄"

    response = client.post(f"/admin/users/{user.id}/relatives/{relative.id}/delete")
    assert response.status_code == 302 and "已删除" in text(client.get(response.location))
    response = client.post(f"/admin/users/{user.id}/official/delete")
    assert response.status_code == 302 and "已解除" in text(client.get(response.location))
    db.session.expire_all()
    assert _user("x_organization").official_id is None and recused_official_ids(user) == set()
    last = list(db.session.scalars(select(AuditLog).order_by(AuditLog.seq.desc()).limit(2)))
    assert [(e.action, e.entity_type) for e in last] == [("update", "user"),
                                                         ("purge", "user_relative")]
    assert last[1].before["official_id"] == r.id and last[0].after == {"official_id": None}

    _login(client, "x_organization")  # unlinked: reads them all again
    for o in people.values():
        assert client.get(f"/officials/{o.id}").status_code == 200


@pytest.mark.parametrize("q,expected", [
    ("甲", ["a"]), ("亲属", ["r"]), ("", None), ("  ", None), ("无此人", []),
    ("{a_id}", ["a"]), ("{r_number}", ["r"]), ("{r_number_lower}", ["r"]),
    ("99999999999", []), ("%", []), ("_", []),
])
def test_search_by_name_id_number_or_system_number(client, city, q, expected):
    people, _r, _d = city
    r_number = people["r"].id_number
    q = q.format(a_id=people["a"].id, r_number=r_number, r_number_lower=r_number.lower())
    assert [o.id for o in links.search_officials(q)] == [people[k].id for k in expected or ()]
    _login(client, "admin")
    response = client.get(f"/admin/users/{_user('x_organization').id}/edit",
                          query_string={"q": q})
    assert response.status_code == 200
    page = text(response)
    assert ('id="found"' in page) == bool(expected)
    assert ("没有找到" in page) == (expected == [])  # None: no search was made


def test_search_lists_at_most_the_limit(client, make):
    for n in range(links.SEARCH_LIMIT + 1):
        make.official(name=f"同名{n:02d}", birth=dt.date(1980, 1, 1 + n % 28))
    make.commit()
    assert len(links.search_officials("同名")) == links.SEARCH_LIMIT
    _login(client, "admin")
    page = text(client.get(f"/admin/users/{_user('reviewer').id}/edit", query_string={"q": "同名"}))
    assert f"只列出前 {links.SEARCH_LIMIT} 名" in page


@pytest.mark.parametrize("form,field,message", [
    ({"own-official_id": ""}, "own-official_id", "请填写干部编号（可先按姓名或身份证号查找）。"),
    ({"own-official_id": "0"}, "own-official_id", "干部编号不正确。"),
    ({"own-official_id": "2147483648"}, "own-official_id", "干部编号不正确。"),
    ({"own-official_id": "abc"}, "own-official_id", None),
    ({"own-official_id": "{missing}"}, "own-official_id", "编号为 {missing} 的干部不存在。"),
    ({"own-official_id": "{deleted}"}, "own-official_id", "编号为 {deleted} 的干部不存在。"),
    ({"own-official_id": "{a}"}, "own-official_id", "用户已关联干部 甲本人。"),
    ({"own-official_id": "{r}"}, "own-official_id", "丙亲属 已登记为该用户的亲属"),
    ({"relative-official_id": "{r}", "relative-relation": ""}, "relative-relation",
     "请填写称谓，例如配偶、子女、父亲。"),
    ({"relative-official_id": "{r}", "relative-relation": "配" * 17}, "relative-relation", None),
    ({"relative-official_id": "{a}", "relative-relation": "本人"}, "relative-official_id",
     "甲本人 是该用户本人，不能登记为亲属。"),
    ({"relative-official_id": "{r}", "relative-relation": "表兄"}, "relative-official_id",
     "丙亲属 已登记为该用户的亲属。"),
])
def test_refusals_are_shown_by_the_field_and_save_nothing(client, city, make, form, field,
                                                          message):
    people, _r, _d = city
    user = _user("x_organization")
    links.link_official(user, people["a"].id)
    links.add_relative(user, people["r"].id, "表兄")
    gone = make.official(name="已删除", birth=dt.date(1960, 1, 1))
    gone.soft_delete()
    make.commit()
    ids = {"a": people["a"].id, "r": people["r"].id, "missing": gone.id + 1000,
           "deleted": gone.id}
    data = {k: v.format(**ids) for k, v in form.items()}
    url = f"/admin/users/{user.id}/" + ("official" if field.startswith("own") else "relatives")
    _login(client, "admin")
    before = table_counts()
    response = client.post(url, data=data)
    assert response.status_code == 200
    errors = field_errors(text(response), field)
    assert errors and (message is None or message.format(**ids) in errors[0]), errors
    db.session.expire_all()
    assert table_counts() == before
    assert _user("x_organization").official_id == people["a"].id


def test_unlinking_an_unlinked_user_is_refused(client, city):
    _login(client, "admin")
    user = _user("x_organization")
    before = table_counts()
    response = client.post(f"/admin/users/{user.id}/official/delete")
    assert response.status_code == 302
    assert "该用户未关联本人干部档案。" in text(client.get(response.location))
    assert table_counts() == before


def test_a_relative_of_another_user_is_not_found(client, city):
    people, _r, _d = city
    other = links.add_relative(_user("x_discipline"), people["r"].id, "配偶")
    db.session.commit()
    _login(client, "admin")
    user = _user("x_organization")
    response = client.post(f"/admin/users/{user.id}/relatives/{other.id}/delete")
    assert response.status_code == 404
    assert db.session.get(UserRelative, other.id) is not None


@pytest.mark.parametrize("role", ["organization", "discipline", "assessment", "reviewer"])
def test_only_the_admin_links_users(client, city, role):
    people, _r, _d = city
    user = _user("x_organization")
    _login(client, role)
    before = table_counts()
    for url, data in ((f"/admin/users/{user.id}/official", {"own-official_id": people["a"].id}),
                      (f"/admin/users/{user.id}/relatives",
                       {"relative-official_id": people["r"].id, "relative-relation": "配偶"})):
        assert client.post(url, data=data).status_code == 403
    db.session.expire_all()
    assert table_counts() == before and _user("x_organization").official_id is None


def test_declared_relatives_of_a_user_who_is_no_official(ctx, city):
    people, _r, _d = city
    user = _user("x_discipline")
    assert recused_official_ids(user) == set()
    links.add_relative(user, people["b"].id, "配偶")
    # Only the declared relative: B's own declared family is not the user's.
    assert recused_official_ids(user) == {people["b"].id}


# ------------------------------------------------------------------ the command line

def test_cli_links_and_unlinks(runner, city):
    people, _r, _d = city
    a, b, r, c = (people[k] for k in "abrc")
    last = db.session.scalar(select(AuditLog.seq).order_by(AuditLog.seq.desc()).limit(1))
    result = runner.invoke(args=["link-user", "x_organization", "--official", str(a.id),
                                 "--relative", str(r.id), "--relative", str(c.id),
                                 "--relation", "姻亲"])
    assert result.exit_code == 0, result.output
    assert f"本人 {a.name}（编号 {a.id}" in result.output
    assert f"亲属（姻亲）：{r.name}" in result.output and f"亲属（姻亲）：{c.name}" in result.output
    user = _user("x_organization")
    assert recused_official_ids(user) == {a.id, b.id, r.id, c.id}
    log = list(db.session.scalars(select(AuditLog).where(AuditLog.seq > last)
                                  .order_by(AuditLog.seq)))
    assert [(e.action, e.entity_type, e.actor_name) for e in log] == [
        ("update", "user", "cli:link-user"), ("create", "user_relative", "cli:link-user"),
        ("create", "user_relative", "cli:link-user")]

    result = runner.invoke(args=["link-user", "x_organization", "--unlink-official",
                                 "--remove-relative", str(c.id)])
    assert result.exit_code == 0, result.output
    assert "本人 未关联" in result.output and c.name not in result.output
    db.session.expire_all()
    assert recused_official_ids(_user("x_organization")) == {r.id}

    result = runner.invoke(args=["link-user", "x_organization"])  # no option: just shows
    assert result.exit_code == 0 and f"亲属（姻亲）：{r.name}" in result.output


@pytest.mark.parametrize("args,message", [
    (["ghost", "--official", "1"], "用户 ghost 不存在。"),
    (["x_organization", "--official", "{a}", "--unlink-official"], "不能同时使用"),
    (["x_organization", "--official", "{missing}"], "不存在"),
    (["x_organization", "--official", "{a}", "--relative", "{missing}"], "不存在"),
    (["x_organization", "--official", "{a}", "--relative", "{a}"], "是该用户本人"),
    (["x_organization", "--relative", "{r}", "--relation", "   "], "请填写称谓"),
    (["x_organization", "--unlink-official"], "未关联本人干部档案"),
    (["x_organization", "--remove-relative", "{r}"], "没有登记编号为"),
    (["x_organization", "--official", "0"], "0"),
])
def test_cli_refuses_clearly_and_saves_nothing(runner, city, args, message):
    people, _r, _d = city
    ids = {"a": people["a"].id, "r": people["r"].id, "missing": people["c"].id + 1000}
    before = table_counts()
    result = runner.invoke(args=["link-user", *(x.format(**ids) for x in args)])
    assert result.exit_code != 0 and message in result.output, result.output
    db.session.expire_all()
    assert table_counts() == before and _user("x_organization").official_id is None
