"""``flask --app app moves …``: the four moves of an agenda item, the stored 公示 text and
the appointment (任职), through the same services as the pages."""
from __future__ import annotations

import hashlib

import click

from kaohe.audit.services import cli_actor
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import AgendaItem
from kaohe.discussions.services.readiness import readiness
from kaohe.dossier.cli import DATE, write_atomically
from kaohe.extensions import db
from kaohe.moves.models import Publicity
from kaohe.moves.services import publicity as publicities
from kaohe.moves.services.query import appointment_of
from kaohe.moves.services.state import move_states


def _item(item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.deleted_at is not None:
        raise click.ClickException(f"议题不存在（编号 {item_id}）。")
    return item


@click.group("moves")
def moves_group() -> None:
    """凡动必核谈考训, 任前公示 and 任职 of agenda items."""


@moves_group.command("status")
@click.argument("item_id", type=int)
def status_command(item_id: int) -> None:
    """Print ITEM_ID's four moves, its 公示 and whether it may be appointed."""
    item = _item(item_id)
    click.echo(f"{item.official.name} · {item.action_label} · {item.discussion.title}"
               f"（{item.discussion.date.isoformat()}）{item.decision_label}")
    for s in move_states(item, readiness(item).checks):
        mark = "✗" if s.before else "◷" if s.after else "✓"
        click.echo(f"{mark} {s.label}：{s.rule}")
        for r in s.records:
            click.echo(f"    {r['what']} {r['when']} {r['who']} {r['text'][:60]}".rstrip())
        for m in s.before + s.after:
            click.echo(f"    缺：{m.split('：', 1)[-1]}")
    entry = publicities.entry_of(item)
    if entry is not None:
        click.echo(f"任前公示：{entry.publicity.start_on.isoformat()} 至 "
                   f"{entry.publicity.end_on.isoformat()}，{publicities.entry_status(entry)}")
    done = appointment_of(item)
    if done is not None:
        click.echo(f"已任职：{done.appointed_on.isoformat()}，{done.doc_number}")
    elif item.decision == "approve":
        problems = publicities.appointment_problems(item, None)
        click.echo("可以登记任职。" if not problems else "尚不能登记任职：" + "；".join(problems))


@moves_group.command("appoint")
@click.argument("item_id", type=int)
@click.option("--on", "appointed_on", type=DATE, required=True, help="任职日期。")
@click.option("--doc", "doc_number", required=True, help="任免文号。")
@click.option("--note", default="", help="备注。")
def appoint_command(item_id: int, appointed_on, doc_number: str, note: str) -> None:
    """Record the appointment (任职) of ITEM_ID; refused as on the page."""
    cli_actor.set("cli:moves-appoint")
    item = _item(item_id)
    try:
        made = publicities.record_appointment(item, {"appointed_on": appointed_on,
                                                     "doc_number": doc_number, "note": note})
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException("；".join(exc.errors.values())) from None
    db.session.commit()
    click.echo(f"已登记{item.official.name}任职：{made.appointed_on.isoformat()}，{made.doc_number}")


@moves_group.command("publicity-pdf")
@click.argument("publicity_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
def publicity_pdf_command(publicity_id: int, output: str) -> None:
    """Write the 公示 text of PUBLICITY_ID as published (the stored PDF, checked)."""
    found = db.session.get(Publicity, publicity_id)
    if found is None or found.deleted_at is not None:
        raise click.ClickException(f"任前公示不存在（编号 {publicity_id}）。")
    if hashlib.sha256(found.pdf).hexdigest() != found.sha256:
        raise click.ClickException("存档的公示文本与其 SHA-256 不符，未写出。")
    write_atomically(output, found.pdf)
    click.echo(f"已写出任前公示文本：{output}\nSHA-256 {found.sha256}")
