"""Throw-away databases for the benchmarks: a temporary SQLite file or a fresh
PostgreSQL database created on a server and dropped afterwards."""
from __future__ import annotations

import contextlib
import tempfile
import uuid

import sqlalchemy as sa


@contextlib.contextmanager
def sqlite_database(prefix: str = "kaohe_bench"):
    with tempfile.TemporaryDirectory(prefix=f"{prefix}_") as tmp:
        yield f"sqlite:///{tmp}/{prefix}.db"


@contextlib.contextmanager
def postgresql_database(server: str, prefix: str = "kaohe_bench"):
    server = server.rstrip("/").replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def each_database(choice: str, pg_server: str, prefix: str):
    """("SQLite" | "PostgreSQL", url) of a scratch database per engine ``choice`` names
    (sqlite, postgresql or both), each dropped once the loop moves on."""
    if choice in ("sqlite", "both"):
        with sqlite_database(prefix) as url:
            yield "SQLite", url
    if choice in ("postgresql", "both"):
        with postgresql_database(pg_server, prefix) as url:
            yield "PostgreSQL", url


def migrated_app(url: str):
    """The app on ``url`` with the schema at the latest migration and the roles synced;
    the caller enters its app context (writes are attributed to "bench")."""
    from flask_migrate import upgrade

    from kaohe import create_app
    from kaohe.audit.services import cli_actor
    from kaohe.auth.services import sync_roles
    from kaohe.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        cli_actor.set("bench")
        upgrade()
        sync_roles()
        db.session.commit()
    return app
