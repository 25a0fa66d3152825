"""Bad-input sweep of every form: Hypothesis posts hostile values to every POST route.

Routes come from the live ``app.url_map`` (tests/route_support.py, as in the access
matrix); each is used by a role the access matrix says may use it, so requests reach
validation and the services. The form's fields are read from the page that renders it
(its own GET page, or for a POST-only action the page holding a form aimed at it);
hidden fields (e.g. ``version``) keep their value most of the time. Per example:

* never a server error, never error-page text in the body;
* unless the request succeeded (a redirect carrying a success flash and no error
  flash), no application table changed (row count, max(id), hash of the rows).

Each example runs in a SAVEPOINT rolled back afterwards, so examples never see each
other's writes. Examples per route: ``KAOHE_FUZZ_EXAMPLES`` (default 20; up to three
times as many for long forms); Hypothesis is derandomized, so every run draws the same
examples.
"""
from __future__ import annotations

import collections
import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from kaohe.extensions import db
from tests.fuzz_support import (EXAMPLES, NASTY, SETTINGS, assert_no_traceback, changed,
                                isolated, killers, short as _short, snapshot,
                                valid_guesses)
from tests.helpers import build_world
from tests.route_support import routes, url_for_rule
from tests.test_access_matrix import EXPECTED, HOME, LOGIN, ROLES, TOKEN

REFUSED = (403, LOGIN, HOME, TOKEN)

# Every POST route outside the JSON API (tests/test_fuzz_api.py covers that).
FORM_ROUTES = [(endpoint, rule) for endpoint, method, rule in routes()
               if method == "POST" and not rule.startswith("/api/")]

# Pages never searched for forms: files, charts, status JSON.
NOT_PAGES = ("download", "pdf", "xlsx", "chart", "template", "export", "photo", "status",
             "openapi", "static", "register")


def allowed_role(endpoint: str) -> str | None:
    """The first role (anonymous last) the access matrix lets through on POST."""
    outcomes = EXPECTED.get((endpoint, "POST"))
    if outcomes is None:
        pytest.fail(f"{endpoint} POST is missing from the access matrix's EXPECTED table")
    for role in ROLES:
        if outcomes[role] not in REFUSED:
            return role
    return "organization"  # logout: every signed-in user (the matrix counts its redirect)


# ------------------------------------------------------------------ form discovery

class _Field:
    def __init__(self, name, kind, value=""):
        self.name, self.kind, self.value, self.options = name, kind, value, []


class _Forms(HTMLParser):
    """The forms of a page: action, method and fields (name, type, value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def _field(self, name, kind, value=""):
        fields = self._form["fields"]
        if name not in fields:
            fields[name] = _Field(name, kind, value)
        return fields[name]

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "fields": {}}
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            field = self._field(a["name"], kind, "" if kind in ("radio", "checkbox") else
                                a.get("value", ""))
            if kind in ("radio", "checkbox"):
                field.options.append(a.get("value", "on"))
                if "checked" in a:
                    field.value = a.get("value", "on")
        elif tag == "select":
            self._select = self._field(a["name"], "select")
        elif tag == "textarea":
            self._textarea = self._field(a["name"], "textarea")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None:
                self._textarea.value = self._textarea.value.lstrip("\n")
            self._textarea = None


def _forms_of(client, url: str) -> list[dict]:
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return []
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return [f for f in parser.forms if f["method"] == "post"]


def _aimed_at(form: dict, page_url: str, url: str) -> bool:
    target = urlsplit(form["action"]).path or urlsplit(page_url).path
    return target == urlsplit(url).path


def discover(client, endpoint: str, url: str, world) -> tuple[str, list[_Field]]:
    """(URL to post to, fields) of the form that posts to ``url``."""
    pages = []
    if ("GET" in {m for e, m, _r in ALL_ROUTES if e == endpoint}):
        pages.append(url)
    root = endpoint.split(".")[0]
    for e, m, r in ALL_ROUTES:
        if m == "GET" and (e.split(".")[0] == root or e in ("officials.profile", "main.home")) \
                and not any(x in e for x in NOT_PAGES) and not r.startswith("/api/"):
            page = url_for_rule(r, e, world)
            if page not in pages:
                pages.append(page)
    for page in pages:
        for form in _forms_of(client, page):
            if _aimed_at(form, page, url):
                action = form["action"] or page
                fields = list(form["fields"].values())
                for f in fields:
                    f.guesses = valid_guesses(f.name, f.kind, f.value, f.options)
                return action, fields
    return url, []  # a form found on no page (e.g. a foreign record): only extra fields


ALL_ROUTES = routes()

# ------------------------------------------------------------------ strategies

FILE_CONTENTS = st.one_of(
    st.sampled_from([b"", b"PK\x03\x04" + b"\x00" * 40, b"PK\x03\x04garbage" * 50,
                     "姓名,身份证号\n王建国,1\n".encode(), b"<?xml version='1.0'?><Person/>",
                     b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
                     b"\x00" * 1000, b"\xff\xfe\x00"]),
    st.binary(max_size=200))
FILE_NAMES = st.sampled_from(["data.xlsx", "data.lrmx", "", "../../etc/passwd", "中文.xlsx",
                              "a" * 300 + ".xlsx", "x.xls", "x.csv", "\x00.xlsx"])
EXTRA_NAMES = st.one_of(st.sampled_from(["extra", "id", "deleted_at", "version", "role",
                                         "csrf_token", "official_id", "a" * 300, "__proto__"]),
                        st.text(st.characters(exclude_categories=("Cs",)), min_size=1,
                                max_size=10))


@st.composite
def form_bodies(draw, fields: list[_Field]):
    """A list of (name, value) pairs; file fields get (bytes, filename)."""
    pairs = []
    # Half the examples: plausible values with at most two fields spoilt (reaches the
    # services and the save path); the other half: every field drawn on its own.
    mostly_valid = draw(st.booleans())
    mutated = set()
    if mostly_valid and fields:
        mutated = set(draw(st.lists(st.sampled_from([f.name for f in fields]), max_size=2)))
    for f in fields:
        if f.kind == "file":
            choice = draw(st.integers(0, 3))
            if choice:
                pairs.append((f.name, ("file", draw(FILE_CONTENTS), draw(FILE_NAMES))))
            continue
        if f.kind == "hidden":
            choice = draw(st.integers(0, 9))
            if choice < 8:  # sent unchanged most of the time (e.g. ``version``)
                pairs.append((f.name, f.value))
            elif choice == 9:
                pairs.append((f.name, draw(NASTY)))
            continue
        if mostly_valid and f.name not in mutated:
            pairs.append((f.name, draw(st.sampled_from(f.guesses))))
            continue
        if mostly_valid:  # one of the spoilt fields
            pairs.append((f.name, draw(killers(f.kind))))
            continue
        choice = draw(st.integers(0, 9))
        if choice <= 3:
            pairs.append((f.name, draw(st.sampled_from(f.guesses))))
        elif choice <= 7:
            pairs.append((f.name, draw(NASTY)))
        elif choice == 9:  # several values for one field
            for value in draw(st.lists(st.one_of(NASTY, st.sampled_from(f.guesses)),
                                       min_size=2, max_size=3)):
                pairs.append((f.name, value))
        # choice 8: the field is left out
    for name, value in draw(st.lists(st.tuples(EXTRA_NAMES, NASTY), max_size=2)):
        pairs.append((name, value))
    return pairs


def examples_for(fields) -> int:
    """KAOHE_FUZZ_EXAMPLES, more for long forms (3 per field, at most three times as many)."""
    return min(3 * EXAMPLES, max(EXAMPLES, 3 * len(fields)))


def _multidict(pairs) -> MultiDict:
    data = MultiDict()
    for name, value in pairs:
        if isinstance(value, tuple) and value and value[0] == "file":
            value = (io.BytesIO(value[1]), value[2])
        data.add(name, value)
    return data


def flashes(app, client) -> list[tuple[str, str]]:
    cookie = client.get_cookie("session")
    if cookie is None:
        return []
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return [tuple(x) for x in data.get("_flashes", [])]


# Saves answered with a page rather than a redirect: endpoint → text only that page has.
SUCCESS_PAGES = {"admin.new_user": "此密码只显示这一次", "admin.edit_user": "此密码只显示这一次",
                 "account.create": "此令牌只显示这一次"}


def succeeded(app, client, endpoint, response) -> bool:
    """A save that worked: a redirect with a success flash and no error flash (or, for
    the few forms answered with a page, that page)."""
    marker = SUCCESS_PAGES.get(endpoint)
    if response.status_code == 200 and marker:
        return marker in response.get_data(as_text=True)
    if not 300 <= response.status_code < 400:
        return False
    categories = {category for category, _message in flashes(app, client)}
    return bool(categories & {"success", "info"}) and "error" not in categories


@pytest.mark.parametrize("endpoint,rule", FORM_ROUTES, ids=[f"{e} {r}" for e, r in FORM_ROUTES])
def test_form_survives_bad_input(app, client, auth, ctx, endpoint, rule):
    world = build_world()
    url = url_for_rule(rule, endpoint, world)
    auth.as_role(allowed_role(endpoint))
    action, fields = discover(client, endpoint, url, world)
    conn = db.session.get_bind()
    db.session.commit()
    db.session.close()
    cookie = client.get_cookie("session")
    before = snapshot(conn)
    seen = collections.Counter()

    @given(pairs=form_bodies(fields))
    @settings(SETTINGS, max_examples=examples_for(fields))
    def run(pairs):
        if cookie is None:
            client.delete_cookie("session")
        else:
            client.set_cookie("session", cookie.value)
        note(f"pairs: {_short(pairs)}")
        with isolated(conn):
            has_file = any(isinstance(v, tuple) for _n, v in pairs)
            response = client.post(action, data=_multidict(pairs),
                                   content_type="multipart/form-data" if has_file else None)
            status = response.status_code
            body = response.get_data(as_text=True) if response.mimetype.startswith("text/") \
                else ""
            ok = succeeded(app, client, endpoint, response)
            seen["success" if ok else status] += 1
            assert status < 500, body[:2000]
            assert_no_traceback(body)
            if not ok:
                diff = changed(before, snapshot(conn))
                assert not diff, (f"refused {endpoint} (status {status}, flashes "
                                  f"{flashes(app, client)}) changed {diff}")

    run()
    # Every example was rolled back: the next one (and the next test) starts clean.
    assert snapshot(conn) == before
    print(f"{endpoint}: fields {[(f.name, f.kind) for f in fields]}, outcomes {dict(seen)}")
