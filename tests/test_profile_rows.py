"""The profile's row actions: each record's edit link and delete form name that record."""
from __future__ import annotations

import datetime as dt
import re

from kaohe.assessments.models import AssessmentResult
from kaohe.extensions import db
from kaohe.officials.models import Post
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review
from tests.helpers import text

ROW = re.compile(r'<a href="(/officials/\d+/[a-z]+/\d+/edit)">修改</a>\s*'
                 r'<form method="post" action="(/officials/\d+/[a-z]+/\d+/delete)"')


def _official_with_rows(make):
    unit = make.unit(name="行测试区")
    o = make.official(name="行测试", unit_obj=unit)
    records = [make.post(o, unit, start=dt.date(2015, 1, 1), end=dt.date(2016, 1, 1)),
               make.post(o, unit, start=dt.date(2016, 1, 2)),
               make.result(o, 2019), make.result(o, 2020),
               make.review(o, date=dt.date(2020, 6, 1)),
               make.note(o, date=dt.date(2020, 3, 1))]
    make.commit()
    return o, records


def test_each_row_links_to_its_own_record_and_deletes_it(client, auth, make):
    o, records = _official_with_rows(make)
    auth.as_role("organization")
    rows = ROW.findall(text(client.get(f"/officials/{o.id}")))
    expected = []
    for record in records:
        kind = {Post: "posts", AssessmentResult: "results", Review: "reviews",
                OrgNote: "notes"}[type(record)]
        base = f"/officials/{o.id}/{kind}/{record.id}"
        expected.append((f"{base}/edit", f"{base}/delete"))
    assert sorted(rows) == sorted(expected)
    for edit_url, _ in rows:
        assert client.get(edit_url).status_code == 200
    for _, delete_url in rows:
        assert client.post(delete_url).status_code == 302
    db.session.expire_all()
    assert all(r.deleted_at is not None for r in records)
    assert "修改</a>" not in text(client.get(f"/officials/{o.id}"))


def test_readers_get_no_row_actions(client, auth, make):
    o, records = _official_with_rows(make)
    auth.as_role("discipline")
    page = text(client.get(f"/officials/{o.id}"))
    assert "2020 年" in page and "行测试区" in page  # the rows are there
    assert "修改</a>" not in page and "/delete" not in page
