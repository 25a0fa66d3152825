"""generate(): numbering, storage, validation of bad input (nothing is made)."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from kaohe.core import clock
from kaohe.audit.models import AuditLog
from kaohe.auth.models import User
from kaohe.core.errors import ValidationFailed
from kaohe.dossier import services
from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from tests.dossier_support import AS_OF, D, rich_official


def count() -> int:
    return db.session.scalar(select(func.count(Dossier.id)))


def test_generate_stores_snapshot_pdf_hash_and_author(make):
    o = rich_official()
    user = db.session.scalar(select(User).where(User.username == "organization"))
    d = services.generate(o.id, AS_OF, user_id=user.id)
    assert d.id and d.official_id == o.id and d.as_of == AS_OF
    assert d.sha256 == hashlib.sha256(d.pdf).hexdigest() and d.pdf.startswith(b"%PDF-")
    assert d.created_by_id == user.id
    assert d.snapshot["dossier"] == {"number": d.number,
                                     "generated_at": d.snapshot["dossier"]["generated_at"],
                                     "generated_by": "organization测试"}
    year = dt.datetime.fromisoformat(d.snapshot["dossier"]["generated_at"]).year
    assert d.number == f"KH-{year}-{services.next_seq(year) - 1:06d}"
    db.session.commit()  # audit entries join the chain at commit
    log = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "dossier")).one()
    assert log.action == "create" and "pdf" not in log.after and "snapshot" not in log.after


def test_numbers_are_unique_and_consecutive(make):
    o = rich_official()
    first, second = services.generate(o.id, AS_OF), services.generate(o.id, AS_OF)
    a, b = (int(x.number.rsplit("-", 1)[1]) for x in (first, second))
    assert b == a + 1
    assert services.dossiers_of(o.id) == [second, first]


def test_a_taken_number_is_replaced(make):
    o = rich_official()
    at = services.now_local()
    snap = services.with_meta(services.build_snapshot(o.id, AS_OF),
                              services.number(at.year, services.next_seq(at.year)), at, "x")
    first = services.store(snap, services.render_pdf(snap), None)
    clash = services.store(snap, services.render_pdf(snap), None)  # same number again
    assert clash.number != first.number
    assert clash.snapshot["dossier"]["number"] == clash.number
    assert services.render_pdf(clash.snapshot) == clash.pdf


def test_default_as_of_is_today(make):
    o = rich_official()
    d = services.generate(o.id)
    assert d.as_of == clock.today()


@pytest.mark.parametrize("official,as_of,field,message", [
    (None, AS_OF, "official_id", "干部不存在（编号 987654）。"),
    ("rich", D(2999, 1, 1), "as_of", "材料截止日期不能晚于今天"),
    ("rich", D(2010, 1, 1), "as_of",
     "材料截止日期（2010-01-01）早于该干部最早的记录（2012-03-01），无法生成考评材料。"),
    ("empty", AS_OF, "as_of", "该干部尚无任何任职经历、考核结果、研判记录或组织掌握情况"),
])
def test_bad_input_makes_nothing(make, official, as_of, field, message):
    oid = {None: lambda: 987654, "rich": lambda: rich_official().id,
           "empty": lambda: make.official(name="新干部").id}[official]()
    before = count()
    with pytest.raises(ValidationFailed) as exc:
        services.generate(oid, as_of)
    assert list(exc.value.errors) == [field] and message in exc.value.errors[field]
    assert count() == before


def test_deleted_official_is_unknown(make):
    o = rich_official()
    o.soft_delete()
    db.session.flush()
    with pytest.raises(ValidationFailed):
        services.generate(o.id, AS_OF)
