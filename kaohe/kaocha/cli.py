"""``flask --app app kaocha-draft OFFICIAL_ID [--item ITEM_ID] [--date D] [--group G]
[--inspectors NAMES] -o FILE``: the 考察材料 draft, as the pages make it."""
from __future__ import annotations

import datetime as dt

import click

from kaohe.audit.services import cli_actor, record_event
from kaohe.core import clock
from kaohe.discussions.models import AgendaItem
from kaohe.dossier.cli import DATE, write_atomically
from kaohe.extensions import db
from kaohe.kaocha import services
from kaohe.officials.models import Official


@click.command("kaocha-draft")
@click.argument("official_id", type=int)
@click.option("--item", "item_id", type=int,
              help="议题编号：引用其拟任职务和民主推荐，年度考核按会议日期。")
@click.option("--date", "signed", type=DATE, help="落款日期（默认今天）。")
@click.option("--group", default="", help="考察组。")
@click.option("--inspectors", default="", help="考察人（顿号分隔）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="输出的 Word（.docx）文件。")
def kaocha_draft_command(official_id: int, item_id: int | None, signed: dt.date | None,
                         group: str, inspectors: str, output: str) -> None:
    """Write the editable 考察材料 draft of OFFICIAL_ID as a .docx."""
    cli_actor.set("cli:kaocha-draft")
    official = db.session.get(Official, official_id)
    if official is None:
        raise click.ClickException(f"干部 {official_id} 不存在。")
    item = None
    if item_id is not None:
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.deleted_at is not None or item.official_id != official.id:
            raise click.ClickException(f"议题 {item_id} 不存在或不是{official.name}的议题。")
    for label, value, limit in (("考察组", group, 100), ("考察人", inspectors, 200)):
        if len(value) > limit:
            raise click.ClickException(f"{label}不能超过 {limit} 个字。")
    as_of = item.discussion.date if item is not None else clock.today()
    data = services.draft_docx(official, as_of, signed or clock.today(), group, inspectors, item)
    write_atomically(output, data)
    record_event("download", "official", official.id,
                 {"what": "考察材料初稿", "item_id": item_id, "file": output})
    db.session.commit()
    click.echo(f"已生成{official.name}同志考察材料初稿：{output}")
