"""Property: any official whose records the forms accept gets a dossier (issue 12.2).

Hypothesis generates officials with random numbers of every record kind (posts, annual,
quarterly and special results, reviews, organization notes, discipline findings with
exemptions, an integrity opinion, and the results of a led unit with bonus lines), each
text of random length up to its form's limit (10 000 characters where the form has
none), with newlines and mixed scripts. The records are saved through the real services,
the dossier is made by :func:`kaohe.dossier.services.generate`, and the PDF must parse
and show the official's name and both ends of a sample of the texts.

Derandomized (the same examples on every run); ``KAOHE_DOSSIER_EXAMPLES`` examples
(default 8). Each example runs inside a SAVEPOINT rolled back afterwards.
"""
from __future__ import annotations

import datetime as dt
import os

from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from kaohe.discipline import services as discipline
from kaohe.dossier import services
from kaohe.extensions import db
from kaohe.orgnotes.models import NOTE_KINDS, NOTE_RESULTS
from kaohe.reviews.models import CONCLUSIONS
from tests import factories as f
from tests import ua_helpers as h
from tests.dossier_support import AS_OF, D, flat, page_texts, reader
from tests.fuzz_support import isolated

EXAMPLES = int(os.environ.get("KAOHE_DOSSIER_EXAMPLES", "8"))
# No shrinking: an example is a whole official, and shrinking one takes minutes; a failure
# names the sizes of its records (the examples are the same on every run).
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

WINDOW = (2017, 2018, 2019)  # AS_OF 2020-04-10
# Characters the dossier font draws: common Chinese, full-width and ASCII punctuation,
# Latin, digits, Greek, Cyrillic and the middle dot of minority names.
CJK = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里"
ALPHABET = (CJK * 3 + "，。；：！？、（）《》“”—…·" + "abcXYZ0123456789-./%" + "αβΩ" + "абЖ")
TEXT_CHARS = st.sampled_from(ALPHABET)
NAME_CHARS = st.sampled_from(CJK * 4 + "·")


def texts(limit: int, required: bool = True):
    """A text of at most ``limit`` characters: short, at the limit, or anywhere between;
    lines separated by newlines. Long ones repeat a generated piece (cheap to make)."""
    piece = st.text(TEXT_CHARS, min_size=1, max_size=40).map(
        lambda s: s if s.strip() else "甲")
    lines = st.lists(piece, min_size=1, max_size=3).map("\n".join)
    length = st.one_of(st.integers(1, 60), st.just(limit), st.integers(1, limit))
    out = st.builds(lambda s, n: (s * (n // len(s) + 1))[:n].strip() or "乙", lines, length)
    return out if required else st.one_of(st.just(""), out)


def dates(year_from=WINDOW[0], year_to=WINDOW[-1]):
    return st.dates(dt.date(year_from, 1, 1), dt.date(year_to, 12, 28))


GRADES = ("competent", "basically_competent", "incompetent")  # 优秀 has a unit quota
ANY_GRADE = ("excellent",) + GRADES

post = st.fixed_dictionaries({
    "unit": texts(100), "title": texts(100), "note": texts(2000, required=False),
    "principal": st.booleans()})
annual = st.fixed_dictionaries({"grade": st.sampled_from(GRADES),
                                "comment": texts(4000, required=False),
                                "score": st.none() | st.integers(0, 100)})
special = st.fixed_dictionaries({"year": st.sampled_from(WINDOW), "task": texts(100),
                                 "grade": st.sampled_from(ANY_GRADE)})
review = st.fixed_dictionaries({
    "date": dates(), "author": texts(64), "conclusion": st.sampled_from(tuple(CONCLUSIONS)),
    "strengths": texts(4000, required=False), "weaknesses": texts(4000, required=False),
    "summary": texts(4000, required=False)})
org_note = st.fixed_dictionaries({
    "date": dates(), "kind": st.sampled_from(tuple(NOTE_KINDS)),
    "result": st.sampled_from(tuple(NOTE_RESULTS)),
    "content": texts(4000), "outcome": texts(4000, required=False)})
finding = st.fixed_dictionaries({"found": dates(2017, 2018), "summary": texts(2000),
                                 "exemption": st.none() | texts(4000)})
opinion = st.fixed_dictionaries({"purpose": texts(200), "answer": texts(4000)})
unit_event = st.fixed_dictionaries({"reason": texts(10_000), "evidence": texts(10_000),
                                    "bonus": st.booleans()})

officials = st.fixed_dictionaries({
    "name": st.text(NAME_CHARS, min_size=1, max_size=64).map(lambda s: s.strip("·") or "王"),
    "current_post": texts(200), "school": texts(100, required=False),
    "posts": st.lists(post, max_size=8),
    "annual": st.lists(st.none() | annual, min_size=3, max_size=3),
    "quarters": st.sets(st.tuples(st.sampled_from(WINDOW), st.integers(1, 4)), max_size=12),
    "specials": st.lists(special, max_size=15),
    "reviews": st.lists(review, max_size=4),
    "notes": st.lists(org_note, max_size=4),
    "findings": st.lists(finding, max_size=2),
    "opinion": st.none() | opinion,
    "unit_events": st.none() | st.lists(unit_event, max_size=3),
})


def build(plan: dict) -> tuple[object, list[str]]:
    """Save ``plan`` through the services; returns the official and texts the PDF shows."""
    home = f.unit(name="测试区")
    o = f.official(name=plan["name"], unit_obj=home, current_post=plan["current_post"],
                   school_fulltime=plan["school"])
    f.post(o, home, start=D(1996, 8, 1), end=D(1999, 12, 31), title="科员")  # never empty
    shown = [plan["current_post"]]
    led = None
    for i, p in enumerate(plan["posts"]):
        unit = f.unit(name=p["unit"])
        last = i == len(plan["posts"]) - 1
        f.post(o, unit, start=D(2000 + 2 * i, 1, 1), end=None if last else D(2001 + 2 * i, 12, 31),
               title=p["title"], note=p["note"], principal=p["principal"])
        shown += [p["unit"], p["title"], p["note"]]
        if p["principal"] and last:
            led = unit
    for year, a in zip(WINDOW, plan["annual"]):
        if a is not None:
            f.result(o, year, a["grade"], score=a["score"], comment=a["comment"])
            shown.append(a["comment"])
    for year, quarter in sorted(plan["quarters"]):
        f.result(o, year, "competent", kind="quarterly", quarter=quarter)
    for s in plan["specials"]:
        f.result(o, s["year"], s["grade"], kind="special", task_name=s["task"])
        shown.append(s["task"])
    for r in plan["reviews"]:
        f.review(o, date=r["date"], author=r["author"], conclusion=r["conclusion"],
                 strengths=r["strengths"], weaknesses=r["weaknesses"], summary=r["summary"])
        shown += [r["strengths"], r["weaknesses"], r["summary"]]
    for n in plan["notes"]:
        f.note(o, date=n["date"], kind=n["kind"], result=n["result"], content=n["content"],
               outcome=n["outcome"])
        shown += [n["content"], n["outcome"]]
    for x in plan["findings"]:
        saved = discipline.save_finding(o, None, {
            "found_date": x["found"], "source": "media", "kind": "party_warning",
            "status": "closed", "decision_date": x["found"] + dt.timedelta(days=30),
            "summary": x["summary"], "details": "", "period_months": None})
        shown.append(x["summary"])
        if x["exemption"]:
            discipline.grant_exemption(saved, {"reason": x["exemption"], "approver": "市纪委",
                                               "approved_on": D(2020, 1, 2)})
    if plan["opinion"]:
        asked = discipline.request_opinion(o, {"purpose": plan["opinion"]["purpose"],
                                               "requested_on": D(2020, 3, 1)})
        discipline.answer_opinion(asked, {"outcome": 1, "answered_on": D(2020, 3, 5),
                                          "answer_text": plan["opinion"]["answer"]})
        shown.append(plan["opinion"]["answer"])
    if led is not None and plan["unit_events"] is not None:
        other = f.unit(name="对照区")
        s = h.scheme(year=2019, group="county")
        for k, u in enumerate((led, other)):
            h.fill(s, u, 1.0 - 0.1 * k)
        for e in plan["unit_events"]:
            h.event(s, led, "efficiency_bonus" if e["bonus"] else "efficiency_penalty", 1,
                    date=D(2019, 5, 1), reason=e["reason"], evidence=e["evidence"])
            shown += [e["reason"], e["evidence"]]
    return o, [t for t in shown if flat(t)]


def test_any_official_the_forms_accept_gets_a_dossier(make):
    conn = db.session.get_bind()

    @given(plan=officials)
    @SETTINGS
    def run(plan):
        note(f"plan sizes: { {k: len(v) for k, v in plan.items() if isinstance(v, list)} }")
        with isolated(conn):
            try:
                o, shown = build(plan)
                pdf = services.generate(o.id, AS_OF).pdf
                assert len(reader(pdf).pages) >= 3
                text = flat("".join(page_texts(pdf)))
                assert flat(plan["name"]) in text
                for t in shown[::3] + shown[-2:]:  # a sample: both ends of every third text
                    t = flat(t)
                    assert t[:6] in text and t[-6:] in text, t[:40]
            finally:
                db.session.rollback()

    run()


def test_the_generator_reaches_the_limits():
    """The strategies produce texts at the forms' limits and records in numbers (so the
    property is not tested on small records only)."""
    seen = {"max": 0, "posts": 0, "specials": 0}

    @given(t=texts(4000), plan=officials)
    @settings(max_examples=60, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def run(t, plan):
        seen["max"] = max(seen["max"], len(t))
        seen["posts"] = max(seen["posts"], len(plan["posts"]))
        seen["specials"] = max(seen["specials"], len(plan["specials"]))

    run()
    assert seen["max"] >= 3900 and seen["posts"] >= 5 and seen["specials"] >= 8, seen


def test_limits_match_the_forms():
    """The lengths generated above are the forms' own limits."""
    from kaohe.assessments.forms import ResultForm
    from kaohe.orgnotes.forms import NoteForm
    from kaohe.reviews.forms import ReviewForm

    def limit(form, name):
        return next(v.max for v in getattr(form, name).kwargs["validators"]
                    if hasattr(v, "max") and v.max and v.max > 0)

    assert limit(ResultForm, "task_name") == 100 and limit(ResultForm, "comment") == 4000
    assert all(limit(ReviewForm, n) == 4000 for n in ("strengths", "weaknesses", "summary"))
    assert limit(ReviewForm, "author") == 64
    assert limit(NoteForm, "content") == 4000 and limit(NoteForm, "outcome") == 4000
