"""Unit-assessment rows of the access matrix (tests/test_access_matrix.py imports these)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

READ = frozenset({"organization", "assessment"})
WRITE = frozenset({"assessment"})
INTERVIEW = frozenset({"organization"})
REDIRECT = "redirect"  # a refused action: 302 back to the scheme page, nothing saved
NOT_FOUND = 404


def expected(only) -> dict:
    rows = {(f"unitassess.{ep}", "GET"): only(READ)
            for ep in ("index", "scheme", "ranking", "breakdown", "progress", "events",
                       "unit_history", "unit_chart", "distribution_chart", "grades_chart",
                       "publication", "publication_pdf", "publication_xlsx")}
    rows[("unitassess_api.rankings", "GET")] = only(READ)
    for ep in ("scheme_form", "copy", "category_form", "indicator_form", "entry_page"):
        rows[(f"unitassess.edit.{ep}", "GET")] = only(WRITE)
        rows[(f"unitassess.edit.{ep}", "POST")] = only(WRITE)
    for ep in ("publish", "category_delete", "indicator_delete"):
        rows[(f"unitassess.edit.{ep}", "POST")] = only(WRITE, REDIRECT)
    rows[("unitassess.edit.item_delete", "POST")] = only(WRITE, NOT_FOUND)
    rows[("unitassess.edit.grid_page", "GET")] = only(WRITE)
    rows[("unitassess.edit.grid_page", "POST")] = only(WRITE, REDIRECT)  # no cell: nothing saved
    rows[("unitassess.interview.interview_form", "GET")] = only(INTERVIEW)
    rows[("unitassess.interview.interview_form", "POST")] = only(INTERVIEW)
    return rows


BLANKED = {"unitassess.edit.scheme_form": "year", "unitassess.edit.copy": "year",
           "unitassess.edit.category_form": "name", "unitassess.edit.indicator_form": "name",
           "unitassess.edit.entry_page": "form", "unitassess.interview.interview_form":
           "leader_name"}


def url_values(world) -> dict:
    """A published 2019 county scheme for the world's district, with data; committed."""
    from kaohe.extensions import db
    from tests import ua_helpers as h

    if not hasattr(world, "ua_scheme"):
        s = h.scheme(year=2019)
        h.fill(s, world.district, 0.95)  # every indicator: the round can be published
        h.rating(s, world.district, 88)
        h.event(s, world.district, "efficiency_bonus", 1, date=dt.date(2019, 5, 1),
                reason="一网通办", evidence="市效能办通报")
        other = h.scheme(year=2018)
        world.ua_foreign = h.result(other, world.district, other.indicators[0], "full", 100, 90)
        world.ua_scheme = s
        db.session.commit()
    s = world.ua_scheme
    return {"scheme_id": s.id, "round_": "full", "indicator_id": s.indicators[0].id,
            "category_id": s.categories[0].id, "kind": "results",
            "item_id": world.ua_foreign.id, "unit_id": world.district.id}


def check_allowed(endpoint, method, role, response, page, world, field_errors):
    """What a permitted unit-assessment request really carries."""
    ep = endpoint.split(".", 1)[1]
    if endpoint == "unitassess_api.rankings":
        item = response.get_json()["rankings"][0]["items"][0]
        assert item["unit_name"] == "东城区" and item["leader_in_charge"] == "张副市长"
        return
    if ep in ("publication_pdf",):
        assert response.data.startswith(b"%PDF")
        return
    if ep == "publication_xlsx":
        assert response.data.startswith(b"PK")
        return
    if ep.endswith("_chart"):
        assert "<svg" in page
        return
    if method == "POST":
        blank = BLANKED[endpoint]
        if ep == "edit.entry_page":  # no form chosen: the page again, nothing saved
            assert "录入考核数据" in page
        else:
            # Refused by the form, the frozen scheme, or the optimistic lock (no version sent).
            assert (field_errors(page, blank) or "规则已在年初确定，年中不得修改" in page
                    or "页面缺少版本信息" in page)
        return
    content = {"index": "2019 年区县目标责任考核", "scheme": "规则已在年初确定，年中不得修改",
               "ranking": "东城区", "breakdown": "一网通办", "progress": "东城区",
               "events": "市效能办通报", "unit_history": "东城区", "publication": "张副市长",
               "edit.scheme_form": "方案名称", "edit.copy": "新方案年度",
               "edit.category_form": "已发布锁定", "edit.indicator_form": "已发布锁定",
               "edit.entry_page": "指标目标与完成值", "edit.grid_page": "实际/目标",
               "interview.interview_form": "王建国"}[ep]
    assert content in page, (endpoint, content)
