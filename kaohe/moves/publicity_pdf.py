"""The 任前公示 text as a PDF (A4, 公文 margins), built once at publication from plain data.

:func:`entry_facts` reads an official into the facts the notice prints; :func:`render`
draws plain data only, in ReportLab's invariant mode: the same data and font give the
same bytes. The stored bytes and their SHA-256 are what was published.
"""
from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer

from kaohe.dossier.fonts import FontSpec
from kaohe.dossier.styles import (BOTTOM, LEFT, PAGE_H, PAGE_W, RIGHT, TOP, Heavy, kit,
                                  paragraph)
from kaohe.officials.education import level_of
from kaohe.officials.models import Official
from kaohe.officials.politics import CCP_STATUSES, NON_PARTY

# How a 公示 names a member of each 民主党派.
PARTY_MEMBER = {"民革": "民革党员", "民盟": "民盟盟员", "民建": "民建会员", "民进": "民进会员",
                "农工党": "农工党党员", "致公党": "致公党党员", "九三学社": "九三学社社员",
                "台盟": "台盟盟员"}
INTRO = ("根据《党政领导干部选拔任用工作条例》有关规定，经市委{meeting}研究，{verb}以下同志。"
         "为广泛听取干部群众意见，现将有关情况予以公示：")
VERBS = {"promote": "拟提拔任用", "further_use": "拟进一步使用"}
INVITE = ("公示期间，个人和单位可通过来电、来信、来访等方式，向{issuer}反映公示对象在德、能、勤、"
          "绩、廉等方面的情况和问题。反映问题应实事求是，提倡以真实姓名反映问题，我们将严格保密。")


def cn_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def politics(o: Official) -> str:
    """政治面貌 as a 公示 writes it ("中共党员", "民建会员", "无党派人士"; "" unknown)."""
    if o.political_status in CCP_STATUSES:
        return o.political_status
    if o.democratic_party:
        return PARTY_MEMBER.get(o.democratic_party, o.democratic_party)
    return o.political_status if o.political_status in (NON_PARTY, "群众") else ""


def education(o: Official) -> str:
    """The higher of the full-time and in-service 学历 (in-service marked 在职), with its 学位."""
    tracks = [(o.edu_fulltime, o.degree_fulltime, ""), (o.edu_inservice, o.degree_inservice, "在职")]
    tracks = [t for t in tracks if (t[0] or "").strip()]
    if not tracks:
        return ""

    edu, degree, mark = min(tracks, key=lambda t: level_of(t[0]))  # full-time first on a tie
    text = f"{mark}{edu}" + ("" if edu.endswith("学历") else "学历")
    if not degree or degree == "无":
        return text
    return f"{text}，{degree}" + ("" if degree.endswith("学位") else "学位")


def entry_facts(o: Official, current_post: str, proposed_post: str) -> dict:
    """The facts of one official as the notice prints them (plain strings)."""
    return {"name": o.name, "gender": o.gender_label, "ethnicity": o.ethnicity or "",
            "born": f"{o.birth_date.year}年{o.birth_date.month}月生",
            "native_place": f"{o.native_place}人" if o.native_place else "",
            "education": education(o), "politics": politics(o),
            "current_post": current_post, "proposed_post": proposed_post}


def line_of(n: int, e: dict) -> str:
    parts = [e["name"], e["gender"], e["ethnicity"], e["born"], e["native_place"],
             e["education"], e["politics"],
             f"现任{e['current_post']}" if e["current_post"] else "",
             f"拟任{e['proposed_post']}"]
    return f"{n}．" + "，".join(p for p in parts if p) + "。"


def verb(actions: set[str]) -> str:
    """拟提拔任用 / 拟进一步使用, or both for a batch of both."""
    return "或".join(VERBS[a] for a in VERBS if a in actions).replace("或拟", "或")


def render(data: dict, font: FontSpec = None) -> bytes:
    """PDF bytes of a notice: ``data`` = {title, meeting, verb, issuer, start, end,
    work_days, phone, contact, entries [entry_facts]} (dates as ISO strings)."""
    k = kit(font)
    fs = k.font
    body = ParagraphStyle("pub_body", parent=k.body, fontSize=14, leading=26,
                          firstLineIndent=28, spaceAfter=0)
    entry = ParagraphStyle("pub_entry", parent=body, firstLineIndent=28)
    sign = ParagraphStyle("pub_sign", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    start, end = dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"])
    story = [Heavy(data["title"], k, 20, align="center", space_after=18),
             paragraph(fs, INTRO.format(meeting=data["meeting"], verb=data["verb"]), body)]
    story += [paragraph(fs, line_of(i, e), entry) for i, e in enumerate(data["entries"], 1)]
    story += [paragraph(fs, f"公示时间：{cn_day(start)}至{cn_day(end)}"
                            f"（{data['work_days']}个工作日）。", body),
              paragraph(fs, INVITE.format(issuer=data["issuer"]), body),
              paragraph(fs, f"监督电话：{data['phone']}", body)]
    if data.get("contact"):
        story.append(paragraph(fs, f"通信地址（电子邮箱）：{data['contact']}", body))
    story += [Spacer(0, 30), paragraph(fs, data["issuer"], sign),
              paragraph(fs, cn_day(start), sign)]
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=(PAGE_W, PAGE_H), leftMargin=LEFT, rightMargin=RIGHT,
                          topMargin=TOP, bottomMargin=BOTTOM, invariant=1, title=data["title"],
                          author=data["issuer"], creator="Kaohe")
    frame = Frame(LEFT, BOTTOM, doc.width, doc.height, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story)
    return buf.getvalue()

