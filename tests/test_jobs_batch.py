"""Batch dossiers of a unit from a page, as a background job (issue 15): the form's
refusals next to its fields, the job's progress page, the merged PDF with a bookmark per
official, the stored dossiers, and 回避 (a recused official's dossier is not made)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from kaohe.auth import links
from kaohe.auth.models import User
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from kaohe.jobs.models import Job
from tests import discussions_support as s
from tests import factories as f
from tests.helpers import field_errors, table_counts, text


@pytest.fixture
def city(make):
    city = make.unit(name="江州市", kind="city")
    district = make.unit(name="东城区", parent=city)
    town = make.unit(name="东城街道", kind="county", parent=district)
    wang = s.official(name="王建国", unit_obj=district)
    li = s.official(name="李海燕", unit_obj=town)
    f.official(name="赵志强", unit_obj=district)  # no record at all: skipped
    make.commit()
    return city, district, wang, li


def _post(client, unit_id, as_of="2020-04-10"):
    return client.post("/dossiers/batch/", data={"unit_id": str(unit_id), "as_of": as_of})


def test_form_has_no_preselected_unit(auth, city):
    page = text(auth.as_role("organization").get("/dossiers/batch/"))
    assert '<option selected value="">请选择</option>' in page or \
        '<option value="" selected>请选择</option>' in page
    assert "江州市" in page and "东城街道" in page


@pytest.mark.parametrize("field,value,message", [
    ("unit_id", "", "请选择单位。"),
    ("unit_id", "999999", "所选单位不存在。"),
    ("as_of", "2999-01-01", "材料截止日期不能晚于今天"),
    ("as_of", "2010-01-01", "早于该干部（编号"),
    ("as_of", "2020-02-30", "日期"),
])
def test_refusals_next_to_the_field_and_nothing_queued(auth, city, field, value, message):
    _city, district, _wang, _li = city
    data = {"unit_id": str(district.id), "as_of": "2020-04-10", field: value}
    client = auth.as_role("organization")
    before = table_counts()
    jobs = db.session.scalar(select(db.func.count(Job.id)))
    page = text(client.post("/dossiers/batch/", data=data))
    assert any(message in e for e in field_errors(page, field)), field_errors(page, field)
    assert table_counts() == before
    assert db.session.scalar(select(db.func.count(Job.id))) == jobs


def test_a_unit_without_usable_officials_is_refused(auth, make, city):
    empty = make.unit(name="空单位")
    make.commit()
    page = text(_post(auth.as_role("organization"), empty.id))
    assert field_errors(page, "unit_id") == ["该单位及其下级单位没有可生成考评材料的干部。"]


def test_batch_of_a_unit_and_its_sub_units(auth, city):
    _city, district, wang, li = city
    client = auth.as_role("organization")
    response = _post(client, district.id)
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    page = text(client.get(response.headers["Location"]))
    assert "批量生成考评材料" in page and "已完成" in page
    assert "已生成 2 份考评材料" in page and "1 名干部尚无任何记录，未生成。" in page
    job = db.session.scalars(select(Job).where(Job.kind == "dossier.batch")).one()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert job.result_name == "考评材料汇编_东城区_2020-04-10.pdf"
    download = client.get(f"/jobs/{job.id}/file")
    assert download.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(download.data))
    made = db.session.scalars(select(Dossier).order_by(Dossier.id)).all()
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top == [f"{d.snapshot['official']['name']}（{d.number}）" for d in made]
    assert {d.official_id for d in made} == {wang.id, li.id}
    organization = db.session.scalar(select(User).where(User.username == "organization"))
    assert {d.created_by_id for d in made} == {organization.id}
    assert all(d.as_of == dt.date(2020, 4, 10) for d in made)
    assert job.result["first"] == made[0].number and job.result["last"] == made[-1].number


def test_recused_officials_are_left_out(auth, city):
    _city, district, wang, li = city
    user = db.session.scalar(select(User).where(User.username == "organization"))
    links.add_relative(user, li.id, "配偶")
    db.session.commit()
    client = auth.as_role("organization")
    page = text(client.get(_post(client, district.id).headers["Location"]))
    assert "已生成 1 份考评材料" in page
    assert [d.official_id for d in db.session.scalars(select(Dossier))] == [wang.id]
    assert "李海燕" not in page
