"""The page watchers of conftest.py catch what they are there for (else a clean run
of the other tests would prove nothing)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_watchers_catch_csp_violations_js_errors_and_foreign_hosts(page, live_server, page_guard):
    page.goto("/login")
    assert page_guard.problems == []
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true;';
        document.body.appendChild(s);
        const img = document.createElement('img');
        img.src = 'http://203.0.113.7/tracker.png';
        document.body.appendChild(img);
        setTimeout(() => { throw new Error('boom from the guard test'); }, 0);
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.inlineRan === undefined")  # the CSP held
    problems = "\n".join(page_guard.problems)
    assert "Content Security Policy" in problems
    assert "CSP violation: script-src" in problems
    assert "request to a non-local host: GET http://203.0.113.7/tracker.png" in problems
    assert "JavaScript error: " in problems and "boom from the guard test" in problems
    page_guard.problems.clear()  # expected here; the page fixture checks what is left
