"""Command-line interface: ``flask --app app <command>``."""
from __future__ import annotations

import sys

import click
from flask import Flask

from kaohe.audit.services import cli_actor
from kaohe.auth import services as auth
from kaohe.auth.cli import link_user, revoke_token, user_or_fail
from kaohe.auth.permissions import ROLE_NAMES
from kaohe.core.dblock import migration_lock
from kaohe.core.errors import ValidationFailed
from kaohe.core.limits import MAX_INT
from kaohe.extensions import db


def _fail(exc: ValidationFailed) -> None:
    db.session.rollback()
    raise click.ClickException("；".join(exc.errors.values()))


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema through Alembic migrations (idempotent); several
    servers may run it at once (one upgrades, the others wait and find it done)."""
    from flask_migrate import upgrade  # loaded on first use: Alembic, 0.6 s (issue 17)

    with migration_lock(db.engine):
        upgrade()  # Alembic's own connection; the audit actor applies to the session's writes
        cli_actor.set("cli:init-db")
        auth.sync_roles()
        db.session.commit()
    click.echo("数据库已就绪 (database is at the latest schema).")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLE_NAMES))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--name", "display_name", default="", help="Display name (姓名).")
def create_user(username: str, role: str, password_stdin: bool, display_name: str) -> None:
    """Create a user; without --password-stdin a strong password is generated and printed once."""
    cli_actor.set("cli:create-user")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else auth.generate_password()
    try:
        auth.create_user(username, role, password, display_name)
    except ValidationFailed as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"created user {username} ({role})")
    if not password_stdin:
        click.echo(f"password: {password}")


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="命令行创建", show_default=True, help="What the token is for.")
@click.option("--expires-days", type=click.IntRange(1, MAX_INT),
              help="Lifetime in days (default and maximum: the setting security.api_token_days).")
def create_token(username: str, name: str, expires_days: int | None) -> None:
    """Create an API token for USERNAME and print it once (only its hash is stored)."""
    cli_actor.set("cli:create-token")
    user = user_or_fail(username)
    try:
        token = auth.create_token(user, name, expires_days)
    except ValidationFailed as exc:
        _fail(exc)
    db.session.commit()
    click.echo(token)


@click.command("seed-demo")
@click.option("--officials", "n_officials", default=300, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=2020, show_default=True, type=int)
def seed_demo(n_officials: int, seed: int) -> None:
    """Load a deterministic demo city (units, officials, records, demo users)."""
    from kaohe.demo.seed import seed_demo as run

    cli_actor.set("cli:seed-demo")
    for line in run(n_officials, seed):
        click.echo(line)


def init_app(app: Flask) -> None:
    for command in (init_db, create_user, create_token, seed_demo, link_user, revoke_token):
        app.cli.add_command(command)

    from kaohe.audit.cli import audit_anchor, audit_verify

    for command in (audit_anchor, audit_verify):
        app.cli.add_command(command)

    from kaohe.dossier.cli import dossier_batch_command, dossier_command

    for command in (dossier_command, dossier_batch_command):
        app.cli.add_command(command)
    from kaohe.appform.cli import appointment_form_command

    app.cli.add_command(appointment_form_command)
    from kaohe.kaocha.cli import kaocha_draft_command

    app.cli.add_command(kaocha_draft_command)

    from kaohe.moves.cli import moves_group

    app.cli.add_command(moves_group)

    from kaohe.backup.cli import backup_command, restore_command

    for command in (backup_command, restore_command):
        app.cli.add_command(command)

    from kaohe.jobs.cli import worker_command

    app.cli.add_command(worker_command)
