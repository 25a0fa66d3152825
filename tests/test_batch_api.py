"""The 征求意见函 through the API (issue 14.4): organization tokens only, the page's rules."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kaohe.auth import services as auth_services
from kaohe.discipline.letter_models import IntegrityLetter
from kaohe.extensions import db
from tests import discussions_support as s
from tests.helpers import table_counts


def _bearer(username):
    return {"Authorization": f"Bearer {auth_services.create_token(s.user(username))}"}


def _agenda():
    d = s.discussion()
    a = s.item(d, s.official(name="王建国", opinion_outcome=None))
    b = s.item(d, s.official(name="李海燕", opinion_outcome=1), action="exchange", post="市发改委主任")
    return d, a, b


def test_letter_through_the_api(make, client):
    d, a, b = _agenda()
    headers = _bearer("organization")
    make.commit()
    r = client.post(f"/api/v1/discussions/{d.id}/integrity-letter", headers=headers,
                    json={"number": "组干函〔2020〕7号", "dated": "2020-03-31"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    letter = db.session.get(IntegrityLetter, body["id"])
    assert (body["number"], body["dated"], body["sha256"]) == (
        "组干函〔2020〕7号", "2020-03-31", letter.sha256)
    assert [(o["official_id"], o["purpose"]) for o in body["opinions"]] == [
        (a.official_id, "拟提拔（东城区委书记）")]
    assert body["agenda"] == [
        {"item_id": a.id, "official_id": a.official_id, "integrity_opinion": "待回复"},
        {"item_id": b.id, "official_id": b.official_id, "integrity_opinion": "未收到问题线索"}]
    pdf = client.get(body["pdf_url"], headers=headers)  # a page: the token is no session
    assert pdf.status_code == 302


@pytest.mark.parametrize("payload,field", [
    ({"number": "", "dated": "2020-03-31"}, "number"),
    ({"number": "组干函〔2020〕7号", "dated": "2020-13-01"}, "dated"),
    ({"number": "组干函〔2020〕7号"}, "dated"),
])
def test_bad_bodies_are_refused_with_nothing_saved(make, client, payload, field):
    d, *_ = _agenda()
    headers = _bearer("organization")
    make.commit()
    before = table_counts()
    r = client.post(f"/api/v1/discussions/{d.id}/integrity-letter", headers=headers, json=payload)
    assert r.status_code == 400 and field in r.get_json()["fields"]
    assert table_counts() == before


@pytest.mark.parametrize("who,status", [("discipline", 403), ("reviewer", 403), (None, 401)])
def test_only_organization_tokens(make, client, auth, who, status):
    d, *_ = _agenda()
    headers = _bearer(who) if who else {}
    make.commit()
    r = client.post(f"/api/v1/discussions/{d.id}/integrity-letter", headers=headers,
                    json={"number": "组干函〔2020〕7号", "dated": "2020-03-31"})
    assert r.status_code == status and r.get_json()["error"]
    auth.as_role("organization")  # a session is refused too: tokens only
    r = client.post(f"/api/v1/discussions/{d.id}/integrity-letter",
                    json={"number": "组干函〔2020〕7号", "dated": "2020-03-31"})
    assert r.status_code == 403
    assert db.session.scalar(select(func.count(IntegrityLetter.id))) == 0
