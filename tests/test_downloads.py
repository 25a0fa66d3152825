"""Download names (RFC 6266): every file Kaohe sends carries its Chinese name in
``filename*`` and a readable pinyin ASCII ``filename`` (not Werkzeug's "__20261203_A4.pdf")."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from kaohe.core.downloads import ascii_filename, attachment, content_disposition
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from kaohe.interop.excel_export import XLSX_MIME, download_response
from tests import kaocha_support as ks
from tests import moves_support as ms
from tests.appform_support import full_official

_DISPOSITION = re.compile(r'^attachment; filename="([A-Za-z0-9._()\-]+)"; '
                          r"filename\*=UTF-8''([A-Za-z0-9%._\-~]+)$")


def names(response) -> tuple[str, str]:
    """(the ASCII fallback, the UTF-8 name) of a download; fails on any other header shape."""
    m = _DISPOSITION.match(response.headers["Content-Disposition"])
    assert m, response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    return m.group(1), unquote(m.group(2))


@pytest.mark.parametrize("name, fallback", [
    ("干部任免审批表_王建国_20261203_A4.pdf", "ganburenmianshenpibiao_wangjianguo_20261203_A4.pdf"),
    ("王建国同志考察材料（初稿）.docx", "wangjianguotongzhikaochacailiao(chugao).docx"),
    ("干部任前公示_2026-12-03_7.pdf", "ganburenqiangongshi_2026-12-03_7.pdf"),
    ("征求意见函_2026-001.pdf", "zhengqiuyijianhan_2026-001.pdf"),
    ("report.xlsx", "report.xlsx"),
    ("a b\"c\\d;e.pdf", "a_b_c_d_e.pdf"),  # nothing that could end the quoted string
    ("《》.pdf", "download.pdf"),  # nothing readable left: a neutral name
    ("——", "download"),
    ("", "download"),
    ("Ｆｕｌｌ２０２６.pdf", "Full2026.pdf"),  # full-width letters and digits
])
def test_ascii_fallback_keeps_a_readable_name(name, fallback):
    assert ascii_filename(name) == fallback
    assert ascii_filename(name).isascii()


@pytest.mark.parametrize("name", ["王建国_干部任免审批表.lrmx", "a b;c\"d.pdf", "％&=?#.pdf",
                                  "国" * 200 + ".pdf"])
def test_content_disposition_round_trips_the_name(name):
    value = content_disposition(name)
    assert value.isascii() and "\n" not in value
    star = value.split("filename*=UTF-8''", 1)[1]
    assert unquote(star) == name and not set(star) & set(" ;\"\\")


def test_attachment_and_the_excel_helper_are_one(app):
    with app.test_request_context():
        pdf, xlsx = attachment(b"%PDF", "报表.pdf"), download_response(b"PK", "报表.xlsx")
    assert (pdf.mimetype, xlsx.mimetype) == ("application/pdf", XLSX_MIME)
    assert names(pdf) == ("baobiao.pdf", "报表.pdf") and names(xlsx) == ("baobiao.xlsx", "报表.xlsx")
    assert pdf.data == b"%PDF"


def test_appointment_form_download_name(make, auth):
    o = full_official()
    make.commit()
    response = auth.as_role("organization").get(
        f"/officials/{o.id}/appointment-form?size=B5&as_of=2024-02-29")
    assert response.status_code == 200
    assert names(response) == ("ganburenmianshenpibiao_wangjianguo_20240229_B5.pdf",
                               "干部任免审批表_王建国_20240229_B5.pdf")


def test_lrmx_and_dossier_download_names(make, auth):
    o = full_official(name="李明华")
    make.commit()
    client = auth.as_role("organization")
    response = client.get(f"/interop/officials/{o.id}.lrmx")
    assert names(response) == ("liminghua_ganburenmianshenpibiao.lrmx",
                               "李明华_干部任免审批表.lrmx")
    made = client.post(f"/officials/{o.id}/dossiers", data={"as_of": "2024-12-31"})
    assert made.status_code == 302
    dossier = db.session.scalars(select(Dossier).where(Dossier.official_id == o.id)).one()
    assert names(client.get(f"/dossiers/{dossier.id}/download")) == (
        f"ganbukaopingcailiao_liminghua_{dossier.number}.pdf",
        f"干部考评材料_李明华_{dossier.number}.pdf")


def test_kaocha_draft_download_name(make, auth):
    d, it = ks.item()
    make.commit()
    response = auth.as_role("organization").get(
        f"/discussions/{d.id}/items/{it.id}/kaocha/draft",
        query_string={"group": "第二考察组", "inspectors": "张三", "date": "2020-04-09"})
    assert response.status_code == 200
    assert names(response) == ("wangjianguotongzhikaochacailiao(chugao).docx",
                               "王建国同志考察材料（初稿）.docx")


def test_publicity_download_name(make, auth):
    d, _it = ms.approved()
    made = ms.publish(d, start=dt.date(2020, 4, 13))
    make.commit()
    response = auth.as_role("organization").get(f"/discussions/{d.id}/publicity/{made.id}.pdf")
    assert response.status_code == 200 and response.data == db.session.get(
        type(made), made.id).pdf
    assert names(response) == (f"ganburenqiangongshi_2020-04-13_{made.id}.pdf",
                               f"干部任前公示_2020-04-13_{made.id}.pdf")
