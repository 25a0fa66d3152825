"""``flask audit-verify`` and ``flask audit-anchor``: prove the audit log intact."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from kaohe.audit import chain
from kaohe.audit.models import AuditChainHead
from kaohe.core.models import utcnow
from kaohe.extensions import db


def default_anchor_path() -> Path:
    return Path(current_app.instance_path) / "audit-anchor.json"


@click.command("audit-anchor")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the anchor to this file (default: instance/audit-anchor.json). "
                   "Keep a copy away from the database server.")
def audit_anchor(output: Path | None) -> None:
    """Print and save the anchor of the audit chain: its head hash and entry count."""
    head = db.session.execute(select(AuditChainHead.seq, AuditChainHead.hash)
                              .where(AuditChainHead.id == 1)).first()
    seq, digest = (head.seq, head.hash) if head else (0, chain.GENESIS)
    anchor = {"seq": seq, "hash": digest, "exported_at": utcnow().isoformat() + "Z"}
    db.session.rollback()
    text = json.dumps(anchor, ensure_ascii=False, indent=1)
    path = output or default_anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n")
    tmp.replace(path)
    click.echo(text)
    click.echo(f"anchor written to {path}", err=True)


@click.command("audit-verify")
@click.option("--anchor", "anchor_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Anchor file from audit-anchor (default: instance/audit-anchor.json if present).")
def audit_verify(anchor_path: Path | None) -> None:
    """Walk the audit chain; exit 1 naming the first bad entry if anything was altered."""
    path = anchor_path or default_anchor_path()
    anchor = None
    if path.exists():
        try:
            raw = json.loads(path.read_text())
            anchor = {"seq": int(raw["seq"]), "hash": str(raw["hash"])}
        except (ValueError, KeyError, TypeError) as exc:
            raise click.ClickException(f"anchor file {path} is unreadable: {exc}") from exc
    elif anchor_path is not None:
        raise click.ClickException(f"anchor file {path} does not exist")
    checked, problems = chain.verify(db.session.connection(), anchor)
    db.session.rollback()
    if problems:
        for problem in problems:
            click.echo(f"AUDIT CHAIN BROKEN: {problem}", err=True)
        raise SystemExit(1)
    note = f"; matches anchor seq={anchor['seq']}" if anchor else "; no anchor to compare with"
    click.echo(f"audit chain intact: {checked} entries{note}")
