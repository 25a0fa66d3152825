"""A setting with no stored row is looked up once per transaction (issue 17: an agenda
bundle of 100 items asked 665 times), and the default it gave is not kept past the
transaction nor past a value stored in it."""
from __future__ import annotations

import sqlalchemy as sa

from kaohe.extensions import db
from kaohe.settings import services as settings
from kaohe.settings.models import Setting

KEY = "dossier.window_years"  # default 3


def _statements(run) -> list[str]:
    seen = []

    def note(_conn, _cur, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return [s for s in seen if "FROM setting" in s]


def test_absent_setting_read_once_in_a_transaction(make):
    assert settings.get(KEY) == 3
    assert _statements(lambda: [settings.get(KEY) for _ in range(5)]) == []
    assert settings.set_value(KEY, "5") == 5
    assert settings.get(KEY) == 5  # stored in this transaction: no stale default
    make.commit()
    assert settings.get(KEY) == 5


def test_absent_memo_ends_with_the_transaction(make):
    assert settings.get(KEY) == 3
    make.commit()
    # The row stored past the ORM (as another process would) in the next transaction.
    db.session.execute(sa.insert(Setting.__table__).values(key=KEY, value=7, version=1))
    assert len(_statements(lambda: settings.get(KEY))) == 1
    assert settings.get(KEY) == 7
