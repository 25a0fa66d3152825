"""The 征求意见函's 工作单位及职务: each post held on the letter's date with its unit,
the unit said once (as the dossier's 现任职务 says it)."""
from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from kaohe.discipline import letters
from tests.dossier_support import flat

D = dt.date


def test_post_text_names_the_unit_once(make):
    west, east = make.unit(name="西湖区"), make.unit(name="东城区")
    o = make.official(name="钱二", unit_obj=west)
    make.post(o, west, start=D(2015, 1, 1), end=D(2020, 3, 30), title="副区长")
    make.post(o, east, start=D(2020, 3, 31), title="东城区区长", principal=True)
    make.post(o, west, start=D(2018, 1, 1), title="区委常委")
    assert letters.post_text(o, D(2020, 3, 30)) == "西湖区区委常委、西湖区副区长"
    assert letters.post_text(o, D(2020, 3, 31)) == "东城区区长、西湖区区委常委"
    letter = letters.request_many([letters.Request(o, "拟提拔（东城区委书记）")],
                                  "组干函〔2020〕9号", D(2020, 3, 30))
    pdf = flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.pdf)).pages))
    assert flat("西湖区区委常委、西湖区副区长") in pdf
