"""Backup and restore: SQLite online backup API, ``pg_dump``/``pg_restore`` for PostgreSQL.

Both directions are atomic for the live database: a SQLite backup is written to a
temporary file next to PATH and renamed into place; a SQLite restore copies the
checked backup into the live database with the online backup API in a single step
(it holds the write lock throughout, so readers see either the old or the new
database); a PostgreSQL restore runs ``pg_restore --single-transaction``.
Each backup and restore appends an event to the audit chain once it has succeeded
(the restore event continues the restored database's own chain, and the anchors written
after the backup was made are set aside and named in it, so ``audit-verify`` passes);
a failed one appends ``backup_failed`` / ``restore_failed`` with the cause
instead, so the log never shows a backup that does not exist.
"""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from kaohe.audit import anchors
from kaohe.audit.services import record_event
from kaohe.extensions import db


class BackupError(Exception):
    """A backup or restore failed; the message is bilingual and names the cause."""


def _url() -> URL:
    return make_url(str(db.engine.url))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份 (an in-memory database cannot be backed up).")
    return Path(url.database)


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the client tools; the password goes in PGPASSWORD only."""
    args: list[str] = []
    if url.host:
        args += ["-h", url.host]
    if url.port:
        args += ["-p", str(url.port)]
    if url.username:
        args += ["-U", url.username]
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}，请安装 PostgreSQL 客户端工具 ({tool} not found; "
                          "install the PostgreSQL client tools).")
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise BackupError(f"{what}失败 ({tool} exited with {proc.returncode}): {detail}")


def _tmp_beside(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            has_schema = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' "
                                      "AND name='alembic_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 不是有效的 SQLite 备份 (not a valid SQLite backup: {exc}).") \
            from exc
    if ok != "ok":
        raise BackupError(f"{path} 已损坏 (integrity check failed: {ok}).")
    if not has_schema:
        raise BackupError(f"{path} 不是本系统的备份 (no alembic_version table: not a Kaohe backup).")


def _record(action: str, path: Path, url: URL, error: str | None = None,
            **extra: object) -> None:
    """Append the outcome to the audit chain; a failure's record is best effort (the
    database itself may be what failed), and never hides the failure."""
    after = {"path": str(path.resolve()), "dialect": url.get_backend_name(), **extra}
    if error is not None:
        after["error"] = error[:1000]
    try:
        record_event(action, "database", None, after)
        db.session.commit()
    except Exception:
        db.session.rollback()
        if error is None:
            raise
        logging.getLogger(__name__).exception("could not audit %s of %s", action, path)


def backup(path: Path) -> str:
    """Write a backup of the live database to ``path``; returns the dialect name.

    Audited as ``backup`` once the file is in place; a failure as ``backup_failed``.
    """
    path = Path(path)
    url = _url()
    try:
        _backup(path, url)
    except BackupError as exc:
        db.session.rollback()
        _record("backup_failed", path, url, str(exc))
        raise
    _record("backup", path, url)
    return url.get_backend_name()


def _backup(path: Path, url: URL) -> None:
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在 (directory does not exist).")
    try:
        tmp = _tmp_beside(path)
    except OSError as exc:
        raise BackupError(f"无法写入目录 {path.parent} (cannot write there: {exc}).") from exc
    try:
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(_sqlite_path(url))
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
                # A self-contained single file (no -wal/-shm needed to read it).
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            args, env = _pg_args(url)
            _run(["pg_dump", "-Fc", "--no-password", *args, "-f", str(tmp), "-d", url.database],
                 env, "备份")
        else:
            raise BackupError(f"不支持的数据库 (unsupported database: {url.get_backend_name()}).")
        tmp.replace(path)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"备份失败 (backup failed: {exc}).") from exc
    finally:
        tmp.unlink(missing_ok=True)


def restore(path: Path) -> tuple[str, list[str]]:
    """Replace the live database's contents with the backup at ``path``; returns the
    dialect name and the anchor files set aside (they named entries the backup lacks).

    Audited as ``restore`` once done; a failure (the database unchanged) as ``restore_failed``.
    """
    path = Path(path)
    url = _url()
    try:
        _restore(path, url)
    except BackupError as exc:
        _record("restore_failed", path, url, str(exc))
        raise
    db.engine.dispose()
    extra: dict[str, object] = {}
    try:
        superseded = anchors.set_aside_off_chain(db.session.connection(), anchors.anchor_dir())
    except OSError as exc:  # a read-only anchor share: the restore stands, verify will say why
        logging.getLogger(__name__).warning("could not set aside outdated anchors: %s", exc)
        superseded, extra["anchor_error"] = [], str(exc)[:500]
    _record("restore", path, url, superseded_anchors=superseded, **extra)
    return url.get_backend_name(), superseded


def _restore(path: Path, url: URL) -> None:
    if not path.is_file():
        raise BackupError(f"备份文件 {path} 不存在 (backup file does not exist).")
    db.session.remove()
    db.engine.dispose()
    try:
        if url.get_backend_name() == "sqlite":
            _check_sqlite_backup(path)
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            target = sqlite3.connect(_sqlite_path(url), timeout=30)
            try:
                # One step (pages=-1): the whole copy happens under the write lock.
                source.backup(target)
            finally:
                target.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            args, env = _pg_args(url)
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--exit-on-error", "--no-password", *args, "-d", url.database, str(path)],
                 env, "恢复")
        else:
            raise BackupError(f"不支持的数据库 (unsupported database: {url.get_backend_name()}).")
    except sqlite3.Error as exc:
        raise BackupError(f"恢复失败 (restore failed: {exc}).") from exc
