"""The key of the audit chain's HMAC, kept outside the database.

``KAOHE_AUDIT_KEY`` (environment or instance config) when set: every server of a
deployment must use the same one. Otherwise the instance file ``audit_key``,
generated once like the secret key. Someone who can rewrite the database but cannot
read this key cannot recompute the chain, so a consistent rewrite of the table is
found by ``audit-verify``.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from kaohe import instance_secret

MIN_LENGTH = 32
_EXTENSION = "kaohe_audit_key"


class AuditKeyError(RuntimeError):
    """The configured audit key is unusable (stops whatever needed it)."""


def audit_key(app: Flask | None = None) -> bytes:
    """The HMAC key of the audit chain for ``app`` (default: the current app)."""
    app = app or current_app
    key = app.extensions.get(_EXTENSION)
    if key is None:
        text = app.config.get("KAOHE_AUDIT_KEY") or instance_secret(
            Path(app.instance_path), "audit_key")
        if len(text) < MIN_LENGTH:
            raise AuditKeyError(f"KAOHE_AUDIT_KEY is too short: at least {MIN_LENGTH} "
                                "characters (e.g. python -c 'import secrets; "
                                "print(secrets.token_hex(32))')")
        key = app.extensions[_EXTENSION] = text.encode("utf-8")
    return key
