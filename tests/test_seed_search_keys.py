"""seed-demo's bulk build of the name search keys (issue 17): the triggers are off while
the officials are inserted and the keys are written once afterwards; the rows are
exactly those the triggers write, search finds the seeded officials, and a failed seed
leaves the triggers in place and no official without its keys."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, inspect, select, text, update

from kaohe.demo import seed
from kaohe.extensions import db
from kaohe.interop.bulk import insert_records
from kaohe.officials.models import Official
from kaohe.officials.services import SearchCriteria, search
from kaohe.search import index, keys
from kaohe.search.index import OfficialSearchKey as K
from kaohe.search.pinyin import index_text
from kaohe.units.models import Unit
from tests import factories

ARGS = ["seed-demo", "--officials", "60", "--seed", "11"]


def _rows(official_ids=None) -> set[tuple]:
    stmt = select(K.kind, K.key, K.name, K.official_id)
    if official_ids is not None:
        stmt = stmt.where(K.official_id.in_(official_ids))
    return set(map(tuple, db.session.execute(stmt)))


def _triggers() -> set[str]:
    """The search triggers on the officials table that fire."""
    if db.session.get_bind().dialect.name == "postgresql":
        sql = ("SELECT tgname FROM pg_trigger WHERE tgrelid = 'official'::regclass "
               "AND NOT tgisinternal AND tgenabled <> 'D'")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'official'"
    return set(db.session.scalars(text(sql)))


def _all_triggers() -> set[str]:
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    return {keys.PG_TRIGGER} if postgresql else set(keys.SQLITE_TRIGGERS)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seeded_keys_are_those_the_triggers_write(app, runner):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert _triggers() == _all_triggers()
    primary_key = inspect(db.session.connection()).get_pk_constraint("official_search_key")
    assert primary_key["constrained_columns"] == ["kind", "key", "name", "official_id"]
    built = _rows()
    officials = db.session.execute(select(Official.id, Official.name)).all()
    assert len(officials) == 60 and {r[3] for r in built} == {o.id for o in officials}
    assert f"姓名检索索引：{len(built)} 条" in result.output
    # The triggers' own keys: none left, then every name written again (fires the
    # update trigger, which deletes the old keys and inserts the new).
    db.session.execute(delete(K))
    db.session.execute(update(Official.__table__).values(name=Official.__table__.c.name))
    assert _rows() == built

    someone = db.session.scalars(select(Official).order_by(Official.id.desc())).first()
    whole = someone.name_pinyin.split()[0]  # the whole spelling of its first reading
    for q in (someone.name, someone.name[-2:], whole):
        assert index.plan(q).key is not None or index.plan(q).among is not None, q
        found = search(SearchCriteria(q=q), per_page=100).items
        assert someone.id in {o.id for o in found}, q


def test_bulk_build_of_odd_names(make):
    unit = make.unit(name="检索区")
    names = ["单曾解", "阿不都热合曼·买买提", "Anna王", "王%", "欧阳_娜", "李", "X"]
    by_trigger = [make.official(name=n, unit_obj=unit) for n in names]
    db.session.flush()
    columns = ("gender", "birth_date", "ethnicity", "native_place", "rank", "unit_id",
               "current_post", "political_status")
    rows = [{**{c: getattr(o, c) for c in columns}, "name": o.name,
             "name_pinyin": index_text(o.name), "id_number": factories.id_number(o.birth_date)}
            for o in by_trigger]
    with keys.built_after(db.session.connection()) as built:
        assert _triggers() == set()
        in_bulk = insert_records(Official, rows)
        assert _rows(in_bulk) == set()  # nothing written row by row meanwhile
    assert _triggers() == _all_triggers()
    assert built.rows == len(_rows(in_bulk)) > 0
    for o, new_id in zip(by_trigger, in_bulk):
        assert ({r[:3] for r in _rows([o.id])} == {r[:3] for r in _rows([new_id])}
                and _rows([o.id])), o.name


def test_failed_seed_leaves_triggers_and_nothing_loaded(make, monkeypatch):
    rows = seed.Seeder.official_rows

    def failing(self):
        for i, row in enumerate(rows(self)):
            if i == 25:  # two batches of 10 are in, the triggers off
                raise RuntimeError("磁盘已满")
            yield row

    monkeypatch.setattr(seed, "BATCH", 10)
    monkeypatch.setattr(seed.Seeder, "official_rows", failing)
    with pytest.raises(RuntimeError):  # in this session: no app context teardown rolls back
        list(seed.seed_demo(40, 7))
    assert _count(Official) == _count(Unit) == _count(K) == 0
    assert _triggers() == _all_triggers()
    o = make.official(name="钱塘")
    db.session.flush()
    assert ("c", "钱塘", "钱塘", o.id) in _rows([o.id])
