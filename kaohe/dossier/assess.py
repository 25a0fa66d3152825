"""Section 二: annual results of the window, comments, trend chart, quarterly and special."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from kaohe.dossier.chart import has_data, trend_chart
from kaohe.assessments.window import PENDING
from kaohe.dossier.cover import concludes_label, heading, years_label
from kaohe.dossier.fmt import MISSING, QUARTERS, cn_date, pct, score
from kaohe.dossier.styles import FRAME_W, Kit
from kaohe.dossier.tables import C, grid

LOW = ("basically_competent", "incompetent")
VOTE_ORDER = ("excellent", "competent", "basically_competent", "incompetent")


def _votes(a: dict) -> str:
    rates = a.get("vote_rates")
    if not rates:
        return "—"
    parts = "／".join(pct(rates.get(k)) for k in VOTE_ORDER)
    return f"{parts}（{a['votes_total']}票）"


def _rank(a: dict) -> str:
    return f"{a['unit_rank']}／{a['unit_size']}" if a.get("unit_rank") else "—"


def annual_table(snap: dict, kit: Kit):
    rows = [["年度", "考核等次", "得分", "单位内排名", "民主测评（优秀／称职／基本称职／不称职）",
             "民评官"]]
    spans = []
    for i, a in enumerate(snap["annual"], start=1):
        if a.get("missing"):
            said = (C(a["absent"], grey=True, center=True) if a.get("absent")
                    else C(f"{MISSING}（无年度考核结果）", red=True, center=True))
            rows.append([f"{a['year']}", said, "", "", "", ""])
            spans.append(((1, i), (5, i)))
            continue
        rows.append([f"{a['year']}", C(a["grade_label"], red=a["grade"] in LOW),
                     score(a.get("score")), _rank(a), _votes(a), score(a.get("public_rating"))])
    for i, p in enumerate(snap.get("pending") or (), start=len(rows)):
        rows.append([f"{p['year']}", C(_pending_text(p), grey=True, center=True), "", "", "", ""])
        spans.append(((1, i), (5, i)))
    widths = [16 * mm, 20 * mm, 16 * mm, 22 * mm, 60 * mm, 22 * mm]
    return grid(kit, rows, widths, center_cols=(0, 1, 2, 3, 4, 5), spans=tuple(spans))


def _pending_text(p: dict) -> str:
    """「待考核（2026年3月31日结束）」, with a result entered ahead of time noted."""
    r = p.get("result")
    entered = f"已录入“{r['grade_label']}”，" if r else ""
    return f"{PENDING}（{entered}年度考核{cn_date(p['concludes'])}结束，此前不计入考评年度）"


def _lead(snap: dict) -> str:
    annual, when = snap["annual"], concludes_label(snap)
    missing = [str(a["year"]) for a in annual if a.get("missing") and not a.get("absent")]
    if when:
        lead = (f"考评年度为截止日期时最近 {len(annual)} 个已结束年度考核的年度"
                f"（{years_label(snap)}；每年度的年度考核于{when}结束）。")
    else:  # a snapshot taken before the window counted concluded years
        lead = f"考评年度为材料截止日期前的 {len(annual)} 个完整年度（{years_label(snap)}）。"
    for p in snap.get("pending") or ():
        lead += (f"{p['year']} 年度考核于{cn_date(p['concludes'])}结束，截止日期时尚未结束，"
                 f"标注为「{PENDING}」，不计入考评年度。")
    for a in annual:
        if a.get("absent"):
            lead += f"{a['year']} 年度{a['absent']}。"
    if missing:
        lead += f"{'、'.join(missing)} 年度无年度考核结果，标注为「{MISSING}」。"
    return lead


def periodic_table(snap: dict, kit: Kit):
    """Quarterly results, a row per window year."""
    rows = [["年度", *QUARTERS.values()]]
    for y in snap["periodic"]:
        cells = [f"{y['year']}"]
        for q in y["quarters"]:
            if q.get("missing"):
                cells.append(C("未参加考核" if q.get("absent") else MISSING, grey=True,
                               center=True))
            else:
                s = f"（{score(q['score'])}）" if q.get("score") is not None else ""
                cells.append(C(f"{q['grade_label']}{s}", red=q["grade"] in LOW, center=True))
        rows.append(cells)
    return grid(kit, rows, [24 * mm] + [33 * mm] * 4, center_cols=(0,))


def special_table(snap: dict, kit: Kit) -> list:
    """Special-assessment results, a row each (a year may have any number of them)."""
    rows = [["年度", "专项考核任务", "等次", "得分"]]
    for y in snap["periodic"]:
        for s in y["special"]:
            rows.append([f"{y['year']}", s["task_name"],
                         C(s["grade_label"], red=s["grade"] in LOW, center=True),
                         score(s.get("score"))])
    if len(rows) == 1:
        return [kit.p("考评年度内无专项考核结果。", kit.note)]
    return [Spacer(1, 4), grid(kit, rows, [16 * mm, 96 * mm, 22 * mm, 22 * mm],
                               center_cols=(0, 3))]


def assessments(snap: dict, kit: Kit) -> list:
    annual = snap["annual"]
    got = [a for a in annual if not a.get("missing")]
    out = [*heading(kit, 2, len(annual)), kit.p(_lead(snap)), *kit.h2("（一）年度考核结果"),
           annual_table(snap, kit)]
    comments = [a for a in got if a.get("comment")]
    if comments:
        out.append(Spacer(1, 4))
        for a in comments:
            out.append(kit.p(f"{a['year']} 年度评语：{kit.text(a['comment'])}", kit.body))
    if has_data(annual):  # the chart is 150 pt high: keep it under its title
        out += [*kit.h2("（二）年度考核趋势", 70 * mm),
                trend_chart(annual, kit, FRAME_W, pending=snap.get("pending") or ())]
    else:
        out += [*kit.h2("（二）年度考核趋势"),
                kit.p("考评年度内无得分、民评官或民主测评数据，未绘制趋势图。", kit.note)]
    out += [*kit.h2("（三）平时考核与专项考核"), periodic_table(snap, kit),
            *special_table(snap, kit)]
    return out
