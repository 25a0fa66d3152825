"""Sections 三–七 and the closing notes: unit results, reviews, organization notes,
discipline commission, flags."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from kaohe.dossier.cover import heading, setting, years_label
from kaohe.dossier.flags import LEVEL_LABELS, ordered
from kaohe.dossier.fmt import cn_date, cn_datetime, dot_date, period
from kaohe.dossier.styles import FRAME_W, RED, Heavy, Kit
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
        out.append(grid(kit, rows, widths, split_rows=True))
    out += [kit.p(p) for p in section.get("paragraphs") or ()]
    return out


def unit_results(snap: dict, kit: Kit) -> list:
    sec = snap["unit_results"]
    out = heading(kit, 3)
    if sec.get("statement"):
        out.append(kit.p(sec["statement"]))
    posts = sec.get("principal_posts") or []
    if posts:
        led = "；".join(f"{p['unit_name']}{p['title']}（{period(p['start_date'], p['end_date'])}）"
                       for p in posts)
        out.append(kit.p(f"考评年度内该干部担任主要负责人的单位：{led}。"))
    else:
        out.append(kit.p("考评年度内该干部未担任单位主要负责人。"))
    if not sec.get("available"):
        out.append(kit.p("单位目标责任考核结果尚未录入本系统，本部分暂无单位考核数据。", kit.note))
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
                            label_cols=(0,), split_rows=True))
    return out


def org_notes(snap: dict, kit: Kit) -> list:
    items = snap["org_notes"]
    out = heading(kit, 5)
    if not items:
        return out + [kit.p(f"{_span(snap)}无个人有关事项报告核查、档案审核或信访举报记录。")]
    rows = [["日期", "类别", "结果", "具体内容", "处理结果"]]
    for n in items:
        bad = n["result"] in ("verified_true", "issue", "pending")
        rows.append([dot_date(n["date"]), n["kind_label"], C(n["result_label"], red=bad),
                     n["content"], n["outcome"] or "—"])
    widths = [20 * mm, 30 * mm, 22 * mm, 48 * mm, 36 * mm]
    return out + [grid(kit, rows, widths, center_cols=(0,), split_rows=True)]


def _opinion(sec: dict, kit: Kit) -> list:
    o = sec.get("opinion")
    months = sec.get("opinion_validity_months")
    if not o:
        return [Heavy(NO_OPINION, kit, 11, color=RED, weight=0.25, space_after=3),
                kit.p("截止日期时无有效的党风廉政意见回复。", kit.note)]
    rows = [["意见结论", C(o.get("outcome_label") or "—", red=bool(o.get("blocking")))],
            ["征求日期", dot_date(o.get("requested_on"))],
            ["回复日期", dot_date(o.get("answered_on"))],
            ["有效期至", dot_date(o.get("valid_until"))
             + (f"（有效期 {months} 个月）" if months else "")]]
    if o.get("answer_text"):
        rows.append(["回复内容", o["answer_text"]])
    return [*kit.h2("（一）党风廉政意见回复"),
            grid(kit, rows, [24 * mm, FRAME_W - 24 * mm], header=0, label_cols=(0,),
                 split_rows=True)]


def _impact(f: dict) -> str:
    imp = f.get("impact")
    if not isinstance(imp, dict):
        return "—"
    start, end = imp.get("start"), imp.get("end")
    if not start:
        return "—"
    return f"{dot_date(start)}至{dot_date(end)}" if end else f"{dot_date(start)}起（长期）"


def _findings(sec: dict, kit: Kit) -> list:
    items = sec.get("findings")
    if items is None:
        return []
    out = kit.h2("（二）问题线索及处理情况")
    if not items:
        return out + [kit.p("考评年度内无问题线索、立案或处分记录。")]
    rows = [["发现日期", "来源", "处理（处分）", "状态", "影响期", "摘要"]]
    for f in items:
        summary = f.get("summary") or ""
        if f.get("exemption") and not f["exemption"].get("revoked"):
            summary += "（已容错免责，不作负面评价）"
        rows.append([dot_date(f.get("found_date")), f.get("source_label") or "—",
                     f.get("kind_label") or "—", f.get("status_label") or "—", _impact(f),
                     summary or "—"])
    widths = [19 * mm, 20 * mm, 24 * mm, 17 * mm, 30 * mm, 46 * mm]
    return out + [grid(kit, rows, widths, center_cols=(0,), split_rows=True)]


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
    return out + [grid(kit, rows, [12 * mm, 20 * mm, 66 * mm, 58 * mm], center_cols=(0,),
                       split_rows=True)]


def closing(snap: dict, kit: Kit) -> list:
    meta = snap["dossier"]
    used = "；".join(f"{s['label']}：{s['value']}{s.get('unit') or ''}" for s in snap["settings"])
    notes = [
        f"1. 本材料根据 {cn_datetime(meta['generated_at'])} 的数据快照生成，材料截止日期为"
        f"{cn_date(snap['as_of'])}。考评年度为截止日期前的完整年度（{years_label(snap)}），"
        f"研判记录和组织掌握情况的范围为{_span(snap)}。",
        f"2. 生成时使用的规则参数：{used}。参数由系统管理员在“规则参数”中设置，以生成时的取值为准。",
        "3. 身份证号已脱敏显示。年度考核结果缺失的年度标注为“未录入”，不作推断。",
        f"4. 密级：{setting(snap, 'dossier.confidentiality') or '内部'}。材料编号 {meta['number']}，"
        "可凭编号在系统中核对原始快照。",
    ]
    return [Spacer(1, 8 * mm), *kit.h2("说明")] + [kit.p(n, kit.note) for n in notes]
