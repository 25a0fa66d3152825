"""``flask backup PATH`` and ``flask restore PATH``."""
from __future__ import annotations

from pathlib import Path

import click

from kaohe.audit.services import cli_actor
from kaohe.backup import services
from kaohe.extensions import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the whole database to PATH (SQLite file, or pg_dump -Fc archive)."""
    cli_actor.set("cli:backup")
    try:
        dialect = services.backup(path)
    except services.BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已备份到 {path} (backup written, {dialect}).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH."""
    cli_actor.set("cli:restore")
    if not yes:
        click.confirm("恢复将覆盖当前数据库的全部数据，是否继续？ "
                      "(restore replaces all current data; continue?)", abort=True)
    try:
        dialect, superseded = services.restore(path)
    except services.BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已从 {path} 恢复 (database restored, {dialect}).")
    if superseded:
        click.echo(f"备份之后导出的 {len(superseded)} 个审计锚点已移入 superseded/ 并记入审计日志 "
                   f"(anchors past the restored chain set aside: {', '.join(superseded)}).")
