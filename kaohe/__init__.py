"""Kaohe (考核): cadre-evaluation records and promotion support."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from kaohe import config

__all__ = ["create_app"]


def _normalise_db_url(url: str) -> str:
    # Plain "postgresql://" would select psycopg2, which we do not ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret(instance: Path, name: str = "secret_key") -> str:
    """Read the secret ``name`` (e.g. the secret key, the audit key) from the instance
    folder, creating it once (mode 0600) when missing."""
    key_file = instance / name
    if not key_file.exists():
        # Several workers may start at once: write a complete file under a private
        # name, then link it into place; the first link wins, the others read it.
        tmp = instance / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return key_file.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory (flaskr style)."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
        instance_path=config.instance_path(),
    )
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    app.config.from_object("kaohe.config.Defaults")
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'kaohe.db'}"
    app.config.from_mapping(config.from_environment())
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(app.config)
    if app.config["KAOHE_HTTPS"] or app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["SESSION_COOKIE_SECURE"] = True  # cookies never travel over plain HTTP
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(instance)

    from kaohe import extensions

    extensions.init_app(app)

    from kaohe import blueprints, cli, errors, ops
    from kaohe.jobs import queue as jobs_queue

    from kaohe.core.limits import IdConverter
    from kaohe.core.routing import LazyBuilderRule

    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.url_rule_class = LazyBuilderRule
    ops.init_app(app)  # first: its request id and timer wrap every other hook
    errors.init_app(app)
    blueprints.init_app(app)
    cli.init_app(app)
    jobs_queue.init_app(app)

    from kaohe.dossier import sections

    sections.install()
    return app
