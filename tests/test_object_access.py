"""Object-level access (IDOR): other objects' ids, assignment and recusal on every channel.

1. Every route of the live ``app.url_map`` with two or more ``*_id`` arguments (a child
   under a parent) is requested, with each of its methods, with parent A's id and the id
   of a child of parent B: 404 (or 403), nothing changes, and nothing of the child is in
   the body. The same request through B's own URL is made as a control, so a case cannot
   pass because its request was wrong. A nested route added without a row in ``NESTED``
   fails here.
2. A reviewer not assigned to discussion D gets 403/404 on every route under D (pages,
   items, dossier and bundle downloads, reading register), also by guessing D's item ids
   behind the prefix of a discussion assigned to them.
3. Recusal (回避), for a user linked to official O and for one linked to a declared
   relative of O, on the channels tests/test_recusal.py does not cover (``RECUSED_PAGES``
   and the tests after it): no data of O, and no change to O's records.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from kaohe.appsheet.family import save_member
from kaohe.assessments import approvals
from kaohe.assessments.models import AssessmentResult, ExcellentQuotaApproval
from kaohe.auth import links, tokens
from kaohe.auth import services as auth_services
from kaohe.auth.models import ApiToken, User, UserRelative
from kaohe.auth.permissions import recused_official_ids
from kaohe.discipline.models import DisciplineFinding, ToleranceExemption
from kaohe.discussions import bundle
from kaohe.discussions.models import (AgendaItem, Discussion, DiscussionReviewer,
                                      FourMustCheck)
from kaohe.discussions.services import decisions
from kaohe.discussions.services.agenda import RECUSED_ITEM
from kaohe.dossier import services as dossier_services
from kaohe.extensions import db
from kaohe.interop.models import FamilyMember
from kaohe.kaocha import services as kaocha_services
from kaohe.kaocha.models import DemocraticRecommendation, InspectionReport
from kaohe.interop.row_check import RECUSED_ROW
from kaohe.interop.sheets import SHEETS
from kaohe.moves.models import MoveTalk, PublicityEntry
from kaohe.moves.services import records as moves_records
from kaohe.officials.models import Official, Post
from kaohe.orgnotes.models import OrgNote
from kaohe.reviews.models import Review
from kaohe.unitassess.models import Category, Indicator, IndicatorResult, PublicRating, ScoreEvent
from kaohe.unitassess.services import entry, scheme as ua_scheme
from kaohe.units.models import Unit
from tests import discipline_support as ds
from tests import discussions_support as s
from tests import factories as f
from tests import kaocha_support as ks
from tests import moves_support as ms
from tests import ua_helpers as ua
from tests.conftest import PASSWORD
from tests.helpers import table_counts, text
from tests.interop_support import lrmx_document, lrmx_upload, workbook
from tests.route_support import routes


def _row(model, row_id) -> dict | None:
    """The row as stored (soft-deleted rows too: a Core read, no ORM filters)."""
    table = model.__table__
    found = db.session.connection().execute(
        select(table).where(table.c.id == row_id)).mappings().first()
    return None if found is None else dict(found)


def _fill(rule: str, values: dict) -> str:
    url = rule
    for part in rule.split("<")[1:]:
        spec = part.split(">")[0]
        name = spec.split(":")[-1]
        if name not in values:
            pytest.fail(f"route {rule}: no value for <{name}> in the case's table row")
        url = url.replace(f"<{spec}>", str(values[name]))
    return url


def _id_args(rule: str) -> list[str]:
    """The rule's arguments naming a record (``<int:official_id>``, ``<int:item_id>`` …)."""
    names = (part.split(">")[0].split(":")[-1] for part in rule.split("<")[1:])
    return sorted(n for n in names if n.endswith("_id"))


# ------------------------------------------------------------------ 1. nested routes

@dataclass
class Case:
    """Child of parent B, requested through parent A (``attack``) and B (``control``)."""
    role: str
    attack: dict          # URL values: A's parent id(s), B's child id
    control: dict         # URL values: B's parent id(s), B's child id
    row: tuple            # (model, id) of the child, compared before and after
    markers: tuple        # texts of the child (or of B) that must not reach the attacker
    data: dict = field(default_factory=dict)   # a POST that would change the child
    creates: bool = False  # a permitted control POST adds a row instead of changing this one


def _officials():
    unit = f.unit(name="对象区")
    a = f.official(name="甲干部", unit_obj=unit)
    b = f.official(name="乙干部", unit_obj=unit)
    return unit, a, b


RECORD_CHILDREN = {  # blueprint → (model, builder of B's child, marker, field a POST changes)
    "posts": (Post, lambda b, unit: f.post(b, unit, title="乙机密职务"), "乙机密职务", "title"),
    "assessments": (AssessmentResult,
                    lambda b, unit: f.result(b, 2019, comment="乙机密评语"), "乙机密评语",
                    "comment"),
    "reviews": (Review, lambda b, unit: f.review(b, strengths="乙机密长处"), "乙机密长处",
                "strengths"),
    "orgnotes": (OrgNote, lambda b, unit: f.note(b, content="乙机密档案内容"), "乙机密档案内容",
                 "content"),
    "family": (FamilyMember, lambda b, unit: save_member(b, None, {
        "relation": "妻子", "name": "乙家属", "work": "乙机密工作单位"}), "乙机密工作单位", "work"),
}


def _record(endpoint, method):
    blueprint = endpoint.split(".")[0]
    model, build, marker, changed = RECORD_CHILDREN[blueprint]
    unit, a, b = _officials()
    child = build(b, unit)
    return Case("organization", {"official_id": a.id, "item_id": child.id},
                {"official_id": b.id, "item_id": child.id}, (model, child.id),
                (marker, b.name, b.id_number),
                {changed: "被篡改", **SELECTS.get(blueprint, {})})


# What a browser sends for the record's selects (none is preselected, a missing one is refused).
SELECTS = {"assessments": {"year": "2019", "kind": "annual", "grade": "competent"},
           "reviews": {"kind": "daily", "conclusion": "good"},
           "orgnotes": {"kind": "file_audit", "result": "consistent"}}


FINDING_FORM = {"found_date": "2020-01-10", "source": "media", "kind": "party_warning",
                "status": "closed", "decision_date": "2020-03-01", "summary": "被篡改摘要",
                "details": "被篡改"}


def _finding(endpoint, method):
    unit, a, b = _officials()
    finding = ds.finding(b, summary="乙机密问题摘要")
    row, creates = (DisciplineFinding, finding.id), False
    if endpoint.endswith("revoke_exemption"):
        row = (ToleranceExemption, ds.exempt(finding).id)
    elif endpoint.endswith("grant_exemption"):
        creates = True
    data = {
        "discipline.edit.edit_finding": FINDING_FORM,
        "discipline.edit.grant_exemption": {"reason": "改革创新", "approver": "市纪委常委会",
                                            "approved_on": "2020-04-01"},
        "discipline.edit.revoke_exemption": {"revoke_reason": "认定依据不足"},
    }.get(endpoint, {})
    markers = (b.name, "乙机密问题摘要", ds.SECRET)  # pages under B show B's name
    return Case("discipline", {"official_id": a.id, "finding_id": finding.id},
                {"official_id": b.id, "finding_id": finding.id}, row, markers, data, creates)


def _discussions(hold=False):
    da = s.discussion(title="甲会议")
    db_ = s.discussion(title="乙会议")
    ia = s.ready_item(da, s.official(name="甲候选"))
    ib = s.ready_item(db_, s.official(name="乙候选"), reason="乙机密任免理由")
    if hold:
        for d in (da, db_):
            decisions.hold(d, [m.id for m in d.members])
    return da, db_, ia, ib


def _agenda_item(endpoint, method):
    da, db_, ia, ib = _discussions(hold=endpoint == "discussions.decide")
    data = {
        "discussions.edit_item": {"official_id": str(ib.official_id), "action": "promote",
                                  "proposed_post": "被篡改职务", "reason": "被篡改理由"},
        "discussions.check": {"result": "clear", "checked_by": "被篡改核查人",
                              "checked_on": "2020-04-02", "note": ""},
        "discussions.decide": {"decision": "reject", "votes_for": "0", "votes_against": "6",
                               "votes_abstain": "0"},
    }.get(endpoint, {})
    extra = {"kind": "file_audit", "version": 1}
    row = (FourMustCheck, ib.check("file_audit").id) if endpoint == "discussions.check" \
        else (AgendaItem, ib.id)
    return Case("organization", {"discussion_id": da.id, "item_id": ib.id, **extra},
                {"discussion_id": db_.id, "item_id": ib.id, **extra}, row,
                ("乙候选", "乙机密任免理由", ib.current_dossier.dossier.number), data)


class _Rewinding(io.BytesIO):
    """An upload a test client can send twice (attack, then control)."""

    def read(self, size=-1):
        chunk = super().read(size)
        if not chunk:
            self.seek(0)
        return chunk

    def close(self):  # the client closes what it sent
        self.seek(0)


def _kaocha(endpoint, method):
    """B's item's 民主推荐 and final 考察材料 through discussion A."""
    da, db_, _ia, ib = _discussions()
    rec = ks.recommend(db_, ib, scope="乙机密推荐范围")
    report = kaocha_services.freeze(db_, ib, ks.pdf(), "乙定稿.pdf", None, None)
    ep = endpoint.split(".")[1]
    row = {"edit_recommendation": (DemocraticRecommendation, rec.id),
           "delete_recommendation": (DemocraticRecommendation, rec.id),
           "report": (InspectionReport, report.id)}.get(ep, (AgendaItem, ib.id))
    form = {"kind": "meeting", "held_on": "2020-03-01", "scope": "被篡改",
            "participants": "30", "votes": "1", "note": ""}
    data = {"new_recommendation": form, "edit_recommendation": form,
            "upload": {"file": (_Rewinding(ks.pdf()), "a.pdf"), "reason": "被篡改"},
            }.get(ep, {})
    extra = {"rec_id": rec.id, "version": 1}
    return Case("organization", {"discussion_id": da.id, "item_id": ib.id, **extra},
                {"discussion_id": db_.id, "item_id": ib.id, **extra}, row,
                ("乙候选", "乙机密任免理由", "乙机密推荐范围", "乙定稿.pdf"), data,
                creates=ep in ("new_recommendation", "upload"))


def _reviewer_link(endpoint, method):
    da, db_, _ia, _ib = _discussions()
    link = s.assign(db_)
    return Case("organization", {"discussion_id": da.id, "user_id": link.user_id},
                {"discussion_id": db_.id, "user_id": link.user_id},
                (DiscussionReviewer, link.id), ("乙会议",))


def _moves(endpoint, method):
    """B's talk, 公示 and entry (moves, issue 13.3/13.5) through discussion A's URLs."""
    da, _ia = ms.approved(name="甲候选", title="甲会议")
    if endpoint.startswith("moves.record_"):  # an open discussion: its talks may change
        db_ = s.discussion(title="乙会议")
        ib = s.item(db_, s.official(name="乙候选"))
        talk = moves_records.save_talk(db_, ib, None, {
            "kind": "motion", "talked_on": dt.date(2020, 3, 1), "talker": "乙谈话人",
            "summary": "乙机密谈话要点"})
        values = {"kind": "talks", "item_id": ib.id, "record_id": talk.id}
        return Case("organization", {"discussion_id": da.id, **values},
                    {"discussion_id": db_.id, **values}, (MoveTalk, talk.id),
                    ("乙候选", "乙机密谈话要点"),
                    {"kind": "motion", "talked_on": "2020-03-02", "talker": "被篡改",
                     "summary": "被篡改"}, creates=True)
    db_, ib = ms.approved(name="乙候选", title="乙会议")
    ms.after_moves(db_, ib)
    made = ms.publish(db_)
    values = {"item_id": ib.id, "publicity_id": made.id, "entry_id": made.entries[0].id}
    if endpoint == "moves.appointment":
        ms.no_objection(made.entries[0])
        row, data = (AgendaItem, ib.id), {"appointed_on": "2020-04-20", "doc_number": "乙文号"}
    else:
        row = (PublicityEntry, made.entries[0].id)
        data = {"outcome": "objection", "objection": "被篡改", "objection_state": "pending"}
    return Case("organization", {"discussion_id": da.id, **values},
                {"discussion_id": db_.id, **values}, row, ("乙候选",), data,
                creates=endpoint == "moves.appointment")


def _ua_draft(endpoint, method):
    sa = ua.scheme(year=2022, publish=False)
    sb = ua.scheme(year=2023, publish=False, indicators=[
        {"code": "YJM", "name": "乙机密指标", "max_points": D("40")}])
    if endpoint.endswith("category_delete"):
        child = ua_scheme.save_category(sb, None, {"name": "乙机密类别", "sort_order": 2})
        model, key, marker = Category, "category_id", "乙机密类别"
    else:
        child = sb.indicators[0]
        model, key, marker = Indicator, "indicator_id", "乙机密指标"
    return Case("assessment", {"scheme_id": sa.id, key: child.id},
                {"scheme_id": sb.id, key: child.id}, (model, child.id), (marker,),
                {"name": "被篡改指标"} if endpoint.endswith("indicator_form") else {})


UA_ITEMS = {"results": IndicatorResult, "ratings": PublicRating, "events": ScoreEvent}


def _ua_items(kind):
    def build(endpoint, method):
        sa, sb = ua.scheme(year=2022), ua.scheme(year=2023)
        unit = f.unit(name="乙机密区")
        child = {"results": lambda: ua.result(sb, unit, sb.indicators[0]),
                 "ratings": lambda: ua.rating(sb, unit, 90),
                 "events": lambda: ua.event(sb, unit, "efficiency_bonus", 1,
                                            reason="乙机密事由")}[kind]()
        return Case("assessment", {"scheme_id": sa.id, "kind": kind, "item_id": child.id},
                    {"scheme_id": sb.id, "kind": kind, "item_id": child.id},
                    (UA_ITEMS[kind], child.id), ("乙机密区", "乙机密事由"))
    return build


def _ua_unit(endpoint, method):
    """Unit B is in scheme B (county) and not in scheme A (municipal departments)."""
    sa = ua.scheme(year=2023, group="department")
    sb = ua.scheme(year=2023)
    dept = f.unit(name="甲局", kind="department")
    ua.fill(sa, dept)
    unit = f.unit(name="乙机密区")
    leader = f.official(name="乙区长", unit_obj=unit)
    f.post(leader, unit, start=dt.date(2020, 1, 1), principal=True, title="乙机密区区长")
    ua.fill(sb, unit)
    ua.event(sb, unit, "efficiency_bonus", 1, reason="乙机密事由")
    role = "organization" if ".interview." in endpoint else "assessment"
    data = {"leader_name": "乙区长", "date": "2024-01-10", "reason": "排名靠后",
            "notes": "约谈记录"}
    return Case(role, {"scheme_id": sa.id, "round_": "full", "unit_id": unit.id},
                {"scheme_id": sb.id, "round_": "full", "unit_id": unit.id}, (Unit, unit.id),
                ("乙机密区", "乙区长", "乙机密事由"), data, creates=True)


def _user_link(endpoint, method):
    """User B's declared relative, or B's API token, through user A's page (admin)."""
    _unit, _a, b = _officials()
    user_a = auth_services.create_user("甲用户", "organization", PASSWORD)
    user_b = auth_services.create_user("乙用户", "organization", PASSWORD)
    if endpoint == "admin.remove_relative":
        child, key, model = links.add_relative(user_b, b.id, "配偶"), "relative_id", UserRelative
    else:
        child, key, model = tokens.create(user_b, "乙机密令牌")[0], "token_id", ApiToken
    return Case("admin", {"user_id": user_a.id, key: child.id},
                {"user_id": user_b.id, key: child.id}, (model, child.id), ("乙机密令牌", "乙干部"))


def _quota_approval(endpoint, method):
    """Unit B's 优秀 quota approval through unit A's page."""
    unit_a, unit_b = f.unit(name="甲区"), f.unit(name="乙区")
    data = {"year": "2025", "pct": "25", "approved_by": "市委组织部", "document_number": "乙机密文号"}
    child = approvals.save_approval(unit_b, None, {**data, "year": 2025, "pct": 25})
    return Case("organization", {"unit_id": unit_a.id, "approval_id": child.id},
                {"unit_id": unit_b.id, "approval_id": child.id},
                (ExcellentQuotaApproval, child.id), ("乙机密文号",),
                {**data, "document_number": "被篡改"})


# endpoint → builder of (endpoint, method) → Case; ``item_delete`` has one row per kind.
NESTED = {
    **{f"{bp}.{ep}": _record for bp in RECORD_CHILDREN for ep in ("edit", "delete")},
    **{f"discipline.{ep}": _finding for ep in (
        "finding", "edit.edit_finding", "edit.delete_finding", "edit.grant_exemption",
        "edit.revoke_exemption")},
    **{f"discussions.{ep}": _agenda_item for ep in (
        "item", "edit_item", "delete_item", "check", "decide", "download")},
    "discussions.unassign": _reviewer_link,
    **{f"moves.{ep}": _moves for ep in ("record_form", "record_delete", "appointment",
                                         "publicity_show", "publicity_pdf", "outcome")},
    "appform_item.item": _agenda_item,
    **{f"kaocha.{ep}": _kaocha for ep in (
        "item_draft", "new_recommendation", "edit_recommendation", "delete_recommendation",
        "upload", "report")},
    **{f"unitassess.edit.{ep}": _ua_draft for ep in (
        "category_delete", "indicator_form", "indicator_delete")},
    "unitassess.edit.item_delete": [_ua_items(k) for k in UA_ITEMS],
    "unitassess.breakdown": _ua_unit,
    "unitassess.interview.interview_form": _ua_unit,
    "admin.remove_relative": _user_link,
    "admin.revoke_token": _user_link,
    "units.quota.edit": _quota_approval,
    "units.quota.delete": _quota_approval,
}


RULES = routes()  # (endpoint, method, rule) of the live url_map
ROUTES = [(e, m, r) for e, m, r in RULES if len(_id_args(r)) >= 2]


def _cases():
    for endpoint, method, rule in ROUTES:
        builders = NESTED.get(endpoint)
        builders = builders if isinstance(builders, list) else [builders]
        for n, build in enumerate(builders):
            yield pytest.param(endpoint, method, rule, build,
                               id=f"{method} {rule}" + (f" #{n}" if n else ""))


def test_every_nested_route_has_a_case():
    missing = sorted({e for e, _m, _r in ROUTES} - set(NESTED))
    assert not missing, f"nested routes without a row in NESTED (test_object_access.py): {missing}"
    assert set(NESTED) <= {e for e, _m, _r in ROUTES}, "stale rows in NESTED"
    assert len({r for _e, _m, r in ROUTES}) >= 20


def _methods(endpoint) -> set[str]:
    return {m for e, m, _r in ROUTES if e == endpoint}


def _hidden_inputs(page: str) -> dict:
    found = {}
    for tag in re.findall(r"<input[^>]*>", page):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name and name.group(1) != "csrf_token":
                found[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return found


def _login(client, username, password=PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, text(response)


def _leaks(response, markers) -> list[str]:
    if response.mimetype == "application/pdf" or response.data.startswith(b"%PDF"):
        return ["a PDF"]
    body = text(response)
    return [m for m in markers if m and m in body]


@pytest.mark.parametrize("endpoint,method,rule,build", list(_cases()))
def test_child_of_another_parent_is_not_found(client, make, endpoint, method, rule, build):
    if build is None:
        pytest.fail(f"{method} {rule} ({endpoint}) has no row in NESTED")
    case = build(endpoint, method)
    make.commit()
    _login(client, case.role)
    model, row_id = case.row
    data = dict(case.data)
    if method == "POST" and "GET" in _methods(endpoint):
        # The form's hidden fields (e.g. a record version), as a browser would send them.
        page = text(client.get(_fill(rule, case.control)))
        data = {**_hidden_inputs(page), **data}
    before, row_before = table_counts(), _row(model, row_id)

    response = client.open(_fill(rule, case.attack), method=method, data=data)
    assert response.status_code in (403, 404), (response.status_code, text(response)[:500])
    assert not _leaks(response, case.markers)
    db.session.expire_all()
    assert table_counts() == before, "a refused request changed the database"
    assert _row(model, row_id) == row_before

    # Control: the same request through the child's own parent does reach it.
    response = client.open(_fill(rule, case.control), method=method, data=data)
    db.session.expire_all()
    if method == "GET":
        assert response.status_code == 200
        if response.mimetype != "application/pdf":
            assert case.markers[0] in text(response)
    else:
        assert response.status_code in (200, 302)
        changed = _row(model, row_id) != row_before or (
            case.creates and table_counts() != before)
        errors = re.findall(r'class="(?:error|flash flash-error)"[^>]*>(.*?)<', text(response))
        assert changed, f"control {method} changed nothing: {response.status_code} {errors}"


# ------------------------------------------------------------------ 2. reviewer assignment

DISCUSSION_ROUTES = [(e, m, r) for e, m, r in RULES if "<int:discussion_id>" in r]


@pytest.fixture
def two_discussions(make):
    """Discussion M (assigned to the reviewer) and D (not), each with a ready item, a
    finished bundle and a second reviewer assigned; committed."""
    mine = s.discussion(title="甲会议")
    other = s.discussion(title="乙会议")
    a = s.ready_item(mine, s.official(name="甲候选"))
    b = s.ready_item(other, s.official(name="乙候选"), reason="乙机密任免理由")
    s.assign(mine)
    auth_services.create_user("reviewer2", "reviewer", PASSWORD, display_name="另一审阅人")
    db.session.flush()
    for d in (mine, other):
        s.assign(d, "reviewer2")
        made = bundle.start(d)
        bundle.build(made.id)
    make.commit()
    return mine, other, a, b


@pytest.mark.parametrize("endpoint,method,rule", DISCUSSION_ROUTES,
                         ids=[f"{m} {r}" for _e, m, r in DISCUSSION_ROUTES])
def test_unassigned_reviewer_gets_nothing_of_the_discussion(client, two_discussions,
                                                             endpoint, method, rule):
    mine, other, a, b = two_discussions
    _login(client, "reviewer")
    markers = ("乙会议", "乙候选", "乙机密任免理由", b.current_dossier.dossier.number)
    other_reviewer = s.user("reviewer2").id
    values = {"kind": "file_audit", "version": 1, "user_id": other_reviewer,
              "record_id": 1, "publicity_id": 1, "entry_id": 1, "rec_id": 1}
    urls = [_fill(rule, {**values, "discussion_id": other.id, "item_id": b.id})]
    if "<int:item_id>" in rule:  # D's item behind the prefix of the assigned discussion
        urls.append(_fill(rule, {**values, "discussion_id": mine.id, "item_id": b.id}))
    body = {"official_id": str(b.official_id), "user_id": str(other_reviewer),
            "reason": "x", "title": "x"}
    for url in urls:
        before = table_counts()
        response = client.open(url, method=method, data=body)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert not _leaks(response, markers), url
        db.session.expire_all()
        assert table_counts() == before, url
    # Their own discussion still opens (the refusals are about D, not the reviewer).
    assert client.get(f"/discussions/{mine.id}/items/{a.id}").status_code == 200


# ------------------------------------------------------------------ 3. recusal

DIRECTIONS = ["self", "declared_relative"]


@dataclass
class Recused:
    official: Official  # O, whom the users must not read
    other: Official     # an unrelated official, readable
    ids: dict           # ids of O's records


@pytest.fixture
def recused(make):
    """Users of every reading role linked to O (``self``) or to a declared relative of O,
    and O with one record of every kind, a dossier, an answered and an open opinion, an
    exempted finding, an agenda item with its dossier in a discussion with a bundle, and the
    unit O leads, with 2023 results and an interview (约谈) of O."""

    def build(direction: str) -> Recused:
        unit = f.unit(name="回避区")
        o = s.official(name="甲回避")  # each with a unit they lead
        other = s.official(name="丙无关")
        ids = {"post": f.post(o, unit, title="甲回避职务").id,
               "result": f.result(o, 2020, comment="甲回避评语").id,
               "review": f.review(o, strengths="甲回避长处").id,
               "note": f.note(o, content="甲回避档案内容").id}
        finding = ds.finding(o, summary="甲回避问题摘要")
        ds.exempt(finding)
        ids["finding"] = finding.id
        ids["open_finding"] = ds.finding(o, summary="甲回避在办问题", status="clue",
                                         kind="pending", decided=None).id
        ids["opinion"] = ds.opinion(o, purpose="甲回避拟提拔").id
        ids["dossier"] = dossier_services.generate(o.id).id
        d = s.discussion(title="回避会议")
        ids["item"] = s.ready_item(d, o).id
        s.ready_item(d, other)
        ids["discussion"] = d.id
        made = bundle.start(d)
        bundle.build(made.id)
        # O leads their unit (a principal post since 2015): its 2023 results name O as
        # principal leader, and O was interviewed (约谈) after the full-year round.
        unit = db.session.get(Unit, o.unit_id)
        scheme = ua.scheme(year=2023)
        ua.fill(scheme, unit, ratio=0.5)
        entry.save_interview(scheme, unit, "full", {
            "leader_name": o.name, "official_id": o.id, "date": dt.date(2024, 1, 5),
            "reason": "排名末位", "notes": "甲回避约谈记录"})
        ids["scheme"], ids["ua_unit"] = scheme.id, unit.id
        if direction == "self":
            linked = o.id
        else:
            relative = f.official(name="乙亲属")
            db.session.add(FamilyMember(official_id=relative.id, relation="配偶", name=o.name,
                                        relative_official_id=o.id))
            linked = relative.id
        for role in ("organization", "discipline", "reviewer"):
            auth_services.create_user(f"rec_{role}", role, PASSWORD, official_id=linked)
        db.session.flush()
        s.assign(d, "rec_reviewer")
        make.commit()
        return Recused(o, other, ids)

    return build


# (role, method, URL template, form data): O's records that tests/test_recusal.py does not
# request; {id} is O, {post} … {item} the ids of O's records.
RECUSED_PAGES = [
    ("organization", "GET", "/officials/{id}/posts/{post}/edit", None),
    ("organization", "POST", "/officials/{id}/posts/{post}/edit", {"title": "被篡改"}),
    ("organization", "POST", "/officials/{id}/posts/{post}/delete", None),
    ("organization", "POST", "/officials/{id}/results/{result}/edit", {"comment": "被篡改"}),
    ("organization", "POST", "/officials/{id}/results/{result}/delete", None),
    ("organization", "GET", "/officials/{id}/reviews/new", None),
    ("organization", "GET", "/officials/{id}/reviews/{review}/edit", None),
    ("organization", "POST", "/officials/{id}/reviews/{review}/delete", None),
    ("organization", "GET", "/officials/{id}/notes/new", None),
    ("organization", "GET", "/officials/{id}/notes/{note}/edit", None),
    ("organization", "POST", "/officials/{id}/notes/{note}/delete", None),
    ("organization", "POST", "/officials/{id}/edit", {"name": "被篡改"}),
    ("organization", "POST", "/officials/{id}/delete", None),
    ("organization", "GET", "/officials/{id}/discipline/findings/{finding}", None),
    ("organization", "POST", "/officials/{id}/discipline/opinions/new",
     {"purpose": "拟提拔", "requested_on": "2024-01-02"}),
    ("organization", "POST", "/integrity-opinions/{opinion}/withdraw", None),
    ("discipline", "GET", "/officials/{id}/discipline/findings/{finding}", None),
    ("discipline", "GET", "/officials/{id}/discipline/findings/{finding}/edit", None),
    ("discipline", "POST", "/officials/{id}/discipline/findings/{finding}/delete", None),
    ("discipline", "GET", "/officials/{id}/discipline/findings/{open_finding}/exemption", None),
    ("discipline", "GET", "/officials/{id}/discipline/findings/{finding}/exemption/revoke",
     None),
    ("discipline", "GET", "/integrity-opinions/{opinion}/answer", None),
    ("discipline", "POST", "/integrity-opinions/{opinion}/answer",
     {"outcome": "1", "answered_on": "2024-01-03", "answer_text": "未发现问题"}),
    ("discipline", "GET", "/api/v1/officials/{id}", None),
    ("organization", "GET", "/discussions/{discussion}/items/{item}", None),
    ("organization", "GET", "/discussions/{discussion}/items/{item}/dossiers/1.pdf", None),
    ("organization", "GET", "/discussions/{discussion}/items/{item}/edit", None),
    ("organization", "GET", "/discussions/{discussion}/items/{item}/checks/file_audit", None),
    ("organization", "GET", "/discussions/{discussion}/bundle.pdf", None),
    ("organization", "POST", "/discussions/{discussion}/bundle", None),
    ("organization", "GET", "/discussions/{discussion}/bundle/status", None),
    ("organization", "GET",
     "/unit-assessment/schemes/{scheme}/full/units/{ua_unit}/interviews/new", None),
    ("organization", "POST",
     "/unit-assessment/schemes/{scheme}/full/units/{ua_unit}/interviews/new",
     {"leader_name": "甲回避", "date": "2024-01-06", "reason": "x", "notes": "x"}),
    ("reviewer", "GET", "/discussions/{discussion}/items/{item}", None),
    ("reviewer", "GET", "/discussions/{discussion}/items/{item}/dossiers/1.pdf", None),
    ("reviewer", "GET", "/discussions/{discussion}/items/{item}/kaocha/reports/1", None),
    ("organization", "GET", "/discussions/{discussion}/items/{item}/kaocha/draft?date=2024-01-02",
     None),
    ("organization", "GET", "/officials/{id}/kaocha/draft?date=2024-01-02", None),
    ("organization", "POST", "/discussions/{discussion}/items/{item}/kaocha/recommendations/new",
     {"kind": "meeting", "held_on": "2020-03-01", "participants": "30", "votes": "1"}),
    ("reviewer", "GET", "/discussions/{discussion}/items/{item}/appointment-form.pdf", None),
    ("organization", "GET", "/discussions/{discussion}/items/{item}/appointment-form.pdf", None),
    ("organization", "GET", "/officials/{id}/appointment-form?size=A4&as_of=2024-01-01", None),
]

MARKERS = ("甲回避职务", "甲回避评语", "甲回避长处", "甲回避档案内容", "甲回避问题摘要",
           "甲回避在办问题", "甲回避拟提拔", "甲回避约谈记录", ds.SECRET)


BLOCKER = "纪检监察机关正在处置的问题"  # readiness of O's agenda item (the open finding)


def _recused_markers(r: Recused) -> tuple:
    return (*MARKERS, r.official.id_number, r.official.id_number_masked)


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("role,method,template,data", RECUSED_PAGES,
                         ids=[f"{r} {m} {t}" for r, m, t, _d in RECUSED_PAGES])
def test_recused_records_by_every_page(client, recused, direction, role, method, template,
                                       data):
    r = recused(direction)
    _login(client, f"rec_{role}")
    url = template.format(id=r.official.id, **r.ids)
    before = table_counts()
    response = client.open(url, method=method, data=data)
    assert response.status_code == 403, (url, response.status_code)
    assert not _leaks(response, _recused_markers(r)), url
    db.session.expire_all()
    assert table_counts() == before


def _bearer(username) -> dict:
    user = db.session.scalar(select(User).where(User.username == username))
    token = auth_services.create_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_recused_officials_by_bearer_token(client, recused, direction):
    """The JSON APIs with the recused user's own token: no list entry, no detail, no write."""
    r = recused(direction)
    o = r.official
    org, disc = _bearer("rec_organization"), _bearer("rec_discipline")
    for headers in (org, disc):
        data = client.get("/api/v1/officials?per_page=100", headers=headers).get_json()
        names = [i["name"] for i in data["items"]]
        assert r.other.name in names and o.name not in names and data["total"] == len(names)
        assert client.get("/api/v1/officials", query_string={"q": o.name},
                          headers=headers).get_json()["total"] == 0
        response = client.get(f"/api/v1/officials/{o.id}", headers=headers)
        assert response.status_code == 403 and o.name not in text(response)
        assert client.get(f"/api/v1/officials/{r.other.id}", headers=headers).status_code == 200
    before = table_counts()
    finding = {"found_date": "2024-01-01", "source": "self_found", "kind": "pending",
               "status": "clue", "summary": "x", "details": ""}
    requests = [
        (org, "PUT", f"/api/v1/officials/{o.id}", {"name": "被篡改"}),
        (org, "POST", f"/api/v1/officials/{o.id}/results", {"year": 2023, "kind": "annual",
                                                            "grade": "excellent"}),
        (org, "POST", f"/api/v1/officials/{o.id}/posts", {"title": "x"}),
        (disc, "POST", f"/api/v1/officials/{o.id}/discipline-findings", finding),
        (disc, "PUT", f"/api/v1/discipline-findings/{r.ids['open_finding']}", finding),
        (disc, "POST", f"/api/v1/integrity-opinions/{r.ids['opinion']}/answer",
         {"outcome": 1, "answered_on": "2024-01-03", "answer_text": "未发现问题"}),
    ]
    for headers, method, url, body in requests:
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 403, (method, url, response.status_code)
        assert not _leaks(response, _recused_markers(r)), url
    db.session.expire_all()
    assert table_counts() == before


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_recused_officials_left_out_of_lists(client, recused, direction):
    """The integrity-opinion queue, the discussion pages and the unit pages show nothing of
    O's records to the recused user (the officials list, API list and exports: test_recusal)."""
    r = recused(direction)
    _login(client, "rec_discipline")
    page = text(client.get("/integrity-opinions/"))
    assert "丙无关" in page and "甲回避" not in page and "甲回避拟提拔" not in page
    client.post("/logout")
    for role in ("organization", "reviewer"):
        _login(client, f"rec_{role}")
        page = text(client.get(f"/discussions/{r.ids['discussion']}"))
        row = page.split(f'id="item{r.ids["item"]}"')[1].split("</tr>")[0]
        assert "您需回避本议题" in row
        item = db.session.get(AgendaItem, r.ids["item"])
        assert item.current_dossier.dossier.number not in page
        assert BLOCKER not in page  # O's open discipline case, as the item's readiness
        client.post("/logout")
    # The meeting page lists every item's readiness: O's, to others only.
    for username, shown in (("rec_organization", False), ("organization", True)):
        _login(client, username)
        page = text(client.get(f"/discussions/{r.ids['discussion']}/hold"))
        assert "丙无关" in page and (BLOCKER in page) == shown
        # Holding the meeting is refused for O's unready item: without O's reasons.
        before = table_counts()
        members = [m.id for m in db.session.get(Discussion, r.ids["discussion"]).members]
        page = text(client.post(f"/discussions/{r.ids['discussion']}/hold",
                                data={**_hidden_inputs(page), "present": members}))
        assert "尚未具备上会条件" in page and (BLOCKER in page) == shown
        assert table_counts() == before
        client.post("/logout")


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_recused_leader_left_out_of_unit_pages(client, auth, recused, direction):
    """A unit's page names its principal leader and their interviews (约谈): not O's to a
    user recused for O; the unit's scores stay visible. Other users see O as before."""
    r = recused(direction)
    url = f"/unit-assessment/schemes/{r.ids['scheme']}/full/units/{r.ids['ua_unit']}"
    _login(client, "rec_organization")
    page = text(client.get(url))
    assert "总分" in page or "得分" in page
    assert "甲回避" not in page and "甲回避约谈记录" not in page
    client.post("/logout")
    auth.login("organization")
    page = text(client.get(url))
    assert "甲回避" in page and "甲回避约谈记录" in page



def _sheet(kind: str, values: dict) -> bytes:
    return workbook(kind, [[values.get(c.header, "") for c in SHEETS[kind].columns]])


def _upload(client, url: str, kind: str, data: bytes):
    return client.post(url, data={f"{kind}-file": (io.BytesIO(data), "导入.xlsx")},
                       content_type="multipart/form-data", buffered=True, follow_redirects=True)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_recused_officials_refused_by_imports(client, recused, direction):
    """Excel imports match officials by ID number: a row about O is refused for a recused
    user (回避), with nothing imported and nothing of O's records told back."""
    r = recused(direction)
    o = r.official
    number = o.id_number
    uploads = [
        ("rec_discipline", "/interop/discipline/import", "findings",
         [number, "", "2023-05-10", "信访举报", "谈话函询", "线索处置中", "", "", "摘要", ""]),
        ("rec_organization", "/interop/import/officials", "officials",
         {"姓名": o.name, "身份证号": number, "性别": "男", "出生日期": o.birth_date.isoformat(),
          "现任职务": "被篡改职务"}),
        ("rec_organization", "/interop/import/annual", "annual",
         {"身份证号": number, "年度": 2021, "等次": "称职"}),
    ]
    for username, url, kind, row in uploads:
        data = _sheet(kind, row) if isinstance(row, dict) else workbook(kind, [row])
        _login(client, username)
        before = table_counts()
        page = text(_upload(client, url, kind, data))
        assert RECUSED_ROW in page and "未导入任何内容" in page, (kind, page[-3000:])
        db.session.expire_all()
        assert _records(table_counts()) == _records(before), kind
        client.post("/logout")
        # Control: the same file from a user not linked to O is imported.
        _login(client, username.removeprefix("rec_"))
        page = text(_upload(client, url, kind, data))
        assert "未导入任何内容" not in page and ("新增 1 条" in page or "更新 1 条" in page), \
            (kind, page[-3000:])
        client.post("/logout")

    # LRMX: the appointment form carries the declared family, which decides recusal.
    lrmx = lrmx_document(XingMing=o.name, ShenFenZheng=number,
                         ChuShengNianYue=o.birth_date.strftime("%Y%m"), _members=[])
    _login(client, "rec_organization")
    before = table_counts()
    page = text(lrmx_upload(client, lrmx.encode()))
    assert RECUSED_ROW in page, page[-3000:]
    db.session.expire_all()
    assert _records(table_counts()) == _records(before)
    assert recused_official_ids(db.session.scalar(
        select(User).where(User.username == "rec_organization"))) >= {o.id}


def _records(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if k not in ("audit_log", "job")}


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_recused_official_cannot_be_put_on_the_agenda(client, recused, direction):
    """Attaching a dossier of O is refused (403); listing O for a promotion, by number or
    by name, is refused in the same way, next to the field, with nothing saved."""
    r = recused(direction)
    d = s.discussion(title="另一会议")
    mine = s.item(d, r.other)
    db.session.commit()
    _login(client, "rec_organization")
    for value in (str(r.official.id), r.official.name):
        form = {"official_id": value, "action": "promote", "proposed_post": "区委书记",
                "reason": "工作需要"}
        for url in (f"/discussions/{d.id}/items/new", f"/discussions/{d.id}/items/{mine.id}/edit"):
            data = {**_hidden_inputs(text(client.get(url))), **form}
            before = table_counts()
            page = text(client.post(url, data=data))
            assert RECUSED_ITEM in page, (url, value)
            db.session.expire_all()
            assert table_counts() == before
            assert db.session.get(AgendaItem, mine.id).official_id == r.other.id
