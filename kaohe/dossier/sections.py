"""Connect the features that fill dossier sections 4 and 7 to the snapshot hook.

Unit results (目标责任考核) come from :mod:`kaohe.unitassess`, the discipline section
(纪委了解的情况) from :mod:`kaohe.discipline`; both are read through their services,
never re-derived here. :func:`install` is called once by the app factory.
"""
from __future__ import annotations

from kaohe.dossier.snapshot import SectionRequest, register_section


def _points(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else "—"


def unit_results(req: SectionRequest) -> dict:
    """Section 4: results of the units the official led as principal leader."""
    from kaohe.unitassess.services.official import unit_results_for_official

    results = unit_results_for_official(req.official_id, req.years)
    section = {"principal_posts": list(req.principal_posts)}
    if not results:
        return {**section, "available": False,
                "statement": "尚无单位目标责任考核结果（考评年度内无已发布的考核方案或考核数据）。"}
    summary = [[str(r["year"]), r["unit_name"], r["round_label"], _points(r["score"]),
                f"{r['rank']}/{r['size']}", r["grade_label"],
                "是" if r["eligible_top"] else "否（省级扣分）"] for r in results]
    lines = [[str(r["year"]), r["unit_name"], "加分" if line in r["bonus_lines"] else "减分",
              line["label"], _points(line["points"]), line.get("detail") or ""]
             for r in results for line in r["bonus_lines"] + r["deduction_lines"]]
    flags = [{"level": "info", "code": "unit_flag", "text": f"{r['year']} 年{r['unit_name']}：{f}",
              "detail": "该干部时任单位主要负责人。"} for r in results for f in r["flags"]]
    return {
        **section, "available": True,
        "statement": "该干部担任主要负责人期间，所在单位目标责任考核结果如下（得分由系统按已发布方案计算）。",
        "tables": [
            {"title": "单位考核结果", "columns": ["年度", "单位", "轮次", "得分", "排名/单位数",
                                              "等次", "可评优秀"],
             "rows": summary, "widths": [1, 3, 1.2, 1, 1.4, 1, 1.6]},
            {"title": "加分、减分明细", "columns": ["年度", "单位", "类别", "事项", "分值", "说明"],
             "rows": lines, "widths": [1, 2.4, 0.9, 3, 0.9, 3.6]},
        ],
        "flags": flags,
    }


def discipline(req: SectionRequest) -> dict:
    """Section 7: the valid integrity opinion and the findings in the window (no details)."""
    from kaohe.discipline.services import dossier_section

    return dossier_section(req.official_id, req.as_of, req.window_start)


def install() -> None:
    register_section("unit_results", unit_results)
    register_section("discipline", discipline)
