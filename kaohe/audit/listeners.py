"""Automatic audit of every ORM write, and the soft-delete read filter.

Both hook the ORM once, so no view or service can forget them: each flushed
insert/update/soft-delete of an :class:`Audited` model becomes an
:class:`AuditLog` row in the same transaction (written at its commit, see
:mod:`kaohe.audit.pending`), and every ORM SELECT skips rows
whose ``deleted_at`` is set unless ``include_deleted=True`` is passed as an
execution option.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
import weakref

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, with_loader_criteria

from kaohe.audit import pending
from kaohe.audit.services import current_actor
from kaohe.core.models import Audited, SoftDelete, utcnow


def plain_value(value):
    """A column value as the audit log stores it (JSON-safe)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _values(obj, changed_only: bool) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        # The optimistic-lock counter moves with every update; it says nothing new.
        if key in obj.__audit_exclude__ or key == "version":
            continue
        hist = state.attrs[key].history
        if changed_only:
            if not hist.has_changes():
                continue
            before[key] = plain_value(hist.deleted[0]) if hist.deleted else None
        after[key] = plain_value(getattr(obj, key))
    return before, after


def _entries(session: Session) -> list[dict]:
    rows = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(("create", obj, None, _values(obj, False)[1]))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            before, after = _values(obj, True)
            if not after:
                continue
            action = "update"
            if isinstance(obj, SoftDelete) and "deleted_at" in after:
                action = "delete" if after["deleted_at"] else "restore"
            rows.append((action, obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(("purge", obj, _values(obj, False)[1], None))
    actor_id, actor_name = current_actor()
    now = utcnow()
    out = []
    for action, obj, before, after in rows:
        # Not inspect(obj).identity: new objects get theirs only after this event.
        mapper = inspect(obj).mapper
        pk = mapper.primary_key_from_instance(obj)
        entity_id = pk[0] if len(pk) == 1 and isinstance(pk[0], int) else None
        if entity_id is None:  # e.g. Setting, keyed by a string: keep the key in the row
            key = {c.key: plain_value(v) for c, v in zip(mapper.primary_key, pk)}
            before = None if before is None else {**key, **before}
            after = None if after is None else {**key, **after}
        out.append({"at": now, "actor_id": actor_id, "actor_name": actor_name,
                    "action": action, "entity_type": obj.__tablename__,
                    "entity_id": entity_id, "before": before, "after": after})
    return out


def _after_flush(session: Session, _ctx) -> None:
    pending.collect(session, _entries(session))


# Made once: building it per statement cost every query of every page (issue 17).
_NOT_DELETED = with_loader_criteria(SoftDelete, lambda cls: cls.deleted_at.is_(None),
                                    include_aliases=True)


# A statement built once (module level, PerKey) gets its filtered copy once: the copy
# keeps the cache key SQLAlchemy memoizes per statement object.
_FILTERED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hide_deleted(state) -> None:
    if (state.is_select and not state.is_column_load and not state.is_relationship_load
            and not state.execution_options.get("include_deleted", False)):
        statement = state.statement
        filtered = _FILTERED.get(statement)
        if filtered is None:
            filtered = _FILTERED[statement] = statement.options(_NOT_DELETED)
        state.statement = filtered


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _hide_deleted)
    pending.install()
