"""Batch integrity-opinion requests of a discussion (issue 14.4): one 征求意见函 for every
item that needs an opinion, all or nothing; the commission's queue opens the next
waiting request after each answer; the agenda tells 「未征求」「待回复」 and the outcome."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from kaohe.audit.models import AuditLog
from kaohe.auth import services as auth_services
from kaohe.core.errors import ValidationFailed
from kaohe.discipline import letters
from kaohe.discipline.letter_models import IntegrityLetter
from kaohe.discipline.models import IntegrityOpinion
from kaohe.discussions import batch_integrity
from kaohe.extensions import db
from tests import discipline_support as ds
from tests import discussions_support as s
from tests.conftest import PASSWORD
from tests.dossier_support import flat
from tests.helpers import field_errors, form_alerts, table_counts, text

D = dt.date


def _agenda():
    """Four items: one to ask about, one answered, one waiting, one whose action needs none."""
    d = s.discussion()
    ask = s.item(d, s.official(name="王建国", opinion_outcome=None))
    answered = s.item(d, s.official(name="李海燕", opinion_outcome=1), action="exchange",
                      post="市发改委主任")
    waiting_o = s.official(name="赵志强", opinion_outcome=None)
    ds.opinion(waiting_o, requested=D(2020, 3, 30))
    waiting = s.item(d, waiting_o, action="further_use", post="市委副秘书长")
    retire = s.item(d, s.official(name="孙卫东", opinion_outcome=None), action="retire", post="")
    return d, ask, answered, waiting, retire


def test_plan_and_agenda_show_distinct_states(make, auth):
    d, ask, answered, waiting, retire = _agenda()
    make.commit()
    planned, skipped = batch_integrity.plan(d)
    assert planned == [ask]
    assert [(i.id, why) for i, why in skipped] == [
        (answered.id, "已有有效回复：未收到问题线索"), (waiting.id, "已征求，待回复"),
        (retire.id, "退休不要求")]
    page = text(auth.as_role("organization").get(f"/discussions/{d.id}"))
    rows = {it.id: page.split(f'id="item{it.id}"')[1].split("</tr>")[0]
            for it in (ask, answered, waiting, retire)}
    assert "op-none" in rows[ask.id] and ">未征求<" in rows[ask.id]
    assert "op-pending" in rows[waiting.id] and ">待回复<" in rows[waiting.id]
    assert "op-answered" in rows[answered.id] and ">未收到问题线索<" in rows[answered.id]
    assert ">不适用<" in rows[retire.id]
    item_page = text(auth.as_role(None).get(f"/discussions/{d.id}/items/{waiting.id}"))
    assert "op-pending" in item_page.split('id="check-integrity_opinion"')[1].split("</tr>")[0]


@pytest.mark.parametrize("answered_on,code", [
    (D(2020, 1, 10), "answered"),  # valid through 2020-04-10, the discussion date
    (D(2020, 1, 9), "none"),  # expired the day before: ask again
    (D(2019, 12, 31), "none"),  # across the year turn
])
def test_opinion_validity_at_the_discussion_date(make, answered_on, code):
    d = s.discussion()
    o = s.official(opinion_outcome=None)
    ds.opinion(o, requested=answered_on, outcome=2, answered=answered_on)
    it = s.item(d, o)
    assert batch_integrity.state(it).code == code
    assert ([i.id for i in batch_integrity.plan(d)[0]] == [it.id]) is (code == "none")


def test_one_letter_requests_every_needed_opinion(make, auth, client):
    d, ask, answered, waiting, retire = _agenda()
    make.commit()
    client = auth.as_role("organization")
    url = f"/discussions/{d.id}/integrity-letter"
    page = text(client.get(url))
    assert "本次征求（1 人）" in page and "拟提拔（东城区委书记）" in page
    assert "无需再征求（3 人）" in page
    r = client.post(url, data={"number": "组干函〔2020〕7号", "dated": "2020-03-31"})
    assert r.status_code == 302
    letter = db.session.scalar(select(IntegrityLetter))
    assert (letter.number, letter.dated, letter.discussion_id) == ("组干函〔2020〕7号",
                                                                   D(2020, 3, 31), d.id)
    [entry] = letter.entries
    op = entry.opinion
    assert (op.official_id, op.purpose, op.requested_on, op.outcome) == (
        ask.official_id, "拟提拔（东城区委书记）", D(2020, 3, 31), None)
    assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()
    pdf = flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.pdf)).pages))
    for fact in ("组干函〔2020〕7号", "关于征求王建国同志党风廉政意见的函", "市纪委监委",
                 "王建国", "东城区区长", "拟提拔（东城区委书记）", "中共XX市委组织部",
                 "2020年3月31日"):
        assert flat(fact) in pdf, fact
    for absent in ("李海燕", "赵志强", "孙卫东"):
        assert absent not in pdf
    page = text(client.get(f"/discussions/{d.id}"))
    row = page.split(f'id="item{ask.id}"')[1].split("</tr>")[0]
    assert ">待回复<" in row
    assert db.session.scalar(select(func.count(IntegrityLetter.id))) == 1
    audited = {(r.entity_type, r.action) for r in db.session.scalars(select(AuditLog))}
    assert {("integrity_letter", "create"), ("integrity_letter_entry", "create"),
            ("integrity_opinion", "create")} <= audited
    # Nothing left to ask: the page says so (no 「本次征求（0 人）」), a second letter is refused.
    page = text(client.get(url))
    assert "议程中没有需要征求党风廉政意见的议题" in page and "（0 人）" not in page
    assert "无需再征求（4 人）" in page and page.count("已征求，待回复") == 2
    r = client.post(url, data={"number": "组干函〔2020〕8号", "dated": "2020-03-31"})
    assert "没有需要征求党风廉政意见的干部" in "".join(form_alerts(text(r)))


def test_several_officials_make_one_letter(make):
    d = s.discussion()
    names = ["王建国", "李海燕", "赵志强"]
    for n in names:
        s.item(d, s.official(name=n, opinion_outcome=None))
    letter = batch_integrity.request_all(d, "组干函〔2020〕9号", D(2020, 4, 1))
    assert [e.opinion.official.name for e in letter.entries] == names
    pdf = flat(PdfReader(io.BytesIO(letter.pdf)).pages[0].extract_text())
    assert flat("关于征求王建国等3名同志党风廉政意见的函") in pdf
    assert flat("附：拟征求意见人员名单（3人）") in pdf


@pytest.mark.parametrize("data,field,message", [
    ({"number": "", "dated": "2020-03-31"}, "number", "请填写文号。"),
    ({"number": "号" * 65, "dated": "2020-03-31"}, "number", None),
    ({"number": "组干函〔2020〕1号", "dated": ""}, "dated", "请填写发函日期。"),
    ({"number": "组干函〔2020〕1号", "dated": "2020-02-30"}, "dated", None),
    ({"number": "组干函〔2020〕1号", "dated": "2999-01-01"}, "dated", None),
    ({"number": "组干函〔2020〕6号", "dated": "2020-03-31"}, "number",
     "文号“组干函〔2020〕6号”已用于另一份征求意见函，请核对。"),
])
def test_bad_letters_are_refused_with_nothing_saved(make, auth, data, field, message):
    d, *_ = _agenda()
    other = s.official(name="钱学明", opinion_outcome=None)
    letters.request_many([letters.Request(other, "拟提拔")], "组干函〔2020〕6号", D(2020, 3, 1))
    make.commit()
    client = auth.as_role("organization")
    before = table_counts()
    r = client.post(f"/discussions/{d.id}/integrity-letter", data=data)
    assert r.status_code == 200
    errors = field_errors(text(r), field)
    assert errors and (message is None or errors == [message])
    assert table_counts() == before


def test_one_refusal_requests_none(make):
    """All or nothing: a request the single flow refuses stops the whole letter."""
    a = s.official(name="王建国", opinion_outcome=None)
    b = s.official(name="李海燕", opinion_outcome=None)
    ds.opinion(b, requested=D(2020, 3, 1))  # already waiting
    make.commit()
    before = db.session.scalar(select(func.count(IntegrityOpinion.id)))
    with pytest.raises(ValidationFailed) as exc:
        letters.request_many([letters.Request(a, "拟提拔"), letters.Request(b, "拟提拔")],
                             "组干函〔2020〕2号", D(2020, 3, 31))
    assert "李海燕：已有待回复的意见征求" in exc.value.errors["_"]
    assert "本次均未征求" in exc.value.errors["_"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(IntegrityOpinion.id))) == before
    assert db.session.scalar(select(func.count(IntegrityLetter.id))) == 0


def test_held_discussion_refuses_a_letter(make, auth):
    d, *_ = _agenda()
    d.status = "held"  # holding needs ready items; only the lock matters here
    make.commit()
    r = auth.as_role("organization").post(f"/discussions/{d.id}/integrity-letter",
                                          data={"number": "组干函〔2020〕3号",
                                                "dated": "2020-04-01"})
    assert r.status_code == 200 and "会议已召开" in "".join(form_alerts(text(r)))
    assert db.session.scalar(select(func.count(IntegrityLetter.id))) == 0
    assert db.session.scalar(select(func.count(IntegrityOpinion.id))) == 2  # the seed's two


def _letter_of_three(make):
    d = s.discussion()
    for n, day in (("王建国", 3), ("李海燕", 1), ("赵志强", 2)):
        o = s.official(name=n, opinion_outcome=None)
        s.item(d, o)
        ds.opinion(o, requested=D(2020, 3, day))  # waiting, oldest: 李海燕
    other = s.official(name="钱学明", opinion_outcome=None)
    letter = letters.request_many([letters.Request(other, "拟提拔")], "组干函〔2020〕5号",
                                  D(2020, 3, 10))
    make.commit()
    return letter


def test_discipline_answers_oldest_first_with_the_next_opened(make, auth):
    letter = _letter_of_three(make)
    client = auth.as_role("discipline")
    queue = text(client.get("/integrity-opinions/"))
    waiting = list(db.session.scalars(select(IntegrityOpinion).order_by(
        IntegrityOpinion.requested_on)))
    assert [o.official.name for o in waiting] == ["李海燕", "赵志强", "王建国", "钱学明"]
    after = queue.split('id="answer-next"')[1]
    assert after.startswith(f' href="/integrity-opinions/{waiting[0].id}/answer"')
    body = queue.split("<tbody>")[1]
    assert [body.index(n) for n in ("李海燕", "赵志强", "王建国", "钱学明")] == sorted(
        body.index(n) for n in ("李海燕", "赵志强", "王建国", "钱学明"))
    assert "组干函〔2020〕5号" in queue.split('id="letters"')[1]
    assert "钱学明（待回复）" in queue.split('id="letters"')[1]
    for n, current in enumerate(waiting):
        r = client.post(f"/integrity-opinions/{current.id}/answer", data={
            "outcome": "1", "answered_on": "2020-03-20", "answer_text": "经查，未发现问题。",
            "version": "1"})
        assert r.status_code == 302
        if n + 1 < len(waiting):
            assert r.headers["Location"].endswith(f"/integrity-opinions/{waiting[n + 1].id}/answer")
        else:
            assert r.headers["Location"].endswith("/integrity-opinions/")
    assert "全部回复" in text(client.get("/integrity-opinions/"))
    assert 'id="answer-next"' not in text(client.get("/integrity-opinions/"))
    pdf = client.get(f"/integrity-opinions/letters/{letter.id}.pdf")
    assert pdf.status_code == 200 and pdf.data == db.session.get(IntegrityLetter, letter.id).pdf


def test_answering_a_letter_opens_its_next_request(make, auth):
    """After an answer the officer stays in the letter (in its order) while one of its
    requests waits, then goes on with the oldest of the queue; the answer form leads back
    to the queue."""
    older = s.official(name="周国平", opinion_outcome=None)
    ds.opinion(older, requested=D(2020, 2, 1))  # waiting longer than the letter's
    names = ["王建国", "李海燕", "赵志强"]
    letter = letters.request_many(
        [letters.Request(s.official(name=n, opinion_outcome=None), "拟提拔") for n in names],
        "组干函〔2020〕6号", D(2020, 3, 10))
    make.commit()
    asked = [e.opinion for e in letter.entries]
    client = auth.as_role("discipline")
    form = text(client.get(f"/integrity-opinions/{asked[0].id}/answer"))
    crumbs = form.split('class="crumbs"')[1].split("</p>")[0]
    assert 'href="/integrity-opinions/"' in crumbs and "组干函〔2020〕6号" in crumbs
    assert "王建国" in crumbs
    assert 'href="/integrity-opinions/">取消</a>' in form
    follows = [asked[1].id, asked[2].id, db.session.scalar(
        select(IntegrityOpinion.id).where(IntegrityOpinion.official_id == older.id))]
    for current, following in zip(asked, follows):
        r = client.post(f"/integrity-opinions/{current.id}/answer", data={
            "outcome": "1", "answered_on": "2020-03-20", "answer_text": "经查，未发现问题。",
            "version": "1"})
        assert r.status_code == 302
        assert r.headers["Location"].endswith(f"/integrity-opinions/{following}/answer")


@pytest.mark.parametrize("role,status", [("organization", 200), ("discipline", 200),
                                         ("reviewer", 403), ("assessment", 403), ("admin", 403)])
def test_letter_download_by_role(make, auth, role, status):
    letter = _letter_of_three(make)
    r = auth.as_role(role).get(f"/integrity-opinions/letters/{letter.id}.pdf")
    assert r.status_code == status
    if status == 200:
        assert r.mimetype == "application/pdf" and r.headers["Cache-Control"].startswith("private")


def test_letter_refused_to_a_recused_reader(make, client):
    letter = _letter_of_three(make)
    official_id = letter.entries[0].opinion.official_id
    auth_services.create_user("dc_linked", "discipline", PASSWORD, display_name="关联纪委",
                              official_id=official_id)
    make.commit()
    client.post("/login", data={"username": "dc_linked", "password": PASSWORD})
    assert client.get(f"/integrity-opinions/letters/{letter.id}.pdf").status_code == 403
    assert "组干函〔2020〕5号" not in text(client.get("/integrity-opinions/"))


@pytest.mark.parametrize("action, post, removal, expected", [
    ("promote", "东城区委书记", "", "拟提拔（东城区委书记）"),
    ("exchange", "市发改委主任", "拟免东城区区长", "拟交流任职（拟任市发改委主任，拟免东城区区长）"),
    ("dismiss", "", "东城区区长", "拟免职（拟免东城区区长）"),
    ("retire", "", "", "拟退休"),
])
def test_the_purpose_names_both_posts(make, action, post, removal, expected):
    d = s.discussion()
    item = s.item(d, s.official(name="王建国"), action=action, post=post, removal=removal)
    assert batch_integrity.purpose(item) == expected
