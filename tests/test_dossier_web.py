"""Web flow: the 「生成考评材料」 action, the list, the download; errors; who may."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from kaohe.core import clock
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from tests.dossier_support import flat, page_texts, rich_official
from tests.helpers import field_errors, text


def count() -> int:
    return db.session.scalar(select(func.count(Dossier.id)))


@pytest.fixture
def official(make):
    o = rich_official()
    make.commit()
    return o


def test_generate_list_and_download(client, auth, official):
    auth.login("organization")
    profile = text(client.get(f"/officials/{official.id}"))
    assert "生成考评材料" in profile and f'action="/officials/{official.id}/dossiers"' in profile
    assert f'value="{clock.today().isoformat()}"' in profile
    r = client.post(f"/officials/{official.id}/dossiers", data={"as_of": "2020-04-10"})
    assert r.status_code == 302
    d = db.session.scalars(select(Dossier).where(Dossier.official_id == official.id)).one()
    page = text(client.get(r.headers["Location"]))
    assert "考评材料已生成" in page and d.number in page and "2020-04-10" in page
    assert "2017—2019" in page and "限制性" in page
    dl = client.get(f"/dossiers/{d.id}/download")
    assert dl.status_code == 200 and dl.mimetype == "application/pdf"
    disposition = dl.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert quote(f"干部考评材料_王建国_{d.number}.pdf") in disposition
    assert "no-store" in dl.headers["Cache-Control"]
    body = flat("".join(page_texts(dl.data)))
    assert "王建国" in body and "2019基本称职" in body and d.number in body
    assert dl.data == d.pdf


def test_without_date_means_today(client, auth, official):
    auth.login("organization")
    r = client.post(f"/officials/{official.id}/dossiers", data={})
    assert r.status_code == 302
    d = db.session.scalars(select(Dossier).where(Dossier.official_id == official.id)).one()
    assert d.as_of == clock.today()


@pytest.mark.parametrize("value,message", [
    ("", "请填写材料截止日期。"),
    ("2020-13-40", "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。"),
    ("2999-01-01", "材料截止日期不能晚于今天"),
    ("2001-01-01", "早于该干部最早的记录（2012-03-01）"),
])
def test_bad_date_is_shown_next_to_the_field(client, auth, official, value, message):
    auth.login("organization")
    r = client.post(f"/officials/{official.id}/dossiers", data={"as_of": value})
    assert r.status_code == 200
    [error] = field_errors(text(r), "as_of")
    assert message in error
    assert count() == 0


def test_unknown_official_is_404(client, auth, official):
    auth.login("organization")
    assert client.post("/officials/987654/dossiers", data={"as_of": "2020-04-10"}).status_code \
        == 404
    assert client.get("/dossiers/987654/download").status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "assessment", "discipline", "admin"])
def test_other_roles_are_refused(client, auth, official, role):
    from kaohe.dossier import services

    d = services.generate(official.id, dt.date(2020, 4, 10))
    db.session.commit()
    auth.login(role)
    for r in (client.get(f"/officials/{official.id}/dossiers"),
              client.post(f"/officials/{official.id}/dossiers", data={"as_of": "2020-04-10"}),
              client.get(f"/dossiers/{d.id}/download")):
        assert r.status_code == 403 and r.mimetype != "application/pdf"
    assert count() == 1
    if role == "discipline":  # may read the profile, but sees no dossier action
        assert "生成考评材料" not in text(client.get(f"/officials/{official.id}"))


def test_anonymous_is_sent_to_login(client, official):
    r = client.post(f"/officials/{official.id}/dossiers", data={"as_of": "2020-04-10"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert count() == 0


def test_csrf_token_is_required(app, client, auth, official):
    auth.login("organization")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = client.post(f"/officials/{official.id}/dossiers", data={"as_of": "2020-04-10"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert r.status_code == 400 and "表单已过期" in text(r)
    assert count() == 0


def test_recusal_covers_dossiers(client, make, official):
    from kaohe.auth import services as auth_services
    from kaohe.dossier import services

    d = services.generate(official.id, dt.date(2020, 4, 10))
    auth_services.create_user("self_org", "organization", "self-password-1",
                              official_id=official.id)
    make.commit()
    client.post("/login", data={"username": "self_org", "password": "self-password-1"})
    assert client.get(f"/dossiers/{d.id}/download").status_code == 403
    assert client.post(f"/officials/{official.id}/dossiers",
                       data={"as_of": "2020-04-10"}).status_code == 403
