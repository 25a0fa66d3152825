"""Shared test helpers: a small world of records, database snapshots, HTML probes."""
from __future__ import annotations

import datetime as dt
import html
import re
from types import SimpleNamespace

from sqlalchemy import func, select

from kaohe.extensions import db
from tests import factories

# A 1×1 PNG (transparent), as Pillow writes it: a photo is stored encoded again (issue 16.5).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082")


def build_world() -> SimpleNamespace:
    """One official with one record of every kind, a unit tree and a photo; committed."""
    from kaohe.auth.models import User
    from kaohe.officials import photos

    city = factories.unit(name="测试市", kind="city", leader_in_charge="")
    district = factories.unit(name="东城区", kind="county", parent=city,
                              leader_in_charge="张副市长")
    official = factories.official(name="王建国", unit_obj=district)
    photos.attach(official, PNG)
    post = factories.post(official, district, start=dt.date(2016, 1, 1), principal=True,
                          title="东城区区长")
    result = factories.result(official, 2019, grade="excellent", score=92,
                              comment="年度表现突出")
    review = factories.review(official, date=dt.date(2019, 6, 1), strengths="政治站位高")
    note = factories.note(official, date=dt.date(2019, 3, 1), content="档案审核无问题")
    factories.commit()
    user = db.session.scalar(select(User).where(User.username == "reviewer"))
    return SimpleNamespace(city=city, district=district, official=official, post=post,
                           result=result, review=review, note=note, user=user)


def table_counts() -> dict[str, int]:
    """Row count of every table (soft-deleted rows included) and of the audit log.

    Audit entries of refused requests (``access_denied``) are left out: a refusal is
    logged, and changes nothing else (tests/test_access_matrix.py counts them). So is
    the ``job`` table: an import from a page queues a job whatever its outcome
    (tests/test_jobs*.py check the job rows).
    """
    from kaohe.audit.models import AuditLog

    tables = [t for t in db.metadata.sorted_tables if t.name != "job"]

    def count(t):
        q = select(func.count()).select_from(t)
        if t.name == "audit_log":
            q = q.where(AuditLog.action != "access_denied")
        return q.scalar_subquery().label(t.name)

    row = db.session.execute(select(*(count(t) for t in tables))).one()  # one round trip
    return dict(zip((t.name for t in tables), row))


def audit_total() -> int:
    """Every audit entry, refusals included."""
    from kaohe.audit.models import AuditLog

    return db.session.scalar(select(func.count(AuditLog.id)))


def live_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def all_count(model) -> int:
    return db.session.scalar(select(func.count(model.id)).execution_options(include_deleted=True))


def field_errors(page: str, field_id: str) -> list[str]:
    """Texts of the ``.error`` spans inside the form field whose input has ``id=field_id``."""
    m = re.search(r'<div class="field[^"]*">((?:(?!<div class="field).)*?\bid="%s"'
                  r'(?:(?!<div class="field).)*?)</div>' % re.escape(field_id), page, re.S)
    assert m, f"field {field_id!r} not found in page"
    return [html.unescape(e) for e in re.findall(r'<span class="error">(.*?)</span>', m.group(1))]


def form_alerts(page: str) -> list[str]:
    """Messages of the form-level error box."""
    return [html.unescape(x) for x in re.findall(
        r'<div class="flash flash-error" role="alert">(.*?)</div>', page, re.S)]


def text(response) -> str:
    return response.get_data(as_text=True)


def form_version(client, url: str, optional: bool = False) -> dict:
    """The hidden ``version`` of the edit form at ``url``, as a browser submits it back
    (``optional``: the page may have none, e.g. a form that creates a record)."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', page)
    assert match or optional, f"no version field in the form at {url}"
    return {"version": match.group(1)} if match else {}


def select_options(page: str, field_id: str) -> list[tuple[str, str, bool]]:
    """``(value, label, selected)`` of every option of the ``<select id=field_id>``: what a
    browser submits when the user does not choose is the selected one, else the first."""
    m = re.search(r'<select[^>]*\bid="%s"[^>]*>(.*?)</select>' % re.escape(field_id), page, re.S)
    assert m, f"select {field_id!r} not found in page"
    return [(html.unescape(value), html.unescape(label.strip()), bool(re.search(r"\bselected\b", attrs)))
            for attrs, value, label in re.findall(
                r'<option([^>]*?value="([^"]*)"[^>]*)>(.*?)</option>', m.group(1), re.S)]


def input_value(page: str, field_id: str) -> str | None:
    """The ``value`` of the ``<input id=field_id>`` (None without one)."""
    m = re.search(r'<input[^>]*\bid="%s"[^>]*>' % re.escape(field_id), page)
    assert m, f"input {field_id!r} not found in page"
    value = re.search(r'\bvalue="([^"]*)"', m.group(0))
    return html.unescape(value.group(1)) if value else None


def settings_form_values(page: str) -> dict[str, str]:
    """What the admin's settings form sends unchanged: every input's value and every
    choice setting's selected option (the first when none is), as a browser does."""
    data = {}
    for name in set(re.findall(r'name="([a-z_]+__[a-z_]+)"', page)):
        m = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % name, page)
        if m:
            data[name] = html.unescape(m.group(1))
        else:
            options = select_options(page, name)
            data[name] = next((v for v, _label, chosen in options if chosen), options[0][0])
    return data
