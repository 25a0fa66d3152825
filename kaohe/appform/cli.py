"""``flask --app app appointment-form OFFICIAL_ID [--as-of D] [--size A4|B5] -o FILE``."""
from __future__ import annotations

import datetime as dt

import click

from kaohe.appform import services
from kaohe.audit.services import cli_actor, record_event
from kaohe.core import clock
from kaohe.core.errors import ValidationFailed
from kaohe.dossier.cli import DATE, write_atomically
from kaohe.dossier.pdfmerge import page_count
from kaohe.extensions import db


@click.command("appointment-form")
@click.argument("official_id", type=int)
@click.option("--as-of", type=DATE, help="计算年龄时间（默认今天）。")
@click.option("--size", type=click.Choice(services.SIZES), default="A4", show_default=True,
              help="纸张规格。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="输出的 PDF 文件。")
def appointment_form_command(official_id: int, as_of: dt.date | None, size: str,
                             output: str) -> None:
    """Print the 干部任免审批表 of OFFICIAL_ID as a PDF."""
    cli_actor.set("cli:appointment-form")
    as_of = as_of or clock.today()
    try:
        official = services.official_by_id(official_id)
        pdf = services.official_form(official, as_of, size)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException("；".join(exc.errors.values())) from None
    write_atomically(output, pdf)
    record_event("appointment_form_print", "official", official.id,
                 {"as_of": as_of.isoformat(), "size": size})
    db.session.commit()
    click.echo(f"已生成{official.name}的干部任免审批表（{size}，{page_count(pdf)} 页）：{output}")
