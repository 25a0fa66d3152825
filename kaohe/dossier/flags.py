"""Flags a reviewer must not miss, computed from a snapshot by the rules of DOMAIN.md.

Levels: ``block`` (a rule forbids or requires an action), ``warn`` (must be looked
at before the discussion), ``info`` (a gap in the record).
"""
from __future__ import annotations

from kaohe.assessments.window import PENDING
from kaohe.dossier.fmt import cn_count, cn_date

LOW_GRADES = ("basically_competent", "incompetent")
LEVEL_LABELS = {"block": "限制性", "warn": "重点关注", "info": "提示"}
LEVEL_ORDER = {"block": 0, "warn": 1, "info": 2}


def _flag(level: str, code: str, text: str, detail: str = "") -> dict:
    return {"level": level, "code": code, "text": text, "detail": detail}


def _years(years: list[int]) -> str:
    return "、".join(f"{y}" for y in years) + " 年"


def grade_flags(annual: list[dict], n_years: int) -> list[dict]:
    """基本称职 or lower in the window; 不称职 and two consecutive 不称职; missing years
    (concluded years only: a pending year is never missing)."""
    out = []
    low = [a for a in annual if a.get("grade") in LOW_GRADES]
    if low:
        grades = "；".join(f"{a['year']} 年度考核{a['grade_label']}" for a in low)
        out.append(_flag("block", "low_grade",
                         f"近{cn_count(n_years)}年年度考核有基本称职及以下等次，不得列为考察对象",
                         f"{grades}。"))
    bad = [a["year"] for a in annual if a.get("grade") == "incompetent"]
    pairs = [(y, y + 1) for y in bad if y + 1 in bad]
    for y in bad:
        out.append(_flag("block", "incompetent", f"{y} 年度考核不称职：应降低一个职务层次（职级）",
                         "按规定，年度考核被确定为不称职的，降低一个职务或者职级层次任职。"))
    for y1, y2 in pairs:
        out.append(_flag("block", "incompetent_twice",
                         f"{y1}、{y2} 年度连续两年考核不称职：应予以辞退（免职）",
                         "按规定，连续两年年度考核被确定为不称职的，予以辞退。"))
    missing = [a["year"] for a in annual if a.get("missing") and not a.get("absent")]
    if missing:
        out.append(_flag("warn", "missing_year", f"{_years(missing)}年度考核结果未录入",
                         "材料中该年度标注为「未录入」，请核实后补录或说明原因。"))
    return out


def pending_flags(pending: list[dict], n_years: int) -> list[dict]:
    """A low grade entered for a year whose assessment has not concluded: shown, not
    counted (it enters the window on the year's conclusion day)."""
    out = []
    for p in pending:
        r = p.get("result") or {}
        if r.get("grade") in LOW_GRADES:
            out.append(_flag(
                "warn", "pending_low_grade",
                f"{p['year']} 年度考核（{PENDING}）已录入“{r['grade_label']}”",
                f"该年度考核于{cn_date(p['concludes'])}结束，届时计入近{cn_count(n_years)}年"
                "年度考核；此前不作为限制性情形。"))
    return out


MUSTS = (("file_audit", "干部人事档案审核", "档案必审"),
         ("personal_report", "个人有关事项报告核查", "个人有关事项报告必核"))
MANUAL_MUSTS = ("file_audit", "personal_report", "petition")


def must_flags(musts: list[dict]) -> list[dict]:
    """The agenda item's own 凡提四必 (department checks; the integrity opinion is the
    discipline section's): adverse, pending or not recorded."""
    out = []
    for m in musts:
        if m.get("kind") not in MANUAL_MUSTS:
            continue
        label, note = m.get("label") or m["kind"], m.get("note") or ""
        when = f"（{m['who']}，{cn_date(m['when'])}）" if m.get("when") else ""
        if m.get("adverse"):
            out.append(_flag("block", f"must_{m['kind']}", f"{label}：{m['result']}{when}", note))
        elif not m.get("done") and m.get("when"):
            out.append(_flag("warn", f"must_{m['kind']}", f"{label}：{m['result']}{when}", note))
        elif not m.get("done"):
            out.append(_flag("warn", f"must_{m['kind']}", f"本议题{label}未完成（{m['result']}）",
                             "凡提四必：须在讨论前完成。"))
    return out


def record_flags(snap: dict) -> list[dict]:
    """Organization notes and reviews that need attention; missing four-musts checks
    (those of the agenda item when the dossier is attached to one)."""
    out = []
    notes = snap["org_notes"]
    for n in notes:
        when = cn_date(n["date"])
        if n["kind"] == "petition" and n["result"] == "pending":
            out.append(_flag("warn", "petition_pending", f"信访举报尚在办理中（{when}）",
                             "线索具体的信访举报必查：须在讨论前查清。"))
        elif n["result"] in ("verified_true", "issue"):
            out.append(_flag("warn", f"note_{n['result']}",
                             f"{n['kind_label']}：{n['result_label']}（{when}）",
                             n.get("outcome") or n.get("content") or ""))
    musts = (snap.get("context") or {}).get("four_musts")
    kinds = {n["kind"] for n in notes}
    span = f"{cn_date(snap['window']['start'])}至{cn_date(snap['window']['end'])}"
    if musts is not None:
        out += must_flags(musts)
        kinds |= {m["kind"] for m in musts}  # the item's own check says it (done or not)
    for kind, label, rule in MUSTS:
        if kind not in kinds:
            out.append(_flag("info", f"no_{kind}", f"{span}无{label}记录",
                             f"凡提四必：{rule}。"))
    for r in snap["reviews"]:
        if r["conclusion"] == "poor":
            out.append(_flag("warn", "review_poor", f"研判结论为「{r['conclusion_label']}」（{cn_date(r['date'])}，"
                             f"{r['kind_label']}）", r.get("weaknesses") or ""))
    if not snap["reviews"]:
        out.append(_flag("info", "no_reviews", f"{span}无研判记录", ""))
    return out


def compute_flags(snap: dict) -> list[dict]:
    """Flags from the snapshot's own records (sections add theirs with :func:`section_flags`)."""
    n_years = len(snap["window"]["years"])
    return (grade_flags(snap["annual"], n_years)
            + pending_flags(snap.get("pending") or [], n_years) + record_flags(snap))


def section_flags(section: dict) -> list[dict]:
    """A section provider's flags, normalised (see :mod:`kaohe.dossier.snapshot`)."""
    blockers = {b.get("message_zh") for b in section.get("blockers") or () if isinstance(b, dict)}
    out = []
    for f in section.get("flags") or ():
        if isinstance(f, str):
            out.append(_flag("block" if f in blockers else "warn", "section", f))
        elif isinstance(f, dict) and f.get("text"):
            level = f.get("level") if f.get("level") in LEVEL_LABELS else "warn"
            out.append(_flag(level, str(f.get("code") or "section"), str(f["text"]),
                             str(f.get("detail") or "")))
    return out


def ordered(flags: list[dict]) -> list[dict]:
    """Flags with the most serious first (stable within a level)."""
    return sorted(flags, key=lambda f: LEVEL_ORDER.get(f.get("level"), 3))
