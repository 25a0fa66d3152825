"""Who is acting, and explicit audit events (logins, bulk loads)."""
from __future__ import annotations

from contextvars import ContextVar

from flask import has_request_context
from flask_login import current_user

from kaohe.audit import pending
from kaohe.core.models import utcnow
from kaohe.extensions import db

# Set by CLI commands so their writes are attributed, e.g. "cli:seed-demo".
cli_actor: ContextVar[str | None] = ContextVar("cli_actor", default=None)


def current_actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, cli_actor.get() or "system"


def record_event(action: str, entity_type: str, entity_id: int | None,
                 after: dict | None = None, actor=None) -> None:
    """Add a non-CRUD event (login, logout, bulk import…) to the audit log; it joins
    the chain when the session commits, and vanishes if the session rolls back."""
    actor_id, actor_name = (actor.id, actor.username) if actor is not None else current_actor()
    write_connection()  # on SQLite the commit must be able to write
    pending.collect(db.session(), [{
        "at": utcnow(), "actor_id": actor_id, "actor_name": actor_name, "action": action,
        "entity_type": entity_type, "entity_id": entity_id, "before": None, "after": after}])


def write_connection():
    """The session's connection, in a transaction that may write.

    On SQLite a transaction begun by a reading request (plain ``BEGIN``) cannot
    safely take the write lock later (another writer may have committed since its
    snapshot): end it and begin again with ``BEGIN IMMEDIATE`` — unless it has
    written already (it holds the lock then, and ending it would commit half).
    """
    from flask import request

    from kaohe.extensions import IMMEDIATE, SAFE_METHODS, transaction_wrote, want_write

    connection = db.session.connection()
    if (connection.dialect.name == "sqlite" and not connection.info.get(IMMEDIATE, True)
            and not transaction_wrote(connection)
            and has_request_context() and request.method in SAFE_METHODS):
        want_write()
        db.session.commit()
        connection = db.session.connection()
    return connection
