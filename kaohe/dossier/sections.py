"""Connect the features that fill dossier sections 4 and 7 to the snapshot hook.

Unit results (目标责任考核) come from :mod:`kaohe.unitassess`, the discipline section
(纪委了解的情况) from :mod:`kaohe.discipline`; both are read through their services,
never re-derived here. :func:`install` is called once by the app factory.

The unit-results section is plain JSON the renderer (:func:`kaohe.dossier.records.unit_results`)
knows::

    principal_posts [...], available, statement,
    results [{year, unit_name, post_title, round_label, score, rank, size, grade_label,
              eligible_top, flags [str],
              bonus_lines / deduction_lines [{label, points, detail, category}]}],
    gaps [{year, unit_name}],   # a year the official led a unit that has no result
    flags [{level, code, text, detail}]
"""
from __future__ import annotations

import datetime as dt

from kaohe.dossier.snapshot import SectionRequest, register_section

NO_RESULTS = "尚无单位目标责任考核结果"


def _day(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _led_in(post: dict, year: int) -> bool:
    start, end = _day(post.get("start_date")), _day(post.get("end_date"))
    return (start is None or start <= dt.date(year, 12, 31)) and (
        end is None or end >= dt.date(year, 1, 1))


def _line(x: dict) -> dict:
    return {"label": x.get("label") or "", "points": x.get("points"),
            "detail": x.get("detail") or "", "category": x.get("category") or ""}


def unit_results(req: SectionRequest) -> dict:
    """Section 4: results of the units the official led as principal leader."""
    from kaohe.unitassess.services.official import unit_results_for_official

    posts = list(req.principal_posts)
    section = {"principal_posts": posts}
    if not any(_led_in(p, y) for p in posts for y in req.years):
        return {**section, "available": False,
                "statement": "本部分不涉及所在单位目标责任考核结果。"}  # not led: said above it
    results = unit_results_for_official(req.official_id, req.years)
    if not results:
        return {**section, "available": False,
                "statement": f"{NO_RESULTS}（考评年度内该干部任主要负责人的单位没有已发布的"
                             "考核方案或考核数据）。"}
    got = {(r["year"], r["unit_name"]) for r in results}
    gaps = [{"year": y, "unit_name": p["unit_name"]} for y in req.years for p in posts
            if _led_in(p, y) and (y, p["unit_name"]) not in got]
    gaps = [g for i, g in enumerate(gaps) if g not in gaps[:i]]
    flags = [{"level": "info", "code": "unit_flag",
              "text": f"{r['year']} 年度{r['unit_name']}目标责任考核：{f}",
              "detail": f"该干部时任该单位主要负责人（{r['post_title']}）。"}
             for r in results for f in r["flags"]]
    return {
        **section, "available": True,
        "statement": "该干部担任主要负责人期间，所在单位目标责任考核结果如下（得分由系统按已发布"
                     "的考核方案计算，取全年考核结果；全年未考核的取最近一轮）。",
        "results": [{
            "year": r["year"], "unit_name": r["unit_name"], "post_title": r["post_title"],
            "round_label": r["round_label"], "score": r["score"], "rank": r["rank"],
            "size": r["size"], "grade_label": r["grade_label"],
            "eligible_top": bool(r["eligible_top"]), "flags": list(r["flags"]),
            "bonus_lines": [_line(x) for x in r["bonus_lines"]],
            "deduction_lines": [_line(x) for x in r["deduction_lines"]],
        } for r in results],
        "gaps": gaps,
        "flags": flags,
    }


def discipline(req: SectionRequest) -> dict:
    """Section 7: the valid integrity opinion and the findings in the window (no details)."""
    from kaohe.discipline.services import dossier_section

    return dossier_section(req.official_id, req.as_of, req.window_start)


def install() -> None:
    register_section("unit_results", unit_results)
    register_section("discipline", discipline)
