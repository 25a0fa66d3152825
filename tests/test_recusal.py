"""Recusal (回避): a user linked to official A, with A and B linked by a declared relative
(either official's family names the other), reads neither A's nor B's records by page,
API, PDF or export, and finds neither in any list; other officials are unaffected."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from kaohe.auth import services as auth_services
from kaohe.auth.permissions import can_view_official, recused_official_ids
from kaohe.dossier import services as dossier_services
from kaohe.extensions import db
from kaohe.interop.models import FamilyMember
from tests.conftest import PASSWORD

DIRECTIONS = ["declared_by_self", "declared_by_relative"]

# (role, url template): every read of one official's records; {id} is the official,
# {result} one of its results, {dossier} one of its dossiers.
READS = [
    ("organization", "GET", "/officials/{id}"),
    ("organization", "GET", "/officials/{id}/photo"),
    ("organization", "GET", "/officials/{id}/edit"),
    ("organization", "GET", "/officials/{id}/results/new"),
    ("organization", "GET", "/officials/{id}/results/{result}/edit"),
    ("organization", "GET", "/officials/{id}/posts/new"),
    ("organization", "GET", "/api/v1/officials/{id}"),
    ("organization", "GET", "/officials/{id}/dossiers"),
    ("organization", "POST", "/officials/{id}/dossiers"),
    ("organization", "GET", "/dossiers/{dossier}/download"),
    ("organization", "GET", "/officials/{id}/discipline/"),
    ("organization", "GET", "/officials/{id}/discipline/opinions/new"),
    ("organization", "GET", "/interop/officials/{id}.lrmx"),
    ("discipline", "GET", "/officials/{id}/discipline/"),
    ("discipline", "GET", "/officials/{id}/discipline/findings/new"),
    ("discipline", "GET", "/officials/{id}"),
]


@pytest.fixture
def family(make):
    """Officials A (the user's own), B (A's relative), C (unrelated), each with a result
    and a dossier, and a linked user per role. Returns a function of the direction."""

    def build(direction: str):
        a = make.official(name="甲回避", birth=dt.date(1970, 1, 1))
        b = make.official(name="乙亲属", birth=dt.date(1972, 2, 2))
        c = make.official(name="丙无关", birth=dt.date(1974, 3, 3))
        results, dossiers = {}, {}
        for o in (a, b, c):
            results[o.id] = make.result(o, 2020).id
        declarer, relative = (a, b) if direction == "declared_by_self" else (b, a)
        db.session.add(FamilyMember(official_id=declarer.id, relation="配偶",
                                    name=relative.name, relative_official_id=relative.id))
        # An unlinked family member (no official of the system) changes nothing.
        db.session.add(FamilyMember(official_id=a.id, relation="父亲", name="某某"))
        for o in (a, b, c):
            dossiers[o.id] = dossier_services.generate(o.id).id
        for role in ("organization", "discipline"):
            auth_services.create_user(f"rec_{role}", role, PASSWORD, official_id=a.id)
        make.commit()
        return a, b, c, results, dossiers

    return build


def _login(client, role):
    r = client.post("/login", data={"username": f"rec_{role}", "password": PASSWORD})
    assert r.status_code == 302


def _url(template, official_id, results, dossiers):
    return template.format(id=official_id, result=results[official_id],
                           dossier=dossiers[official_id])


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("role,method,template", READS)
def test_recused_officials_are_refused(client, family, direction, role, method, template):
    a, b, c, results, dossiers = family(direction)
    _login(client, role)
    for o in (a, b):
        url = _url(template, o.id, results, dossiers)
        r = client.open(url, method=method, data={"as_of": "2024-01-01"})
        assert r.status_code == 403, (url, r.status_code)
    # The unrelated official is unaffected: never refused for recusal.
    r = client.open(_url(template, c.id, results, dossiers), method=method,
                    data={"as_of": "2024-01-01"})
    assert r.status_code != 403


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_lists_and_exports_leave_recused_officials_out(client, family, direction):
    a, b, c, _results, _dossiers = family(direction)
    _login(client, "organization")
    page = client.get("/officials/").get_data(as_text=True)
    assert c.name in page and a.name not in page and b.name not in page
    assert f"/officials/{c.id}\"" in page

    data = client.get("/api/v1/officials?per_page=100").get_json()
    names = [item["name"] for item in data["items"]]
    assert c.name in names and a.name not in names and b.name not in names
    assert data["total"] == len(names)

    r = client.get("/interop/export/officials.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).worksheets[0]
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == [c.name]

    for o in (a, b):  # a name search does not find them either
        page = client.get("/officials/", query_string={"q": o.name}).get_data(as_text=True)
        assert f"/officials/{o.id}\"" not in page
        assert client.get("/api/v1/officials", query_string={"q": o.name}).get_json()["total"] == 0


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_other_users_are_unaffected(client, auth, family, direction):
    a, b, c, results, dossiers = family(direction)
    auth.login("organization")  # not linked to any official
    for o in (a, b, c):
        assert client.get(f"/officials/{o.id}").status_code == 200
        assert client.get(f"/dossiers/{dossiers[o.id]}/download").status_code == 200
    names = [i["name"] for i in client.get("/api/v1/officials?per_page=100").get_json()["items"]]
    assert {a.name, b.name, c.name} <= set(names)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_the_shared_rule(family, direction):
    from kaohe.auth.models import User
    from sqlalchemy import select

    a, b, c, _results, _dossiers = family(direction)
    user = db.session.scalar(select(User).where(User.username == "rec_organization"))
    assert recused_official_ids(user) == {a.id, b.id}
    assert not can_view_official(a.id, user) and not can_view_official(b.id, user)
    assert can_view_official(c.id, user)
    other = db.session.scalar(select(User).where(User.username == "organization"))
    assert recused_official_ids(other) == frozenset()
