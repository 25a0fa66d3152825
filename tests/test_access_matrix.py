"""Every route of the app × every role, against an explicit table of expected outcomes.

The parameters are taken from the live ``app.url_map``: a route added without a row
in ``EXPECTED`` fails here, so each feature must state who may use its routes.
"""
from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.discipline.models import DisciplineFinding, IntegrityOpinion
from kaohe.extensions import db
from kaohe.officials.models import Official
from tests import (account_access, batch_access, discussions_access, dossier_access,
                   interop_access, jobs_access, kaocha_access, moves_access, quota_access,
                   ua_access)
from tests.helpers import PNG, audit_total, build_world, field_errors, table_counts, text
from tests.route_support import ITEM_MODELS, routes, url_for_rule
from tests import appsheet_access

ROLES = ("admin", "organization", "assessment", "discipline", "reviewer", None)  # None: anonymous
STAFF = frozenset(r for r in ROLES if r)
ORG = frozenset({"organization"})
READERS = frozenset({"organization", "discipline"})  # officials.read
UNIT_READERS = frozenset({"admin", "organization", "assessment", "discipline"})
UNIT_WRITERS = frozenset({"admin", "organization"})
ADMIN = frozenset({"admin"})

LOGIN = "login"  # anonymous on a page: 302 to /login (401 JSON under /api/)
TOKEN = "token"  # integration API: 400 JSON (bad body) with a Bearer token, 403 with a session
DISCIPLINE = frozenset({"discipline"})
DISCIPLINE_READERS = frozenset({"organization", "discipline"})
HOME = "home"    # 302 to /home


def only(roles: frozenset, ok=200) -> dict:
    """``ok`` for ``roles``, 403 for the other roles, the login redirect for anonymous."""
    return {r: (LOGIN if r is None else ok if r in roles else 403) for r in ROLES}


def everyone(outcome) -> dict:
    return {r: outcome for r in ROLES}


# (endpoint, method) → role → expected outcome. GET forms render (200); POST of a form
# without its fields re-renders it with errors (200, nothing saved); deletes redirect (302).
EXPECTED: dict[tuple[str, str], dict] = {
    ("static", "GET"): everyone(200),
    # Probes and metrics (issue 15): no login; /metrics only with its token (unset here).
    ("ops.healthz", "GET"): everyone(200),
    ("ops.readyz", "GET"): everyone(200),
    ("ops.scrape", "GET"): everyone(ua_access.NOT_FOUND),
    ("main.index", "GET"): {**everyone(HOME), None: LOGIN},
    ("auth.login", "GET"): {**everyone(HOME), None: 200},
    ("auth.login", "POST"): {**everyone(HOME), None: 200},
    ("auth.logout", "POST"): everyone(LOGIN),
    ("auth.change_password", "GET"): only(STAFF),
    ("auth.change_password", "POST"): only(STAFF),
    ("main.home", "GET"): only(STAFF),
    ("units.index", "GET"): only(UNIT_READERS),
    ("units.edit.new", "GET"): only(UNIT_WRITERS),
    ("units.edit.new", "POST"): only(UNIT_WRITERS),
    ("units.edit.edit", "GET"): only(UNIT_WRITERS),
    ("units.edit.edit", "POST"): only(UNIT_WRITERS),
    ("officials.index", "GET"): only(READERS),
    ("officials.profile", "GET"): only(READERS),
    ("officials.photo", "GET"): only(READERS),
    ("officials.edit.new", "GET"): only(ORG),
    ("officials.edit.new", "POST"): only(ORG),
    ("officials.edit.edit", "GET"): only(ORG),
    ("officials.edit.edit", "POST"): only(ORG),
    ("officials.edit.delete", "POST"): only(ORG, 302),
    **{(f"{bp}.{ep}", m): only(ORG, 302 if ep == "delete" else 200)
       for bp in ("posts", "assessments", "reviews", "orgnotes")
       for ep, m in (("new", "GET"), ("new", "POST"), ("edit", "GET"), ("edit", "POST"),
                     ("delete", "POST"))},
    ("api.officials", "GET"): only(READERS),
    ("api.official", "GET"): only(READERS),
    ("stats.index", "GET"): only(ORG),
    ("stats.workbook", "GET"): only(ORG),
    ("stats.pdf", "GET"): only(ORG),
    ("stats_api.api", "GET"): only(ORG),
    ("todos_api.todos", "GET"): only(STAFF),  # each role its own kinds (tests/test_todos_api.py)
    ("todos.digest_settings", "GET"): only(STAFF),
    ("todos.kind_list", "GET"): only(ORG),  # a kind of the organization's (到龄)
    ("todos.kind_export", "GET"): only(ORG),
    ("todos.digest_settings", "POST"): only(STAFF, 302),  # nothing filled in: off, nothing to save
    ("roster.index", "GET"): only(READERS),
    ("roster.workbook", "GET"): only(READERS),  # no column chosen: the chooser again
    ("roster.pdf", "GET"): only(READERS),
    ("saved_search.create", "POST"): only(READERS, 302),  # empty name: back to the list
    ("saved_search.delete", "POST"): only(READERS, ua_access.NOT_FOUND),  # not the user's
    ("admin.users", "GET"): only(ADMIN),
    ("admin.new_user", "GET"): only(ADMIN),
    ("admin.new_user", "POST"): only(ADMIN),
    ("admin.edit_user", "GET"): only(ADMIN),
    ("admin.edit_user", "POST"): only(ADMIN),
    ("admin.end_sessions", "POST"): only(ADMIN, 302),
    ("admin.settings", "GET"): only(ADMIN),
    ("admin.settings", "POST"): only(ADMIN),
    # Discipline findings, exemptions and integrity opinions (issue 4).
    ("discipline.index", "GET"): only(DISCIPLINE_READERS),
    ("discipline.finding", "GET"): only(DISCIPLINE_READERS),
    **{(f"discipline.edit.{ep}", m): only(DISCIPLINE)
       for ep in ("new_finding", "edit_finding", "grant_exemption", "revoke_exemption")
       for m in ("GET", "POST")},
    ("discipline.edit.delete_finding", "POST"): only(DISCIPLINE, 302),
    ("discipline.request.request_opinion", "GET"): only(ORG),
    ("discipline.request.request_opinion", "POST"): only(ORG),
    ("integrity.queue", "GET"): only(DISCIPLINE_READERS),
    ("integrity.answer.answer", "GET"): only(DISCIPLINE),
    ("integrity.answer.answer", "POST"): only(DISCIPLINE),
    ("integrity.withdraw.withdraw", "POST"): only(ORG, 302),
    **{(f"discipline_api.{ep}", m): only(DISCIPLINE, TOKEN)
       for ep, m in (("create_finding", "POST"), ("update_finding", "PUT"),
                     ("answer_opinion", "POST"))},
    # Target-responsibility assessment of units (issue 5).
    **ua_access.expected(only),
    # Excel / LRMX import and export, JSON API additions (issue 8).
    **interop_access.expected(only, TOKEN),
    # Three-year evaluation dossiers (issue 3).
    **dossier_access.expected(only),
    # Personnel discussions (issue 6).
    **discussions_access.expected(only),
    # Batch work of a discussion: 征求意见函, attach-all job, member lists (issue 14.4).
    **batch_access.expected(only, TOKEN),
    # The printed 干部任免审批表 (issue 13.1): like the dossier, and like an item's dossier.
    ("appform.official", "GET"): only(ORG),
    ("appform_item.item", "GET"): only(frozenset({"organization", "reviewer"})),
    # 凡动必谈/考/训, 任前公示, 任职 and the holiday calendar (issue 13.3, 13.5).
    **moves_access.expected(only),
    # 考察材料: draft, 民主推荐, frozen final versions (issue 13.4).
    **kaocha_access.expected(only),
    # The 任免审批表 facts and the family entered in Kaohe (issue 13).
    **appsheet_access.expected(only),
    # Background jobs' progress pages (issue 15): the submitter's only.
    **jobs_access.expected(only, STAFF),
    # Recusal links and API tokens (issue 16).
    **account_access.expected(only, STAFF),
    # The unit page and its 优秀 quota approvals (issue 12.5).
    **quota_access.expected(only),
}

# The required field each form's POST leaves blank (by endpoint, else by blueprint).
BLANKED = {"auth.login": "username", "auth.change_password": "current_password", "units": "code", "officials": "name", "posts": "title",
           "assessments": "year", "reviews": "date", "orgnotes": "date",
           "admin.new_user": "username", "admin.edit_user": "role",
           "admin.settings": "dossier__window_years",
           "discipline.edit.new_finding": "found_date", "discipline.edit.edit_finding": "found_date",
           "discipline.edit.grant_exemption": "reason",
           "discipline.edit.revoke_exemption": "revoke_reason",
           "discipline.request.request_opinion": "purpose", "integrity.answer.answer": "answer_text"}

BLANKED.update(ua_access.BLANKED)
BLANKED.update(interop_access.BLANKED)
BLANKED.update(dossier_access.BLANKED)
BLANKED.update(discussions_access.BLANKED)
BLANKED.update(batch_access.BLANKED)
BLANKED.update(moves_access.BLANKED)
BLANKED.update(kaocha_access.BLANKED)
BLANKED.update(jobs_access.BLANKED)
BLANKED.update(account_access.BLANKED)
BLANKED.update(quota_access.BLANKED)
BLANKED.update(appsheet_access.BLANKED)
# Responses that are not text (never decoded as a page).
BINARY = {"image/png", "application/pdf",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

# Deletes outside ITEM_MODELS: endpoint → (model, world attribute).
OTHER_DELETES = {"discipline.edit.delete_finding": (DisciplineFinding, "finding"),
                 "integrity.withdraw.withdraw": (IntegrityOpinion, "opinion")}


ROUTES = routes()
# Every route with a session for every role; with a Bearer token every /api/ route for every
# role (an invalid token for anonymous), and every page once, with the token of the
# organization user, which a page must ignore.
CASES = [
    pytest.param(endpoint, method, rule, role, mode,
                 id=f"{method} {rule} [{role or 'anonymous'}{'' if mode == 'session' else ', ' + mode}]")
    for endpoint, method, rule in ROUTES
    for role in ROLES
    for mode in ("session", "bearer")
    if mode == "session" or rule.startswith("/api/") or role == "organization"
]
_url = url_for_rule


def _location(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def _check_allowed(endpoint, method, role, response, world):
    """The page or JSON a permitted request gets really carries what it should."""
    page = text(response) if response.mimetype not in BINARY else ""
    o = world.official
    ok_get = method == "GET"
    if endpoint == "static":
        assert response.data == (Path(__file__).parents[1] / "static/css/kaohe.css").read_bytes()
        response.close()
    elif endpoint == "ops.healthz":
        assert page == "ok\n"
    elif endpoint == "ops.readyz":
        assert response.get_json() == {"status": "ok", "failed": [],
                                       "checks": {"database": "ok", "queue": "ok"}}
    elif endpoint == "auth.login":
        if ok_get:
            assert 'name="username"' in page and 'name="password"' in page
        else:
            assert field_errors(page, "username") == ["请输入用户名。"]
    elif endpoint == "auth.change_password":
        if ok_get:
            assert 'id="current_password"' in page and 'id="new_password"' in page
        else:
            assert field_errors(page, "current_password") == ["请输入当前密码。"]
    elif endpoint == "main.home":
        assert f"您好，{role}测试" in page
    elif endpoint == "units.index":
        assert "东城区" in page and "张副市长" in page
    elif endpoint in ("units.edit.new", "units.edit.edit"):
        if ok_get:
            assert 'id="code"' in page
            assert ('value="东城区"' in page) == (endpoint == "units.edit.edit")
        else:
            assert field_errors(page, "code") == ["请填写单位代码。"]
    elif endpoint == "officials.index":
        assert "王建国" in page and "共 1 人" in page
        assert o.id_number not in page  # the list never shows ID numbers
    elif endpoint == "officials.profile":
        for fact in ("王建国", "东城区区长", "年度表现突出", "政治站位高", "档案审核无问题"):
            assert fact in page
        assert (o.id_number in page) == (role == "organization")
        assert (o.id_number_masked in page) == (role != "organization")
        # Editing links only for those who may edit.
        assert (f"/officials/{o.id}/edit" in page) == (role == "organization")
    elif endpoint == "officials.photo":
        assert response.data == PNG and response.mimetype == "image/png"
    elif endpoint in ("officials.edit.new", "officials.edit.edit"):
        if ok_get:
            assert 'id="id_number"' in page
            if endpoint == "officials.edit.edit":
                assert 'value="王建国"' in page and o.id_number in page
        else:
            assert field_errors(page, "name") == ["请填写姓名。"]
    elif endpoint.split(".")[0] in ITEM_MODELS and endpoint.endswith((".new", ".edit")):
        first_field, message, content = {
            "posts": ("title", "请填写职务。", "东城区区长"),
            "assessments": ("year", "请填写年度。", "年度表现突出"),
            "reviews": ("date", "请填写研判日期。", "政治站位高"),
            "orgnotes": ("date", "请填写日期。", "档案审核无问题"),
        }[endpoint.split(".")[0]]
        if ok_get:
            assert f'id="{first_field}"' in page and "王建国" in page
            assert (content in page) == endpoint.endswith(".edit")
        else:
            assert message in field_errors(page, first_field)
    elif endpoint == "todos.digest_settings":
        assert "待办邮件提醒" in page and "电子邮件地址" in page
    elif endpoint == "todos.kind_list":
        assert "到龄退休" in page and "名干部已达到或即将达到退休年龄" in page
    elif endpoint == "todos.kind_export":
        assert response.data[:2] == b"PK" and "attachment" in response.headers["Content-Disposition"]
    elif endpoint == "todos_api.todos":
        data = response.get_json()
        assert data["total"] == len(data["items"])
        assert all(item["kind"] in data["kinds"] for item in data["items"])
    elif endpoint == "api.officials":
        data = response.get_json()
        assert data["total"] == 1 and data["page"] == 1
        [item] = data["items"]
        assert item["name"] == "王建国"
        expected_id = o.id_number if role == "organization" else o.id_number_masked
        assert item["id_number"] == expected_id
    elif endpoint == "api.official":
        data = response.get_json()
        assert data["name"] == "王建国" and data["posts"][0]["title"] == "东城区区长"
        [year] = data["years"]
        assert year["year"] == 2019 and year["assessment_results"][0]["grade"] == "excellent"
        assert year["reviews"][0]["strengths"] == "政治站位高"
        assert year["org_notes"][0]["content"] == "档案审核无问题"
        expected_id = o.id_number if role == "organization" else o.id_number_masked
        assert data["id_number"] == expected_id
    elif endpoint == "stats.index":
        assert "干部 1 人" in page and "<svg" in response.get_data(as_text=True)
    elif endpoint == "stats.workbook":
        assert response.data.startswith(b"PK") and response.mimetype.endswith(".sheet")
    elif endpoint == "stats.pdf":
        assert response.data.startswith(b"%PDF")
    elif endpoint == "stats_api.api":
        assert response.get_json()["total"] == 1
    elif endpoint == "roster.index":
        assert "当前查询共 1 人" in page
    elif endpoint in ("roster.workbook", "roster.pdf"):
        assert "请至少选择一列" in page
    elif endpoint in quota_access.ENDPOINTS:
        quota_access.check_allowed(endpoint, method, role, response, page, world, field_errors)
    elif endpoint in account_access.ENDPOINTS:
        account_access.check_allowed(endpoint, method, role, response, page, world, field_errors)
    elif endpoint == "admin.users":
        for name in ("admin", "organization", "reviewer"):
            assert f'<td class="mono">{name}</td>' in page
    elif endpoint == "admin.new_user":
        if ok_get:
            assert 'id="username"' in page
        else:
            assert field_errors(page, "username") == ["请填写用户名。"]
    elif endpoint == "admin.edit_user":
        assert "修改用户：reviewer" in page
        if not ok_get:
            assert field_errors(page, "role")
    elif endpoint == "admin.settings":
        assert "规则参数设置" in page
        if not ok_get:
            assert "请输入数字。" in field_errors(page, "dossier__window_years")
    elif endpoint.split(".")[0] in ("discipline", "integrity"):
        _check_discipline(endpoint, method, role, page, world)
    elif endpoint.split(".")[0] in ("unitassess", "unitassess_api"):
        ua_access.check_allowed(endpoint, method, role, response, page, world, field_errors)
    elif endpoint.split(".")[0] in ("interop", "interop_ua", "interop_discipline", "api_units",
                                    "api_doc"):
        interop_access.check_allowed(endpoint, method, role, response, page, world, field_errors)
    elif endpoint.split(".")[0] == "dossier":
        dossier_access.check_allowed(endpoint, method, role, response, page, world, field_errors)
    elif endpoint.split(".")[0] in batch_access.BLUEPRINTS:
        batch_access.check_allowed(endpoint, method, role, response, page, world, field_errors)
    elif endpoint.split(".")[0] == "discussions":
        discussions_access.check_allowed(endpoint, method, role, response, page, world,
                                         field_errors)
    elif endpoint == "appform.official":
        assert "王建国" in page and 'id="as_of"' in page and 'value="B5"' in page
    elif endpoint == "appform_item.item":
        stamped = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        assert "干部任免审批表" in stamped and "东城区委书记" in stamped and f"{role}测试" in stamped
    elif endpoint in appsheet_access.ENDPOINTS:
        appsheet_access.check_allowed(endpoint, method, response, page, world, field_errors)
    elif endpoint in jobs_access.ENDPOINTS:
        jobs_access.check_allowed(endpoint, method, response, page, field_errors)
    elif endpoint.split(".")[0] == "kaocha":
        kaocha_access.check_allowed(endpoint, method, role, response, page, world,
                                    field_errors)
    elif endpoint.split(".")[0] in ("moves", "holidays"):
        moves_access.check_allowed(endpoint, method, response, page, world, field_errors)
    else:  # pragma: no cover - a new endpoint needs its own content check
        pytest.fail(f"no content check for allowed {method} {endpoint}: add one to _check_allowed")


def _check_discipline(endpoint, method, role, page, world):
    from tests.discipline_support import SECRET

    # The details field reaches the discipline role only, and only where it is shown.
    assert (SECRET in page) == (role == "discipline" and endpoint in (
        "discipline.finding", "discipline.edit.edit_finding"))
    form_field, message = {
        "discipline.edit.new_finding": ("found_date", "请填写发现日期。"),
        "discipline.edit.edit_finding": ("found_date", "请填写发现日期。"),
        "discipline.edit.grant_exemption": ("reason", "请填写容错免责理由。"),
        "discipline.edit.revoke_exemption": ("revoke_reason", "请填写撤销容错免责的理由。"),
        "discipline.request.request_opinion": ("purpose", "请填写征求事由。"),
        "integrity.answer.answer": ("answer_text", "请填写回复意见。"),
    }.get(endpoint, (None, None))
    if form_field is None:  # reading pages
        assert "王建国" in page
        assert ("待回复" if endpoint == "integrity.queue" else "违规收受礼品") in page
    elif method == "GET":
        assert f'id="{form_field}"' in page
    else:
        assert field_errors(page, form_field) == [message]


@pytest.mark.parametrize("endpoint,method,rule,role,mode", CASES)
def test_route_role_matrix(app, client, auth, make, endpoint, method, rule, role, mode):
    if (endpoint, method) not in EXPECTED:
        pytest.fail(f"route {method} {rule} ({endpoint}) is missing from EXPECTED in "
                    "tests/test_access_matrix.py: state the outcome for every role")
    is_api = rule.startswith("/api/")
    world = build_world()
    headers = {}
    if mode == "bearer":
        if role is None:
            headers["Authorization"] = "Bearer kh_not-a-valid-token"
        else:
            user = db.session.scalar(select(User).where(User.username == role))
            headers["Authorization"] = f"Bearer {auth_services.create_token(user)}"
            make.commit()
    else:
        auth.as_role(role)
    # A Bearer token counts only under /api/: anywhere else the request is anonymous.
    effective_role = role if (mode == "session" or is_api) else None
    expected = EXPECTED[(endpoint, method)][effective_role]
    if expected == TOKEN:
        expected = 400 if mode == "bearer" else 403
    url = _url(rule, endpoint, world)
    before = table_counts()
    audit_before = audit_total()

    # POSTs blank the form's first required field (fields left out of a POST keep the
    # edited object's values, as in WTForms).
    data = {BLANKED.get(endpoint, BLANKED.get(endpoint.split(".")[0], "x")): ""} \
        if method == "POST" else None
    response = client.open(url, method=method, headers=headers, data=data)
    page = text(response) if response.mimetype not in BINARY and endpoint != "static" else ""

    # The reading register (查阅登记) and permitted discussion actions write on purpose.
    writes = discussions_access.writes(endpoint, method, effective_role, expected) \
        or account_access.writes(endpoint, expected) or moves_access.writes(endpoint, expected) \
        or (endpoint == "appform_item.item" and expected == 200)  # the reading register
    before = discussions_access.adjust(before, endpoint, expected)
    before = account_access.adjust(before, endpoint, expected)
    before = moves_access.adjust(before, endpoint, expected)
    writes = writes or kaocha_access.writes(endpoint, expected)
    writes = writes or batch_access.writes(endpoint, expected)
    before = batch_access.adjust(before, endpoint, expected)
    if expected == LOGIN:
        if is_api:
            assert response.status_code == 401
            assert response.get_json()["error"]
        else:
            assert response.status_code == 302 and _location(response) == "/login"
        if endpoint == "auth.logout" and effective_role is not None:
            writes = True  # the logout event and the rotated session token
            assert client.get("/home").status_code == 302  # the session is over
    elif expected == HOME:
        assert response.status_code == 302 and _location(response) == "/home"
    elif expected == ua_access.REDIRECT:  # a refused action: back to the page, nothing saved
        assert response.status_code == 302
    elif expected == ua_access.NOT_FOUND:
        assert response.status_code == 404
    elif expected == 400:  # a token request with a body that is not JSON: refused, not saved
        assert response.status_code == 400 and "JSON" in response.get_json()["error"]
    elif expected == 403:
        assert response.status_code == 403
        if is_api:
            assert response.get_json()["error"]
        else:
            assert "您无权访问此页面" in page
        for secret in (world.official.name, world.official.id_number, "年度表现突出", "政治站位高"):
            assert secret not in page
    elif expected == 302 and endpoint == "admin.end_sessions":
        writes = True  # the rotated session token and its audit entry
        assert response.status_code == 302 and _location(response) == "/admin/users"
        log = db.session.scalars(select(AuditLog).order_by(AuditLog.seq.desc())).first()
        assert (log.action, log.entity_id, log.actor_name) == (
            "sessions_ended", world.user.id, "admin")
    elif expected == 302 and endpoint == "todos.digest_settings":  # off, the default: no row
        assert response.status_code == 302 and _location(response) == "/account/digest"
    elif expected == 302 and endpoint == "saved_search.create":  # no name: back, unsaved
        assert response.status_code == 302 and _location(response) == "/officials/"
        assert client.get("/officials/").get_data(as_text=True).count("请填写查询名称") == 1
    elif expected == 302:  # a permitted delete
        writes = True
        assert response.status_code == 302
        blueprint = endpoint.split(".")[0]
        if blueprint == "officials":
            model, obj, entity = Official, world.official, "official"
            assert _location(response) == "/officials/"
        elif endpoint in quota_access.DELETES:
            model, obj, entity = quota_access.deleted(world)
            assert _location(response) == f"/units/{world.district.id}"
        elif endpoint in appsheet_access.DELETES:
            model, obj, entity = appsheet_access.deleted(world)
            assert _location(response) == appsheet_access.location(world)
        elif endpoint in OTHER_DELETES:
            model, attr = OTHER_DELETES[endpoint]
            obj, entity = getattr(world, attr), model.__tablename__
            assert _location(response) == f"/officials/{world.official.id}/discipline/"
        else:
            model, attr = ITEM_MODELS[blueprint]
            obj, entity = getattr(world, attr), model.__tablename__
            assert _location(response) == f"/officials/{world.official.id}"
        assert db.session.scalar(select(model).where(model.id == obj.id)) is None  # hidden …
        row = db.session.scalar(select(model).where(model.id == obj.id).execution_options(
            include_deleted=True, populate_existing=True))
        assert row is not None and row.deleted_at is not None  # … but kept
        log = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert (log.action, log.entity_type, log.entity_id, log.actor_name) == (
            "delete", entity, obj.id, role)
    else:
        assert response.status_code == expected == 200, page[:2000]
        _check_allowed(endpoint, method, effective_role, response, world)

    after = table_counts()
    records_after = {k: v for k, v in after.items() if k != "audit_log"}
    records_before = {k: v for k, v in before.items() if k != "audit_log"}
    assert records_after == records_before, "a refused or read-only request changed the database"
    audit_added = audit_total() - audit_before
    if writes:
        assert audit_added > 0
    elif expected == 403:  # every refusal is audited, once, with who and what was asked
        assert audit_added == 1
        log = db.session.scalars(select(AuditLog).order_by(AuditLog.seq.desc())).first()
        assert (log.action, log.actor_name) == ("access_denied", role or "system")
        assert (log.after["method"], log.after["path"]) == (method, urlsplit(url).path)
    elif endpoint == "dossier.download" and response.status_code == 200:
        assert audit_added == 1  # each download is audited
        log = db.session.scalars(select(AuditLog).order_by(AuditLog.seq.desc())).first()
        assert (log.action, log.entity_id, log.actor_name) == (
            "dossier_download", world.dossier.id, role)
    else:
        assert audit_added == 0, "a read-only request wrote to the audit log"


def test_expected_table_has_no_stale_rows():
    live = {(endpoint, method) for endpoint, method, _rule in ROUTES}
    assert set(EXPECTED) - live == set()


@pytest.mark.parametrize("url", ["/officials/{id}", "/officials/{id}/photo",
                                 "/api/v1/officials/{id}", "/officials/{id}/edit",
                                 "/officials/{id}/results/new"])
def test_nobody_reads_their_own_records(client, auth, make, url):
    """Recusal (回避): a user linked to an official gets 403 on that official."""
    world = build_world()
    user = auth_services.create_user("self_org", "organization", "self-password-1",
                                     official_id=world.official.id)
    make.commit()
    assert user.official_id == world.official.id
    client.post("/login", data={"username": "self_org", "password": "self-password-1"})
    response = client.get(url.format(id=world.official.id))
    assert response.status_code == 403
    assert "王建国" not in text(response) and world.official.id_number not in text(response)
    # Another official stays readable for the same user.
    other = make.official(name="李四海")
    make.commit()
    assert "李四海" in text(client.get(f"/officials/{other.id}"))
