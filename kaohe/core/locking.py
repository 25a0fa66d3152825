"""Optimistic locking: a stale edit never silently overwrites a newer one.

Every editable record carries a ``version`` column (:class:`kaohe.core.models.Versioned`,
SQLAlchemy's ``version_id_col``): each UPDATE checks and bumps it, so a write racing
another one fails with ``StaleDataError`` instead of winning. Edit forms and the JSON
API carry the version the user started from; :func:`find_conflict` compares it
with the stored one and, when the record moved on, lists the fields whose stored
(newer) values differ from what the user submitted, so the page can show them.
A version mismatch where every submitted value already equals the stored one is no
conflict: saving would change nothing another user wrote.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from kaohe.audit.models import AuditLog
from kaohe.auth.models import User
from kaohe.core.clock import to_local
from kaohe.extensions import db

_NUMBER = re.compile(r"-?\d{1,30}(\.\d{1,30})?")
RACE_MESSAGE = "保存失败：该记录刚刚被他人修改，未保存您的修改；请重新打开页面核对后再提交。"
MISSING_MESSAGE = "页面缺少版本信息（可能是旧页面或脚本提交），请重新打开编辑页面后再保存。"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    current: str  # the stored (newer) value as shown to the user


@dataclass
class Conflict:
    """The record moved on since the user loaded it (``submitted`` → ``version``)."""

    submitted: int | None
    version: int
    changes: list[Change] = field(default_factory=list)
    changed_by: str | None = None
    changed_at: dt.datetime | None = None

    @property
    def message(self) -> str:
        if self.submitted is None:
            return MISSING_MESSAGE
        who = f"（{self.changed_by}，{to_local(self.changed_at):%Y-%m-%d %H:%M}）" \
            if self.changed_by and self.changed_at else ""
        return (f"保存失败：您打开页面后，该记录已被他人修改{who}，未保存您的修改。"
                "下方列出当前保存的较新内容；请核对后决定保留哪些值，再次提交即以您的内容为准。")

    def as_json(self) -> dict:
        return {"version": self.version, "changed_by": self.changed_by,
                "changed_at": self.changed_at.isoformat() if self.changed_at else None,
                "changes": {c.field: c.current for c in self.changes}}


def parse_version(raw) -> int | None:
    """The submitted version as an int, or None when missing or malformed."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw < 2**31 else None
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    return parse_version(int(text))


def _norm(value):
    """Comparable form of a form value or a stored value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = Decimal(value.strip())
    if isinstance(value, (int, float, Decimal)):
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return tuple(sorted(str(v) for v in value))
    return str(value).strip()


def _display(value, choices=None) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if choices:
        for choice in choices:
            pair = (choice.value, choice.label) if hasattr(choice, "label") else choice
            if isinstance(pair, (list, tuple)) and len(pair) >= 2 and str(pair[0]) == str(value):
                return str(pair[1])
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _last_change(record) -> tuple[str | None, dt.datetime | None]:
    """Who wrote the record last (display name) and when (naive UTC), from the audit log."""
    table = getattr(record, "__tablename__", None)
    if table is None or not isinstance(getattr(record, "id", None), int):
        return None, None
    row = db.session.execute(
        select(AuditLog.actor_id, AuditLog.actor_name, AuditLog.at)
        .where(AuditLog.entity_type == table, AuditLog.entity_id == record.id)
        .order_by(AuditLog.id.desc()).limit(1)).first()
    if row is None:
        return None, None
    user = db.session.get(User, row.actor_id) if row.actor_id else None
    return (user.name if user else row.actor_name), row.at


def find_conflict(record, submitted_version, submitted: dict, labels: dict[str, str],
                  choices: dict[str, list] | None = None,
                  current: dict | None = None) -> Conflict | None:
    """The conflict of saving ``submitted`` (field → value) over ``record``, or None.

    Fields are compared with ``current`` (field → stored value) where given, else with
    the attribute of ``record`` of the same name, if any; ``labels`` names them for
    the user, ``choices`` maps select values to their labels.
    """
    version = parse_version(submitted_version)
    if version == record.version:
        return None
    stored = {name: getattr(record, name) for name in submitted if hasattr(record, name)}
    stored.update({k: v for k, v in (current or {}).items() if k in submitted})
    changes = [Change(name, labels.get(name, name), _display(stored[name], (choices or {}).get(name)))
               for name, value in submitted.items()
               if name in stored and _norm(stored[name]) != _norm(value)]
    if not changes:
        return None
    by, at = _last_change(record)
    return Conflict(submitted=version, version=record.version, changes=changes,
                    changed_by=by, changed_at=at)
