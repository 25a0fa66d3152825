"""``flask audit-verify`` and ``flask audit-anchor``: prove the audit log intact."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kaohe.audit import anchors, tasks  # noqa: F401 (tasks: the periodic anchor)
from kaohe.audit.keys import audit_key
from kaohe.audit.verify import verify
from kaohe.extensions import db


@click.command("audit-anchor")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a copy of the anchor to this file (e.g. on removable media).")
def audit_anchor(output: Path | None) -> None:
    """Write a new anchor of the audit chain (its head: seq and keyed hash) to the
    anchor folder (KAOHE_AUDIT_ANCHOR_DIR, default instance/anchors/) and print it."""
    anchor = anchors.make_anchor(db.session.connection())
    db.session.rollback()
    path = anchors.write_anchor(anchors.anchor_dir(), anchor)
    text = json.dumps(anchor, ensure_ascii=False, indent=1)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(output)
    click.echo(text)
    click.echo(f"anchor written to {path}" + (f" and {output}" if output else ""), err=True)


@click.command("audit-verify")
@click.option("--anchor", "anchor_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Anchor file to compare with (default: the latest of the anchor folder).")
def audit_verify(anchor_path: Path | None) -> None:
    """Walk the audit chain; exit 1 naming the first bad entry if anything was altered."""
    if anchor_path is not None and not anchor_path.exists():
        raise click.ClickException(f"anchor file {anchor_path} does not exist")
    path = anchor_path or anchors.latest_anchor(anchors.anchor_dir())
    try:
        anchor = anchors.read_anchor(path) if path is not None else None
    except anchors.AnchorError as exc:
        raise click.ClickException(str(exc)) from exc
    checked, problems = verify(db.session.connection(), audit_key(), anchor)
    db.session.rollback()
    if problems:
        for problem in problems:
            click.echo(f"AUDIT CHAIN BROKEN: {problem}", err=True)
        raise SystemExit(1)
    note = (f"; matches anchor seq={anchor['seq']} ({path})" if anchor
            else "; no anchor to compare with")
    click.echo(f"audit chain intact: {checked} entries{note}")
