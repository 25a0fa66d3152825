"""Cover page and section 一 (basic facts as in the 干部任免审批表 head, post history)."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, HRFlowable, PageBreak, Spacer, Table, TableStyle

from kaohe.dossier.flags import LEVEL_ORDER
from kaohe.assessments.window import PENDING
from kaohe.dossier.fmt import cn_count, cn_date, cn_datetime, month, motion, period
from kaohe.dossier.styles import FRAME_W, GREY, INK, RED, Heavy, Kit, TextLine
from kaohe.dossier.tables import MIN_ROW_SPLIT, C, WholeRows, grid

SECTION_TITLES = ("一、基本情况", "二、近{n}年年度考核情况", "三、所在单位目标责任考核情况",
                  "四、研判情况", "五、组织掌握情况", "六、纪委了解的情况", "七、需重点关注的事项")


NOTE_W = 20 * mm  # the 备注 column of the post history


def heading(kit: Kit, number: int, n_years: int = 3) -> list:
    """Section heading ``number`` (1-based), a bookmark of the outline; never alone at the
    foot of a page. ``n_years`` is the window's length (「近三年」)."""
    title = SECTION_TITLES[number - 1].format(n=cn_count(n_years))
    return [CondPageBreak(45 * mm),
            Heavy(title, kit, 15, space_before=10, space_after=6, outline=(title, 0))]


def setting(snap: dict, key: str):
    return next((s["value"] for s in snap["settings"] if s["key"] == key), None)


def years_label(snap: dict) -> str:
    years = snap["window"]["years"]
    return f"{years[0]}—{years[-1]} 年度" if len(years) > 1 else f"{years[0]} 年度"


def pending_label(snap: dict) -> str:
    """「2025 年度待考核」 for the ended years whose assessment has not concluded."""
    ended = [p["year"] for p in snap.get("pending") or ()
             if p["year"] < int(snap["as_of"][:4])]
    return f"{'、'.join(str(y) for y in ended)} 年度{PENDING}" if ended else ""


def window_label(snap: dict) -> str:
    """The window's years and, in brackets, the pending ones: 「2022—2024 年度（2025 年度待考核）」."""
    pending = pending_label(snap)
    return years_label(snap) + (f"（{pending}）" if pending else "")


def concludes_label(snap: dict) -> str:
    """「次年3月31日」: when a year's annual assessment concludes (setting in the snapshot)."""
    month_day = snap["window"].get("concludes_on") or ""
    if len(month_day) != 5:
        return ""
    return f"次年{int(month_day[:2])}月{int(month_day[3:])}日"


def proposal(ctx: dict | None) -> str:
    """The proposed action as a phrase: 「提拔，拟任东城区委书记」, 「免职，拟免…」, or the
    action alone (免职、退休 may name no post)."""
    if not ctx:
        return ""
    return motion(ctx.get("proposed_action"), ctx.get("proposed_post"),
                  ctx.get("proposed_removal"))


def _meeting(ctx: dict | None) -> str:
    if not ctx or not (ctx.get("discussion_title") or ctx.get("discussion_date")):
        return ""
    title = ctx.get("discussion_title") or "干部讨论"
    return f"{title}，{cn_date(ctx['discussion_date'])}" if ctx.get("discussion_date") else title


def cover(snap: dict, kit: Kit) -> list:
    meta, o, ctx = snap["dossier"], snap["official"], snap.get("context")
    mark = setting(snap, "dossier.confidentiality") or "内部"
    top = Table([[TextLine(mark, kit, 16, color=RED),
                  TextLine(f"材料编号：{meta['number']}", kit, 10.5, align="right")]],
                colWidths=[FRAME_W / 2] * 2,
                style=TableStyle([
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    info = [("姓　　名", o["name"]), ("现任职务", o["current_post"] or "—")]
    if proposal(ctx):
        info.append(("动议事项", proposal(ctx)))
    if _meeting(ctx):
        info.append(("讨论会议", _meeting(ctx)))
    info += [("截止日期", cn_date(snap["as_of"])),
             ("考评年度", window_label(snap)),
             ("密　　级", mark),
             ("材料编号", meta["number"]),
             ("生成时间", cn_datetime(meta["generated_at"])),
             ("生 成 人", meta.get("generated_by") or "—")]
    rows = [[kit.text(k), kit.p(v, kit.body)] for k, v in info]
    table = WholeRows(rows, colWidths=[30 * mm, 96 * mm], hAlign="CENTER",
                      splitInRow=MIN_ROW_SPLIT, style=TableStyle([
        ("FONT", (0, 0), (0, -1), kit.font.name, 12, 17),
        ("TEXTCOLOR", (0, 0), (0, -1), GREY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (1, 0), (1, -1), 0.5, INK),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    flags = snap["flags"]
    blocks = sum(1 for f in flags if LEVEL_ORDER.get(f["level"]) == 0)
    if flags:
        summary = (f"需重点关注事项 {len(flags)} 项（其中限制性事项 {blocks} 项），"
                   "详见第七部分「需重点关注的事项」。")
    else:
        summary = "未发现需重点关注的事项。"
    return [
        top, Spacer(1, 38 * mm),
        Heavy("干部考评材料", kit, 30, color=RED, align="center", weight=0.9,
              outline=("封面", 0)),
        Spacer(1, 5 * mm),
        kit.p(f"近{cn_count(len(snap['window']['years']))}年考评情况　研判情况　组织掌握情况"
              "　纪委了解的情况", kit.cell_c),
        Spacer(1, 4 * mm), HRFlowable(width="100%", thickness=1.6, color=RED, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.5, color=RED), Spacer(1, 12 * mm), table,
        Spacer(1, 16 * mm),
        kit.p(summary, kit.cell_red if blocks else kit.cell_c),
        Spacer(1, 3 * mm),
        kit.p("本材料依据生成时的数据快照自动生成，仅供干部讨论决定使用；注意保密，不得复制、外传。",
              kit.small_c),
        PageBreak(),
    ]


def basic(snap: dict, kit: Kit) -> list:
    o, ctx = snap["official"], snap.get("context")
    edu = lambda e, d: " ".join(x for x in (e, d) if x and x != "无") or "—"  # noqa: E731
    rows = [
        ["姓名", o["name"], "性别", o["gender"]],
        ["出生年月", f"{month(o['birth_date'])}（{o['age']}岁）", "民族", o["ethnicity"]],
        ["籍贯", o["native_place"], "身份证号", o["id_number_masked"]],
        # Snapshots taken before the affiliation was recorded hold only the CCP date.
        ["政治面貌", o.get("political_status") or "未记录",
         "入党时间", o.get("party_text", month(o["party_date"])) or "—"],
        ["参加工作时间", month(o["work_start_date"]), "职级", o["rank"]],
        ["全日制教育", edu(o["edu_fulltime"], o["degree_fulltime"]), "毕业院校及专业",
         o["school_fulltime"]],
        ["在职教育", edu(o["edu_inservice"], o["degree_inservice"]), "毕业院校及专业",
         o["school_inservice"]],
        ["所在单位", o["unit_name"], "", ""],
        ["现任职务", o["current_post"], "", ""],
    ]
    spans = [((1, 7), (3, 7)), ((1, 8), (3, 8))]
    if ctx is not None:
        rows.append(["动议事项", proposal(ctx) or "—", "", ""])
        spans.append(((1, 9), (3, 9)))
    w = [26 * mm, 52 * mm, 26 * mm, 52 * mm]
    out = [*heading(kit, 1), *kit.h2("（一）干部任免审批表信息"),
           grid(kit, rows, w, header=0, label_cols=(0, 2), spans=tuple(spans)),
           *kit.h2("（二）任职经历")]
    posts = snap["posts"]
    if not posts:
        out.append(kit.p("尚未录入任职经历。"))
        return out
    prow, notes = [["起止时间", "单位", "职务", "职级", "备注"]], []
    for p in posts:
        note = (p["note"] or "").strip()
        # A note longer than two lines of the narrow 备注 column is printed under the table.
        short = kit.width(kit.text(note), 9) <= 2 * (NOTE_W - 8)
        mark = "主要负责人" if p["is_principal"] else note if short else ""
        if note and (p["is_principal"] or not short):
            notes.append(kit.p(f"注{len(notes) + 1}：{note}", kit.note))
            mark += f"\n注{len(notes)}" if mark else f"注{len(notes)}"
        prow.append([period(p["start_date"], p["end_date"]), p["unit_name"], p["title"],
                     p["rank"] or "—", C(mark, center=True)])
    out.append(grid(kit, prow, [30 * mm, 48 * mm, 38 * mm, 20 * mm, NOTE_W],
                    center_cols=(0, 3)))
    return out + notes
