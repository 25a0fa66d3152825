"""Read and change settings; values not set by the admin fall back to defaults."""
from __future__ import annotations

import json
import zlib

from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.settings.models import Setting
from kaohe.settings.registry import by_key, month_day


def get(key: str):
    """The current value of setting ``key``."""
    definition = by_key()[key]
    if key in _absent():
        return definition.default
    row = db.session.get(Setting, key)
    if row is None:
        _absent().add(key)  # asked again: the lookup may have begun the transaction
        return definition.default
    return row.value


def _absent() -> set[str]:
    """Keys found to have no row in this transaction. A stored row stays in the identity
    map, but an absent one was looked up again on every read: an agenda bundle of 100
    items asked 665 times (issue 17). Kept on the session for its transaction only, and
    emptied when :func:`set_value` stores a row."""
    session = db.session()  # the scoped session's own: it has the transaction
    txn = session.get_transaction()
    if txn is None:  # none begun yet: nothing to tie the memo to
        return set()
    held = session.info.get("settings_absent")
    if held is None or held[0] is not txn:
        held = session.info["settings_absent"] = (txn, set())
    return held[1]


def all_values() -> dict[str, object]:
    rows = {s.key: s.value for s in db.session.query(Setting)}
    return {k: rows.get(k, d.default) for k, d in by_key().items()}


def revision(values: dict[str, object]) -> int:
    """A positive number that changes whenever any stored value changes (page version)."""
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return zlib.crc32(canonical.encode()) % (2**31 - 1) + 1


def set_value(key: str, raw) -> object:
    """Validate and store ``raw`` for ``key``; raises ValidationFailed."""
    d = by_key().get(key)
    if d is None:
        raise ValidationFailed("未知的设置项。", key)
    value = raw
    if d.kind in ("int", "float"):
        try:
            value = int(raw) if d.kind == "int" else float(raw)
        except (TypeError, ValueError):
            raise ValidationFailed("请输入数字。", key) from None
        if (d.min is not None and value < d.min) or (d.max is not None and value > d.max):
            raise ValidationFailed(f"取值应在 {d.min} 到 {d.max} 之间。", key)
    elif d.kind == "choice" and raw not in d.choices:
        raise ValidationFailed("取值不在允许的范围内。", key)
    elif d.kind == "text":
        value = str(raw or "").strip()[:500]
    elif d.kind == "month_day":
        try:
            value = "%02d-%02d" % month_day(raw)
        except ValueError as exc:
            raise ValidationFailed(f"{d.label}：{exc}", key) from None
    row = db.session.get(Setting, key) or Setting(key=key)
    _absent().discard(key)
    row.value = value
    db.session.add(row)
    db.session.flush()
    return value
