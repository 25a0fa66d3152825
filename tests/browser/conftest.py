"""Real-browser tests: Playwright (Python) driving Debian's ``chromium`` against a live server.

Independent of the in-process fixtures of ``tests/conftest.py`` (none of them is
autouse, and none is requested here). Once per session:

* a temporary directory holds a fresh SQLite database, built by the app's own CLI
  (``flask init-db``, ``seed-demo``, ``create-user --password-stdin``) in
  subprocesses with ``KAOHE_DATABASE_URL`` pointing at it. The app is named as
  ``kaohe:create_app({'SECRET_KEY': ...})`` so nothing is read from or written to the
  repository's ``instance/`` (no ``config.py``, no generated ``secret_key``);
* gunicorn serves that app on a free port of 127.0.0.1 until the session ends;
* one headless chromium (``/usr/bin/chromium`` through ``executable_path``; no
  ``playwright install``) is shared; every test gets a new context and page.

Every page is watched: a JavaScript error (``pageerror``), a console error (this
is where Chromium reports Content-Security-Policy violations), a
``securitypolicyviolation`` event, a 5xx answer or a request to any host but
127.0.0.1 fails the test. Tests that expect an error status allow its "Failed to load resource"
console line with ``page_guard.allow_status(403)``.

Full-page screenshots of each step go to ``tests/artifacts/browser/<test>/``.

Without ``/usr/bin/chromium`` (or the playwright package) the tests are skipped
with the reason, except under ``CI`` (set and not "0"/"false"), where they fail.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
CHROMIUM = os.environ.get("KAOHE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_SEED = 2020
DEMO_OFFICIALS = 60
# A reviewer assigned to no discussion, created through create-user --password-stdin.
SPARE_REVIEWER = ("browser-reviewer2", "Browser-Reviewer-2-pass")
LOGIN_LINE = re.compile(r"用户名\s+(demo-[a-z]+)\s+密码\s+(\S+)")
ROLE_USERS = {"organization": "demo-org", "assessment": "demo-assess",
              "discipline": "demo-discipline", "reviewer": "demo-reviewer",
              "admin": "demo-admin"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: real-browser test (Playwright + /usr/bin/chromium, live gunicorn)")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"{reason} (CI is set: browser tests must run)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- server

@dataclass
class LiveServer:
    url: str
    database: Path
    passwords: dict[str, str]  # username → password
    facts: dict = field(default_factory=dict)

    def query(self, sql: str, *params):
        """Read the live database directly (read-only), for ids the tests need."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as conn:
            return conn.execute(sql, params).fetchall()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(app_spec: str, env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", app_spec, *args],
                          cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
                          timeout=180)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done.stdout


def _facts(server: LiveServer) -> dict:
    """Ids and names the tests use, read from the seeded database."""
    (discussion_id, discussion_title), = server.query(
        "SELECT id, title FROM discussion WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    on_agenda = {r[0] for r in server.query(
        "SELECT official_id FROM agenda_item WHERE deleted_at IS NULL")}
    with_findings = {r[0] for r in server.query("SELECT official_id FROM discipline_finding")}
    # An official with a unique name, not on the demo agenda, without findings, with posts.
    candidates = server.query(
        "SELECT o.id, o.name, o.id_number FROM official o WHERE o.deleted_at IS NULL "
        "AND (SELECT count(*) FROM official x WHERE x.name = o.name) = 1 "
        "AND EXISTS (SELECT 1 FROM post p WHERE p.official_id = o.id) ORDER BY o.id")
    official = next(c for c in candidates if c[0] not in on_agenda | with_findings)
    finding = server.query(
        "SELECT id, official_id, summary, details FROM discipline_finding "
        "WHERE deleted_at IS NULL AND details <> '' ORDER BY id LIMIT 1")[0]
    item_with_dossier = server.query(
        "SELECT a.id, o.name FROM agenda_item a JOIN item_dossier d ON d.item_id = a.id "
        "JOIN official o ON o.id = a.official_id WHERE a.discussion_id = ? ORDER BY a.id",
        discussion_id)[0]
    return {
        "discussion": {"id": discussion_id, "title": discussion_title},
        "official": {"id": official[0], "name": official[1], "id_number": official[2]},
        "finding": {"id": finding[0], "official_id": finding[1], "summary": finding[2],
                    "details": finding[3]},
        "item_with_dossier": {"id": item_with_dossier[0], "name": item_with_dossier[1]},
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, browser):
    """gunicorn on 127.0.0.1 serving a fresh seeded SQLite database (torn down at the end).

    Requests ``browser`` first, so that without chromium nothing is built before the skip.
    """
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("gunicorn is not installed in this environment (requirements.txt)")
    tmp = tmp_path_factory.mktemp("live")
    database = tmp / "kaohe.db"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KAOHE_", "FLASK_"))}  # no HTTPS-only cookies, no other DB
    env.update(KAOHE_DATABASE_URL=f"sqlite:///{database}", PYTHONUNBUFFERED="1")
    app_spec = f"kaohe:create_app({{'SECRET_KEY': {secrets.token_hex(16)!r}}})"

    _flask(app_spec, env, "init-db")
    # gunicorn boots (imports the app) while the CLI loads the demo data; it is not
    # asked anything before that is done.
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(tmp / "gunicorn.log", "w+b")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning", app_spec],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        seeded = _flask(app_spec, env, "seed-demo", "--officials", str(DEMO_OFFICIALS),
                        "--seed", str(DEMO_SEED))
        passwords = dict(LOGIN_LINE.findall(seeded))
        assert set(passwords) == set(ROLE_USERS.values()), seeded
        user, password = SPARE_REVIEWER
        _flask(app_spec, env, "create-user", user, "--role", "reviewer", "--name", "第二审阅人",
               "--password-stdin", stdin=password + "\n")
        passwords[user] = password

        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n"
                                   f"{log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.1)
        server = LiveServer(url=url, database=database, passwords=passwords)
        server.facts = _facts(server)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.copyfile(tmp / "gunicorn.log", ARTIFACTS / "gunicorn.log")


# --------------------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium "
                     "(apt-get install chromium) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install -r requirements-dev.txt)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1"


class PageGuard:
    """Collects what must not happen on a page; checked after each test."""

    FAILED_LOAD = re.compile(r"status of (\d{3})")

    def __init__(self):
        self.problems: list[str] = []
        self.allowed_statuses: set[int] = set()
        self.pages: list = []

    def watch(self, page) -> None:
        if page in self.pages:
            return
        self.pages.append(page)
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)

    def allow_status(self, *statuses: int) -> None:
        """Allow Chromium's "Failed to load resource" console line for these statuses."""
        self.allowed_statuses.update(statuses)

    def on_console(self, msg) -> None:
        if msg.type not in ("error", "assert"):
            if "Content Security Policy" not in msg.text:
                return
        if msg.text.startswith("Failed to load resource"):
            found = self.FAILED_LOAD.search(msg.text)
            if found and int(found.group(1)) in self.allowed_statuses:
                return
        where = msg.location.get("url", "") if msg.location else ""
        self.problems.append(f"console {msg.type}: {msg.text} ({where})")

    def on_page_error(self, error) -> None:
        self.problems.append(f"JavaScript error: {error}")

    def on_csp(self, text: str) -> None:
        self.problems.append(f"CSP violation: {text}")

    def on_response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"server error {response.status}: {response.url}")

    def on_request(self, request) -> None:
        if not _is_local(request.url):
            self.problems.append(f"request to a non-local host: {request.method} {request.url}")


CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  window.__kaoheCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
                    + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def page_guard():
    return PageGuard()


@pytest.fixture
def context(browser, live_server, page_guard):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN",
                              viewport={"width": 1280, "height": 860}, accept_downloads=True)
    ctx.set_default_timeout(15_000)
    ctx.expose_function("__kaoheCsp", page_guard.on_csp)
    ctx.add_init_script(CSP_LISTENER)
    ctx.route(lambda url: not _is_local(url), lambda route: route.abort())
    ctx.on("request", page_guard.on_request)
    ctx.on("response", page_guard.on_response)
    ctx.on("page", page_guard.watch)  # pages the app might open (none expected)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, page_guard):
    pg = context.new_page()
    page_guard.watch(pg)
    yield pg
    # Let late events (e.g. a CSP report on the last page) arrive before judging.
    pg.wait_for_timeout(20)
    assert not page_guard.problems, "browser problems:\n" + "\n".join(page_guard.problems)


@pytest.fixture
def shot(request, page):
    """``shot(name)``: full-page screenshot of the current page, numbered per test."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = iter(range(1, 1000))

    def take(step: str, target=None) -> Path:
        path = folder / f"{next(counter):02d}-{step}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def login(page, live_server):
    """``login(username)``: sign in through the real login form; returns the page."""

    def sign_in(username: str, password: str | None = None):
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password or live_server.passwords[username])
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/home")
        return page

    return sign_in
