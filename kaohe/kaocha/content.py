"""What the 考察材料 draft says, read from the records (no document format here).

:func:`build` reads the official, the review records (研判) of the assessment window,
the annual results and 民主测评 votes of the window's years, and the 民主推荐 of the
agenda item, into a :class:`Draft` that :mod:`kaohe.kaocha.writer` sets as a .docx.

Placing a review's strengths under 德、能、勤、绩、廉: reviews have no dimension
fields, so a strength goes under a heading only when its text says so, with a
label at the start of a line or sentence ("德：…", "【能】…", "（三）勤：…",
"工作实绩：…"); everything else is listed under 「待归类」 with its source, for the
author to place. Nothing is dropped. Missing facts are written as 【…未录入】.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from kaohe.assessments.models import GRADES, AssessmentResult
from kaohe.assessments.window import PENDING, AssessmentWindow, assessment_window
from kaohe.assessments.wording import not_yet_working
from kaohe.dossier.snapshot import post_at, posts_of
from kaohe.extensions import db
from kaohe.kaocha.models import DemocraticRecommendation
from kaohe.officials.models import Official
from kaohe.reviews.models import REVIEW_KINDS, Review

# (key, heading character, what the heading covers), in the order of the 条例.
DIMENSIONS = (
    ("de", "德", "政治品质和道德品行"),
    ("neng", "能", "工作能力"),
    ("qin", "勤", "工作作风和精神状态"),
    ("ji", "绩", "工作实绩"),
    ("lian", "廉", "廉洁自律"),
)
# Labels a line may start with to place what follows under a heading.
LABELS = {
    "de": ("德", "政治品质", "政治素质", "思想政治", "道德品行"),
    "neng": ("能", "工作能力", "能力素质"),
    "qin": ("勤", "工作作风", "精神状态"),
    "ji": ("绩", "工作实绩", "工作业绩", "实绩"),
    "lian": ("廉", "廉洁自律", "廉洁从政", "廉政"),
}
_KEY_OF = {label: key for key, labels in LABELS.items() for label in labels}
_LABEL = "|".join(sorted(map(re.escape, _KEY_OF), key=len, reverse=True))
# At the start of the text, a line or a sentence; an optional "一、" / "（一）" / "1." number;
# then 【德】 / [德] / （德） with an optional colon, or 德： / 德:.
_MARKER = re.compile(
    r"(?:^|(?<=[\n；;。]))[ \t\u3000]*"
    r"(?:[（(]?[一二三四五六七八九十\d]+[）)]?[、.．]?[ \t\u3000]*)?"
    rf"(?:[【\[](?P<a>{_LABEL})[】\]][：:]?|[（(](?P<b>{_LABEL})[）)][：:]?|(?P<c>{_LABEL})[：:])",
    re.M)
# Characters XML 1.0 (and so a .docx) cannot hold; tab and newline are kept.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# The form's wording of each 民主党派's members.
MEMBER_WORD = {"民革": "党员", "民盟": "盟员", "民建": "会员", "民进": "会员", "农工党": "党员",
               "致公党": "党员", "九三学社": "社员", "台盟": "盟员"}


@dataclass(frozen=True)
class Sourced:
    """A piece of a review's text and where it came from."""

    text: str
    source: str


@dataclass
class Draft:
    title: str
    facts: str
    intro: str
    dimensions: list[tuple[str, list[Sourced]]]  # (heading, pieces) in DIMENSIONS order
    unsorted: list[Sourced]
    weaknesses: list[Sourced]
    grades: list[str]
    recommendations: list[str]
    evaluations: list[str]
    group: str
    inspectors: str
    date: dt.date
    window: AssessmentWindow
    sources: int = 0  # review records read


def clean(text: str | None) -> str:
    """``text`` without the characters a .docx cannot hold (control characters)."""
    return _NOT_XML.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def rate(votes: int, participants: int) -> str:
    """得票率 in per cent with one decimal, rounded half up (2/3 → 66.7%, 1/16 → 6.3%);
    "—" without participants."""
    if not participants:
        return "—"
    share = (Decimal(votes) * 100 / Decimal(participants)).quantize(Decimal("0.1"),
                                                                   rounding=ROUND_HALF_UP)
    return f"{share}%"


def split_dimensions(text: str) -> list[tuple[str | None, str]]:
    """``text`` cut at its 德/能/勤/绩/廉 labels: [(key or None, piece)], in order; the
    text before the first label (or all of it) has key None. Empty pieces are left out."""
    text = clean(text)
    pieces: list[tuple[str | None, str]] = []
    key, start = None, 0
    for m in _MARKER.finditer(text):
        pieces.append((key, text[start:m.start()]))
        key, start = _KEY_OF[m.group("a") or m.group("b") or m.group("c")], m.end()
    pieces.append((key, text[start:]))
    return [(k, p) for k, p in ((k, p.strip(" \t\n\u3000；;")) for k, p in pieces) if p]


def affiliation(o: Official) -> str:
    """政治面貌 in the facts sentence: "1998年7月加入中国共产党", "民建会员", "无党派人士"."""
    parts = []
    if o.political_status in ("中共党员", "中共预备党员"):
        joined = f"{cn_month(o.party_date)}加入中国共产党" if o.party_date else o.political_status
        parts.append(joined + ("（预备党员）" if o.political_status == "中共预备党员"
                               and o.party_date else ""))
    if o.democratic_party:
        party = o.democratic_party + MEMBER_WORD.get(o.democratic_party, "成员")
        if o.democratic_party_date:
            party = f"{cn_month(o.democratic_party_date)}加入{o.democratic_party}，{party}"
        parts.append(party)
    if o.political_status == "无党派人士":
        parts.append("无党派人士")
    if not o.political_status:
        parts.append("【政治面貌未录入】")
    return "，".join(parts)  # 群众: nothing, as the form writes nothing


def _education(edu: str, degree: str, prefix: str) -> str:
    edu, degree = clean(edu).strip(), clean(degree).strip()
    out = []
    if edu:
        out.append(prefix + edu + ("" if edu.endswith(("学历", "毕业", "结业")) else "学历"))
    if degree and degree != "无":
        out.append(degree + ("学位" if degree in ("学士", "硕士", "博士") else ""))
    return "，".join(out)


def facts(o: Official, as_of: dt.date) -> str:
    """The basic-facts sentence that opens a 考察材料, its 现任职务 the post held on
    ``as_of`` (as the dossier and the printed form of that day say it)."""
    native = clean(o.native_place).strip()
    education = "；".join(filter(None, (
        _education(o.edu_fulltime, o.degree_fulltime, ""),
        _education(o.edu_inservice, o.degree_inservice, "在职"))))
    post = clean(post_at(o.current_post, posts_of(o.id), as_of)).strip()
    parts = [clean(o.name), o.gender_label or "【性别未录入】",
             clean(o.ethnicity).strip() or "【民族未录入】",
             f"{cn_month(o.birth_date)}生",
             (native if native.endswith("人") else native + "人") if native else "【籍贯未录入】",
             affiliation(o),
             f"{cn_month(o.work_start_date)}参加工作" if o.work_start_date
             else "【参加工作时间未录入】",
             education or "【学历未录入】",
             f"现任{post}" if post else "【现任职务未录入】"]
    return "，".join(p for p in parts if p) + "。"


def _source(r: Review) -> str:
    return f"{r.date.isoformat()} {REVIEW_KINDS.get(r.kind, r.kind)}，研判人{clean(r.author)}"


def place_strengths(reviews: list[Review]) -> tuple[dict[str, list[Sourced]], list[Sourced]]:
    """The reviews' strengths under their dimension keys, and the unlabelled ones."""
    placed: dict[str, list[Sourced]] = {key: [] for key, _c, _w in DIMENSIONS}
    unsorted: list[Sourced] = []
    for r in reviews:
        for key, piece in split_dimensions(r.strengths):
            (placed[key] if key else unsorted).append(Sourced(piece, _source(r)))
    return placed, unsorted


def _annual(official_id: int, years) -> dict[int, AssessmentResult]:
    if not years:
        return {}
    rows = db.session.scalars(select(AssessmentResult).where(
        AssessmentResult.official_id == official_id, AssessmentResult.kind == "annual",
        AssessmentResult.year.in_(list(years))))
    return {r.year: r for r in rows}


def grade_lines(window: AssessmentWindow, annual: dict[int, AssessmentResult],
                work_start: dt.date | None = None) -> list[str]:
    """Each year's 年度考核等次: the window's concluded years (a year before the official
    started work said as the 任免审批表 says it), then the pending ones."""
    lines = []
    for year in window.years:
        r = annual.get(year)
        lines.append(f"{year}年度：{GRADES.get(r.grade, r.grade)}" if r else
                     f"{year}年度：{not_yet_working(year, work_start) or '未录入年度考核结果'}")
    for year in window.pending:
        lines.append(f"{year}年度：{PENDING}（该年度考核于{cn_date(window.concludes(year))}"
                     "确定等次）")
    return lines


def evaluation_lines(window: AssessmentWindow, annual: dict[int, AssessmentResult]) -> list[str]:
    """民主测评 of each concluded year whose annual result carries vote counts."""
    lines = []
    for year in window.years:
        r = annual.get(year)
        if r is None or not r.votes_total:
            continue
        total = r.votes_total
        counts = [(label, getattr(r, f"votes_{key}") or 0) for key, label in GRADES.items()]
        each = "、".join(f"{label} {n} 票（{rate(n, total)}）" for label, n in counts)
        good = counts[0][1] + counts[1][1]
        lines.append(f"{year}年度民主测评：参加测评 {total} 人，{each}；优秀和称职票合计 {good} 票，"
                     f"得票率 {rate(good, total)}。")
    return lines


def recommendation_lines(item_id: int | None) -> list[str]:
    """民主推荐 recorded on the agenda item, oldest first."""
    if item_id is None:
        return []
    rows = db.session.scalars(select(DemocraticRecommendation).where(
        DemocraticRecommendation.item_id == item_id)
        .order_by(DemocraticRecommendation.held_on, DemocraticRecommendation.id))
    return [f"{cn_date(r.held_on)}{r.kind_label}" + (f"（{clean(r.scope)}）" if r.scope else "")
            + f"：参加推荐 {r.participants} 人，得票 {r.votes} 票，得票率 "
            f"{rate(r.votes, r.participants)}。" + (f"{clean(r.note)}" if r.note else "")
            for r in rows]


def reviews_in(official_id: int, window: AssessmentWindow) -> list[Review]:
    """Review records from 1 January of the window's first year up to its as-of date."""
    return list(db.session.scalars(select(Review).where(
        Review.official_id == official_id, Review.date >= window.start,
        Review.date <= window.as_of).order_by(Review.date, Review.id)))


def build(official: Official, as_of: dt.date, date: dt.date, group: str = "",
          inspectors: str = "", item=None) -> Draft:
    """The draft of ``official`` on ``as_of`` (the discussion's date for an agenda item),
    signed by ``group``/``inspectors`` on ``date``."""
    window = assessment_window(as_of)
    reviews = reviews_in(official.id, window)
    placed, unsorted = place_strengths(reviews)
    weaknesses = [Sourced(piece, _source(r)) for r in reviews
                  for piece in [clean(r.weaknesses).strip()] if piece]
    annual = _annual(official.id, window.years)
    name = clean(official.name)
    target = ""
    if item is not None:
        posts = clean(item.posts).strip()  # 「拟任甲，拟免乙」, as the agenda says it
        target = f"（{posts}）" if posts else f"（拟{item.action_label}）"
    intro = (f"根据干部工作安排，{clean(group).strip() or '考察组'}对{name}同志{target}进行了考察。"
             "现将考察情况报告如下：")
    return Draft(
        title=f"{name}同志考察材料", facts=facts(official, as_of), intro=intro,
        dimensions=[(f"（{'一二三四五'[i]}）{char}：{what}", placed[key])
                    for i, (key, char, what) in enumerate(DIMENSIONS)],
        unsorted=unsorted, weaknesses=weaknesses,
        grades=grade_lines(window, annual, official.work_start_date),
        recommendations=recommendation_lines(item.id if item is not None else None),
        evaluations=evaluation_lines(window, annual),
        group=clean(group).strip(), inspectors=clean(inspectors).strip(), date=date,
        window=window, sources=len(reviews))
