"""Interop rows of the access matrix (tests/test_access_matrix.py imports these)."""
from __future__ import annotations

from kaohe.assessments.window import assessment_window
from kaohe.core import clock
from tests.interop_support import sheet_rows

READERS = frozenset({"organization", "discipline"})
WRITERS = frozenset({"organization"})
TOKEN_WRITERS = WRITERS
UNIT_READERS = frozenset({"admin", "organization", "assessment", "discipline"})
RANKING_READERS = frozenset({"organization", "assessment"})  # UNITASSESS_READ
ASSESSMENT = frozenset({"assessment"})  # UNITASSESS_WRITE
DISCIPLINE = frozenset({"discipline"})  # DISCIPLINE_WRITE
ROLES = ("admin", "organization", "assessment", "discipline", "reviewer", None)


def expected(only, token) -> dict:
    return {
        ("interop.export_officials", "GET"): only(READERS),
        ("interop.export_lrmx", "GET"): only(READERS),
        ("interop.lrmx_page", "GET"): only(READERS),
        ("interop.edit.index", "GET"): only(WRITERS),
        ("interop.edit.template", "GET"): only(WRITERS),
        ("interop.edit.import_xlsx", "POST"): only(WRITERS),
        ("interop.edit.import_lrmx", "POST"): only(WRITERS),
        ("interop_ua.export_ranking", "GET"): only(RANKING_READERS),
        ("interop_ua.edit.index", "GET"): only(ASSESSMENT),
        ("interop_ua.edit.template", "GET"): only(ASSESSMENT),
        ("interop_ua.edit.import_xlsx", "POST"): only(ASSESSMENT),
        ("interop_discipline.index", "GET"): only(DISCIPLINE),
        ("interop_discipline.template", "GET"): only(DISCIPLINE),
        ("interop_discipline.import_xlsx", "POST"): only(DISCIPLINE),
        ("api_units.units", "GET"): only(UNIT_READERS),
        ("api_units.unit", "GET"): only(UNIT_READERS),
        **{(f"api_write.{ep}", m): only(TOKEN_WRITERS, token)
           for ep, m in (("create_official", "POST"), ("update_official", "PUT"),
                         ("add_result", "POST"), ("add_post", "POST"))},
        ("api_doc.openapi", "GET"): {r: 200 for r in ROLES},
    }


BLANKED = {"interop.edit.import_xlsx": "officials-file", "interop.edit.import_lrmx": "lrmx-file",
           "interop_ua.edit.import_xlsx": "indicators-file",
           "interop_discipline.import_xlsx": "findings-file"}


def url_values(world) -> dict:
    from tests import ua_access

    return {**ua_access.url_values(world), "kind": "officials"}


def check_allowed(endpoint, method, role, response, page, world, field_errors) -> None:
    o = world.official
    full = role == "organization"
    if endpoint == "interop.export_officials":
        rows = sheet_rows(response.data)
        assert rows[1][0] == "王建国"
        assert rows[1][1] == (o.id_number if full else o.id_number_masked)
    elif endpoint == "interop.export_lrmx":
        assert "<XingMing>王建国</XingMing>" in page
        assert f"<ShenFenZheng>{o.id_number if full else o.id_number_masked}</ShenFenZheng>" in page
        # 年度考核结果 lists the window on the export date; the 2019 result is older.
        years = assessment_window(clock.today()).years
        assert all(f"{y}年度考核" in page for y in years)
        assert ("2019年度考核优秀" in page) is (2019 in years)
    elif endpoint == "interop.lrmx_page":
        assert "报送前校验" in page and "下载任免审批表" in page
        assert "计算年龄时间" in page and "王建国" in page
    elif endpoint == "interop.edit.index":
        assert "批量导入" in page and "下载模板" in page
    elif endpoint == "interop.edit.template":
        assert sheet_rows(response.data)[0][0] == "姓名"
    elif endpoint in BLANKED:
        assert field_errors(page, BLANKED[endpoint]) == ["请选择要导入的文件。"]
    elif endpoint == "interop_ua.export_ranking":
        rows = sheet_rows(response.data)
        assert rows[1][0] == "名次" and "东城区" in [r[1] for r in rows[2:]]
    elif endpoint == "interop_ua.edit.index":
        assert "单位指标完成情况" in page and "排名 Excel" in page and "公示名单 Excel" in page
    elif endpoint == "interop_discipline.index":
        assert "纪检监察问题线索" in page and "下载模板" in page
    elif endpoint in ("interop_ua.edit.template", "interop_discipline.template"):
        assert sheet_rows(response.data)[0][0] in ("年度", "身份证号")
    elif endpoint == "api_units.units":
        assert "东城区" in [u["name"] for u in response.get_json()["items"]]
    elif endpoint == "api_units.unit":
        assert response.get_json()["name"] == "东城区"
    elif endpoint == "api_doc.openapi":
        doc = response.get_json()
        assert doc["openapi"].startswith("3.") and "/officials/{official_id}/results" in doc["paths"]
    else:  # pragma: no cover
        raise AssertionError(f"no content check for {endpoint}")
