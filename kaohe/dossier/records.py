"""Sections 三–七 and the closing notes: unit results, reviews, organization notes,
discipline commission, flags."""
from __future__ import annotations

import re

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from kaohe.assessments.window import PENDING
from kaohe.dossier.cover import concludes_label, heading, pending_label, setting, years_label
from kaohe.dossier.flags import LEVEL_LABELS, ordered
from kaohe.dossier.fmt import cn_date, cn_datetime, dot_date, period, score, unit_post
from kaohe.dossier.styles import FRAME_W, HEAD_BG, RED, Heavy, Kit
from kaohe.dossier.tables import C, grid

NO_OPINION = "纪检监察机关意见：未回复"


def _span(snap: dict) -> str:
    return f"{cn_date(snap['window']['start'])}至{cn_date(snap['window']['end'])}"


def generic(section: dict, kit: Kit) -> list:
    """A provider's ``tables`` and ``paragraphs`` (see :mod:`kaohe.dossier.snapshot`)."""
    out = []
    for t in section.get("tables") or ():
        cols = [str(c) for c in t.get("columns") or ()]
        if not cols:
            continue
        fr = t.get("widths") or [1 / len(cols)] * len(cols)
        total = sum(fr) or 1
        widths = [FRAME_W * f / total for f in fr]
        if t.get("title"):
            out += kit.h2(t["title"])
        rows = [cols] + [[("" if v is None else str(v)) for v in r] for r in t.get("rows") or ()]
        if len(rows) == 1:
            rows.append(["无"] + [""] * (len(cols) - 1))
        out.append(grid(kit, rows, widths))
    out += [kit.p(p) for p in section.get("paragraphs") or ()]
    return out


def _signed(value) -> str:
    """Points of a bonus/deduction line: 「+2」, 「-1.5」, 「0」."""
    if not isinstance(value, (int, float)):
        return "—"
    return "0" if value == 0 else f"{value:+g}"


_ISO_HEAD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _line_detail(line: dict) -> str:
    """A line's explanation without the repeated item text, dates as in the tables."""
    label, detail = (line.get("label") or "").strip(), (line.get("detail") or "").strip()
    if label and detail != label and label in detail:
        detail = detail.replace(label, "", 1)
    detail = re.sub(r"\s+(?=[（；，。])", "", detail).strip()
    return _ISO_HEAD.sub(r"\1.\2.\3", detail) or "—"


def _unit(r: dict) -> str:
    return f"{r['unit_name']}（{r['post_title']}）" if r.get("post_title") else r["unit_name"]


def _unit_summary(results: list[dict], kit: Kit) -> list:
    rows = [["年度", "单位（职务）", "轮次", "得分", "排名", "等次", "评优资格"]]
    for r in results:
        rows.append([str(r["year"]), _unit(r), r.get("round_label") or "—", score(r.get("score")),
                     f"{r['rank']}/{r['size']}" if r.get("rank") else "—",
                     r.get("grade_label") or "—",
                     "有" if r.get("eligible_top", True) else C("取消（省级扣分）", red=True)])
    widths = [14 * mm, 53 * mm, 14 * mm, 14 * mm, 15 * mm, 14 * mm, 32 * mm]
    return [*kit.h2("（一）考核结果"),
            grid(kit, rows, widths, center_cols=(0, 2, 3, 4, 5, 6))]


def _unit_lines(results: list[dict], kit: Kit) -> list:
    """One table of every bonus and deduction line, under a row per unit and year."""
    rows, spans, extra = [["类别", "事项", "分值", "说明"]], [], []
    for r in results:
        head = (f"{r['year']} 年度　{_unit(r)}　{r.get('round_label') or ''}得分 "
                f"{score(r.get('score'))}，第 {r.get('rank') or '—'}/{r.get('size') or '—'} 名，"
                f"{r.get('grade_label') or '—'}")
        if not r.get("eligible_top", True):
            head += "；受省级考核扣分，取消评优资格（不得评为优秀）"
        for flag in r.get("flags") or ():
            head += f"；{flag}"
        n = len(rows)
        rows.append([head, "", "", ""])
        spans.append(((0, n), (3, n)))
        extra.append(("BACKGROUND", (0, n), (-1, n), HEAD_BG))
        lines = list(r.get("bonus_lines") or ()) + list(r.get("deduction_lines") or ())
        if not lines:
            n = len(rows)
            rows.append([C("无加分、减分事项", grey=True), "", "", ""])
            spans.append(((0, n), (3, n)))
        for line in lines:
            pts = line.get("points")
            rows.append([line.get("category") or "—", line.get("label") or "—",
                         C(_signed(pts), red=isinstance(pts, (int, float)) and pts < 0),
                         _line_detail(line)])
    widths = [24 * mm, 56 * mm, 14 * mm, 62 * mm]
    return [*kit.h2("（二）加分、减分明细"),
            grid(kit, rows, widths, center_cols=(2,), spans=tuple(spans),
                             extra=tuple(extra))]


def unit_results(snap: dict, kit: Kit) -> list:
    sec = snap["unit_results"]
    out = heading(kit, 3)
    years = snap["window"]["years"]
    last_day = f"{max(years)}-12-31" if years else snap["as_of"]
    posts = [p for p in sec.get("principal_posts") or () if p["start_date"] <= last_day]
    if posts:
        led = "；".join(f"{unit_post(p['unit_name'], p['title'])}"
                       f"（{period(p['start_date'], p['end_date'])}）"
                       for p in posts)
        out.append(kit.p(f"考评年度内该干部担任主要负责人的单位：{led}。"))
    else:
        out.append(kit.p("考评年度内该干部未担任单位主要负责人。"))
    if sec.get("statement"):  # after the posts sentence, which it must not repeat
        out.append(kit.p(sec["statement"]))
    if not sec.get("available") and not sec.get("statement"):
        out.append(kit.p("单位目标责任考核结果尚未录入本系统，本部分暂无单位考核数据。", kit.note))
    results = sec.get("results") or []
    if results:
        out += _unit_summary(results, kit) + _unit_lines(results, kit)
    gaps = sec.get("gaps") or []
    if gaps:
        out.append(kit.p("下列年度所在单位无已发布的目标责任考核结果（未录入）："
                         + "；".join(f"{g['year']} 年度{g['unit_name']}" for g in gaps) + "。",
                         kit.note))
    return out + generic(sec, kit)


def reviews(snap: dict, kit: Kit) -> list:
    items = snap["reviews"]
    out = heading(kit, 4)
    if not items:
        return out + [kit.p(f"{_span(snap)}无研判记录。")]
    out.append(kit.p(f"{_span(snap)}共有研判记录 {len(items)} 次，按时间顺序列示如下。"))
    for i, r in enumerate(items, start=1):
        head = (f"（{i}）{cn_date(r['date'])}　{r['kind_label']}　研判人：{kit.text(r['author'])}"
                f"　研判结论：{r['conclusion_label']}")
        rows = [[label, r[key]] for label, key in
                (("主要优点", "strengths"), ("主要不足", "weaknesses"), ("综合意见", "summary"))
                if (r.get(key) or "").strip()]
        out += kit.h2(head)
        if rows:
            out.append(grid(kit, rows, [24 * mm, FRAME_W - 24 * mm], header=0,
                            label_cols=(0,)))
    return out


def _move_record(r: dict) -> str:
    head = "　".join(x for x in (r["what"], dot_date(r["when"]) if r.get("when") else "",
                               r.get("who") or "") if x)
    return head + (f"\n{r['text']}" if r.get("text") else "")


def _moves(moves: list[dict], kit: Kit) -> list:
    """凡动必核、必谈、必考、必训 of the agenda item (kaohe.moves), as frozen with the dossier:
    what the action needs and the records; 核 is the table above."""
    rows = [["事项", "本事项要求", "记录"]]
    for m in moves:
        lines = ["见上表"] if m["kind"] == "verify" else [_move_record(r) for r in m["records"]]
        before, after = m.get("before") or [], m.get("after") or []
        lines += [f"上会前缺：{x.split('：', 1)[-1]}" for x in before]
        lines += [f"任职前须：{x.split('：', 1)[-1]}" for x in after]
        rows.append([C(("未完成：" if before else "") + m["label"], red=bool(before)),
                     m.get("rule") or "—", C("\n".join(lines) or "无记录", red=bool(before))])
    return [*kit.h2("（二）本议题“凡动必核、必谈、必考、必训”情况"),
            grid(kit, rows, [26 * mm, 50 * mm, FRAME_W - 76 * mm])]


def _musts(musts: list[dict], kit: Kit, moves: list[dict] | None = None) -> list:
    """The agenda item's 凡提四必 as its page showed them when the dossier was frozen."""
    rows = [["事项", "结果", "核查人", "核查日期", "核查情况"]]
    for m in musts:
        who = m.get("who") or "—"
        if m.get("recorded_by") and m["recorded_by"] != who:
            who += f"\n（录入：{m['recorded_by']}）"
        rows.append([m.get("label") or m.get("kind"),
                     C(("" if m.get("done") else "未完成：") + (m.get("result") or "—"),
                       red=bool(m.get("adverse")) or not m.get("done")),
                     who, dot_date(m.get("when")), m.get("note") or "—"])
    return [*kit.h2("（一）本议题“凡提四必”核查情况"),
            kit.p("以下为本议题记录的核查结果（与议题页面一致，截至材料生成时）；"
                  "纪检监察机关意见详见第六部分。", kit.note),
            grid(kit, rows, [30 * mm, 42 * mm, 32 * mm, 20 * mm, 32 * mm], center_cols=(3,)),
            *(_moves(moves, kit) if moves else []),
            *kit.h2("（三）组织掌握情况记录" if moves else "（二）组织掌握情况记录")]


def org_notes(snap: dict, kit: Kit) -> list:
    items = snap["org_notes"]
    musts = (snap.get("context") or {}).get("four_musts")
    ctx = snap.get("context") or {}
    out = heading(kit, 5) + (_musts(musts, kit, ctx.get("four_moves")) if musts else [])
    if not items:
        return out + [kit.p(f"{_span(snap)}组织掌握情况中无个人有关事项报告核查、档案审核或"
                            "信访举报记录" + ("（本议题的核查结果见上表）。" if musts else "。"))]
    rows = [["日期", "类别", "结果", "具体内容", "处理结果"]]
    for n in items:
        bad = n["result"] in ("verified_true", "issue", "pending")
        rows.append([dot_date(n["date"]), n["kind_label"], C(n["result_label"], red=bad),
                     n["content"], n["outcome"] or "—"])
    widths = [20 * mm, 30 * mm, 22 * mm, 48 * mm, 36 * mm]
    return out + [grid(kit, rows, widths, center_cols=(0,))]


def _opinion(sec: dict, kit: Kit) -> list:
    o = sec.get("opinion")
    months = sec.get("opinion_validity_months")
    if not o:
        return [*kit.h2("（一）党风廉政意见回复"),
                Heavy(NO_OPINION, kit, 11, color=RED, weight=0.25, space_after=3),
                kit.p("截止日期时无有效的党风廉政意见回复（未征求、未回复或已过有效期）。", kit.note)]
    rows = [["意见结论", C(o.get("outcome_label") or "—", red=bool(o.get("blocking")))]]
    if o.get("purpose"):
        rows.append(["征求事由", o["purpose"]])
    rows += [["征求日期", dot_date(o.get("requested_on"))],
             ["回复日期", dot_date(o.get("answered_on"))],
             ["有效期至", dot_date(o.get("valid_until"))
              + (f"（有效期 {months} 个月）" if months else "")]]
    if o.get("answer_text"):
        rows.append(["回复内容", o["answer_text"]])
    return [*kit.h2("（一）党风廉政意见回复"),
            grid(kit, rows, [24 * mm, FRAME_W - 24 * mm], header=0, label_cols=(0,))]


# "open": a case decided after the as-of day, shown as it stood then (discipline.queries).
OPEN_STATUSES = ("clue", "investigation", "open")


def _impact(f: dict, as_of: str | None) -> tuple[str, bool]:
    """The impact-period cell (its end: a date, 「长期」 for a permanent one) and whether
    the period is in force on ``as_of`` and counts."""
    if f.get("status") == "cleared" or f.get("cleared"):
        return "—（了结澄清）", False
    if f.get("status") in OPEN_STATUSES:
        return "未结案", bool(f.get("counts", True))
    imp = f.get("impact")
    if not isinstance(imp, dict) or not imp.get("start"):
        return "无", False
    end = imp.get("end")
    permanent = imp.get("permanent") or not end
    text = "长期\n（不再提拔使用）" if permanent else f"至 {dot_date(end)}"
    exempted = bool(f.get("exemption")) and not f["exemption"].get("revoked")
    if exempted:
        return text + "\n（已免责，不计）", False
    live = bool(as_of) and imp["start"] <= as_of and (permanent or end >= as_of)
    return text, live and bool(f.get("counts", True))


def _centred(kit: Kit, text: str, red: bool):
    """A centred table cell; red text of several lines stays centred (grid's red cell
    style is left-aligned)."""
    if not red or "\n" not in text:
        return C(text, red=red, center=True)
    style = ParagraphStyle("cell_red_c", parent=kit.cell_c, textColor=RED)
    return kit.p(text, style)


def _exemption(f: dict) -> str:
    e = f.get("exemption")
    if not e or e.get("revoked"):
        return ""
    who = "，".join(x for x in (e.get("approver"), dot_date(e.get("approved_on"))
                                if e.get("approved_on") else None) if x)
    return "（已容错免责，不作负面评价）" + (f"\n免责：{e['reason']}" if e.get("reason") else "") \
        + (f"（{who}）" if who else "")


def _findings(sec: dict, kit: Kit) -> list:
    items = sec.get("findings")
    if items is None:
        return []
    out = kit.h2("（二）问题线索及处理情况")
    if not items:
        return out + [kit.p("考评年度内无问题线索、立案或处分记录。")]
    as_of = sec.get("as_of")
    rows = [["发现日期\n来源", "处理（处分）\n决定日期", "状态", "影响期", "摘要"]]
    for f in items:
        impact, live = _impact(f, as_of)
        is_open = f.get("status") in OPEN_STATUSES and f.get("counts", True)
        kind = f.get("kind_label") or "—"
        if f.get("decision_date"):
            kind += f"\n{dot_date(f['decision_date'])}"
        rows.append([f"{dot_date(f.get('found_date'))}\n{f.get('source_label') or '—'}", kind,
                     C(f.get("status_label") or "—", red=is_open), _centred(kit, impact, live),
                     (f.get("summary") or "—") + _exemption(f)])
    widths = [20 * mm, 30 * mm, 19 * mm, 29 * mm, 58 * mm]
    return out + [kit.p("影响期自处理（处分）决定之日起计算；了结澄清和已容错免责的问题不作负面评价，"
                        "不影响提拔使用。", kit.note),
                  grid(kit, rows, widths, center_cols=(0, 1, 2, 3))]


def discipline(snap: dict, kit: Kit) -> list:
    sec = snap["discipline"]
    out = heading(kit, 6)
    if not sec.get("available"):
        return out + [Heavy(NO_OPINION, kit, 11, color=RED, weight=0.25, space_after=3),
                      kit.p("本材料中无党风廉政意见回复，也无纪检监察机关掌握的问题线索、处分等"
                            "情况的记录。按照“凡提四必”，纪检监察机关意见必听。")]
    if sec.get("statement"):
        out.append(kit.p(sec["statement"]))
    if "opinion" in sec:
        out += _opinion(sec, kit)
    return out + _findings(sec, kit) + generic(sec, kit)


def flags(snap: dict, kit: Kit) -> list:
    items = ordered(snap["flags"])
    out = heading(kit, 7)
    if not items:
        return out + [kit.p("未发现需重点关注的事项。")]
    rows = [["序号", "类别", "事项", "说明"]]
    for i, f in enumerate(items, start=1):
        red = f["level"] == "block"
        rows.append([str(i), C(LEVEL_LABELS.get(f["level"], "提示"), red=red, center=True),
                     C(f["text"], red=red), f.get("detail") or "—"])
    return out + [grid(kit, rows, [12 * mm, 20 * mm, 66 * mm, 58 * mm],
                                   center_cols=(0,))]


def _window_note(snap: dict) -> str:
    when = concludes_label(snap)
    if not when:  # a snapshot taken before the window counted concluded years
        return f"考评年度为截止日期前的完整年度（{years_label(snap)}），"
    pending = pending_label(snap)
    return (f"考评年度为截止日期时最近 {len(snap['window']['years'])} 个已结束年度考核的年度"
            f"（{years_label(snap)}{'；' + pending if pending else ''}；"
            f"每年度的年度考核于{when}结束），")


def closing(snap: dict, kit: Kit) -> list:
    meta = snap["dossier"]
    used = "；".join(f"{s['label']}：{s['value']}{s.get('unit') or ''}" for s in snap["settings"])
    notes = [
        f"1. 本材料根据 {cn_datetime(meta['generated_at'])} 的数据快照生成，材料截止日期为"
        f"{cn_date(snap['as_of'])}。{_window_note(snap)}"
        f"研判记录和组织掌握情况的范围为{_span(snap)}。",
        f"2. 生成时使用的规则参数：{used}。参数由系统管理员在“规则参数”中设置，以生成时的取值为准。",
        "3. 身份证号已脱敏显示。已结束的年度考核没有结果的年度标注为“未录入”，不作推断；"
        f"年度考核尚未结束的年度标注为“{PENDING}”，不计入考评年度，也不视为缺失。",
        f"4. 密级：{setting(snap, 'dossier.confidentiality') or '内部'}。材料编号 {meta['number']}，"
        "可凭编号在系统中核对原始快照。",
    ]
    return [Spacer(1, 8 * mm), *kit.h2("说明")] + [kit.p(n, kit.note) for n in notes]
