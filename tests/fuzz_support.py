"""Shared parts of the bad-input sweeps (tests/test_fuzz_forms.py, tests/test_fuzz_api.py).

* ``EXAMPLES``: examples per route, ``KAOHE_FUZZ_EXAMPLES`` (default 20).
* ``SETTINGS``: derandomized Hypothesis settings (the same examples on every run, no
  ``.hypothesis`` database written), no deadline.
* ``isolated(conn)``: a SAVEPOINT around one example, rolled back afterwards; the test's
  ``app`` fixture rolls back only once per test, not once per Hypothesis example.
* ``snapshot(conn)``: count, max(id) and a hash of the rows of every application table
  (log-only tables left out), to prove a refused request wrote nothing.
* Strategies for hostile field values.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kaohe.core import clock
from kaohe.extensions import db
from tests import factories

EXAMPLES = int(os.environ.get("KAOHE_FUZZ_EXAMPLES", "20"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    print_blob=True)

# Tables written on purpose by any request, refused ones included: the audit trail
# (refusals and the reading register are audited by design) and login throttling.
LOG_ONLY = frozenset({"audit_log", "audit_chain_head", "login_limit"})

TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Internal Server Error",
                     "werkzeug.debug")


@contextlib.contextmanager
def isolated(conn):
    """Run one example inside a SAVEPOINT of the test's connection, then roll it back."""
    savepoint = conn.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def _digest(rows) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
        h.update(b"\x1e")
    return h.hexdigest()[:16]


def snapshot(conn, ignore: frozenset = frozenset()) -> dict[str, tuple]:
    """table → (row count, max(id), hash of all rows ordered by primary key)."""
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in LOG_ONLY or table.name in ignore:
            continue
        pk = list(table.primary_key.columns)
        rows = conn.execute(sa.select(table).order_by(*pk)).all()
        ids = [r._mapping["id"] for r in rows] if "id" in table.c else []
        out[table.name] = (len(rows), max(ids, default=None), _digest(rows))
    return out


def changed(before: dict, after: dict) -> dict:
    return {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
            if before.get(k) != after.get(k)}


def assert_no_traceback(body: str) -> None:
    for marker in TRACEBACK_MARKERS:
        assert marker not in body, f"error page text {marker!r} in the response"


# ----------------------------------------------------------------- strategies

HUGE_INTS = ["9223372036854775807", "9223372036854775808", "-9223372036854775809",
             "1" + "0" * 30, "-1" + "0" * 30, "2147483648", "-2147483649", "9" * 25]
NUMBERS = ["0", "-1", "-0", "1", "100", "101", "-100", "1.5", "-0.01", "99.999", "1e308",
           "1e-308", "1e400", "nan", "NaN", "sNaN", "inf", "-inf", "Infinity", "0x10",
           "１２３", "٣", "1_000", "+5", " 42 ", "5,5"]
DATES = ["0000-00-00", "9999-12-31", "2020-02-30", "2019-02-29", "2020-13-01", "0001-01-01",
         "1900-01-01", "1899-12-31", "2100-01-01", "20200101", "2020/01/01", "2020-1-1",
         "01-01-2020", "2020-01-01T00:00:00", "2020-01-01 12:00", "-2020-01-01",
         "99999-01-01", clock.today().isoformat(),
         (clock.today() + dt.timedelta(days=1)).isoformat()]
TEXTS = ["", " ", "\t\n ", "\u3000", "x" * 10_000, "中" * 10_000, "\x00", "a\x00b",
         "\x01\x02\x1f\x7f", "\r\n\r\n", "😀🎉", "王建国", "测试内容", "\u202eRTL\u202c",
         "مرحبا", "שלום", "<script>alert(1)</script>", "' OR 1=1 --", "%s%n{0}", "../../etc/passwd",
         "NULL", "None", "true", "on", "y", "[]", "{}", "\ufeff", "a\u0301", "\U0001F468\u200d\U0001F469"]

NASTY = st.one_of(
    st.sampled_from(TEXTS + NUMBERS + HUGE_INTS + DATES),
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
)

# For the one or two fields spoilt in an otherwise plausible form: the values most likely
# to slip past parsing into the services and the database.
KILLERS = st.sampled_from(["", " ", "\x00", "x" * 10_000, "nan", "sNaN", "inf", "-inf", "1e30",
                           "-1", "0"] + HUGE_INTS + DATES)
_NUMBER_KILLERS = ["nan", "sNaN", "-inf", "1e30", "2147483648", "9223372036854775808",
                   "-2147483649", "-1", "1e-30"]
_KILLERS_BY_KIND = {
    "number": st.sampled_from(_NUMBER_KILLERS),
    "date": st.sampled_from(["0000-00-00", "2020-02-30", "9999-12-31", "0001-01-01", "2020-13-01",
                             (clock.today() + dt.timedelta(days=1)).isoformat()]),
    "select": st.sampled_from(["2147483648", "9223372036854775808", "-1", "0", "x", "nan", ""]),
}


def killers(kind: str):
    """KILLERS, most often those that fit the field's input type."""
    typed = _KILLERS_BY_KIND.get(kind)
    return KILLERS if typed is None else st.one_of(typed, typed, KILLERS)


def valid_guesses(name: str, kind: str, value: str, options: list[str]) -> list[str]:
    """Plausible values for a field from its type, name, current value and options."""
    guesses = [v for v in options if v] or []
    if value:
        guesses.insert(0, value)
    n = name.lower()
    if "birth" in n:  # matches the ID number guessed below
        guesses += ["1980-05-06"]
    elif kind == "date" or "date" in n or n in ("as_of", "found", "requested", "answered"):
        guesses += ["2019-06-01", "2020-04-10", clock.today().isoformat()]
    if "year" in n:
        guesses += ["2019", "2020"]
    if kind == "number" or any(k in n for k in ("score", "rating", "weight", "order", "count",
                                                "present", "value", "target", "points")):
        guesses += ["0", "1", "60", "85", "100"]
    if "id_number" in n:
        guesses += [factories.id_number(dt.date(1980, 5, 6))]
    if kind == "checkbox":
        guesses += [value or "y"]
    if not guesses:
        guesses = ["测试内容", "A-01", "1"]
    return guesses


def short(value, limit: int = 80) -> str:
    """repr of an example with long texts cut, for failure reports."""
    if isinstance(value, (str, bytes)) and len(value) > limit:
        return f"{value[:limit]!r}…(+{len(value) - limit})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(short(v, limit) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return repr(value)
