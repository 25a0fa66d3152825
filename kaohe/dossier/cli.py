"""``flask --app app dossier`` and ``flask --app app dossier-batch``."""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile

import click
from sqlalchemy import or_, select

from kaohe.core import clock
from kaohe.audit.services import cli_actor
from kaohe.core.errors import ValidationFailed
from kaohe.dossier import services
from kaohe.dossier.pdfmerge import page_count
from kaohe.extensions import db
from kaohe.officials.models import Official
from kaohe.units.models import Unit
from kaohe.units.services import descendant_ids


class DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"日期格式不正确：{value}，请按 YYYY-MM-DD 填写，例如 2020-04-10。", param, ctx)


DATE = DateParam()


def _fail(exc: ValidationFailed):
    db.session.rollback()
    raise click.ClickException("；".join(exc.errors.values()))


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` atomically: no partial file is ever left at ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".dossier-", suffix=".pdf")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        db.session.rollback()
        raise click.ClickException(f"无法写入文件 {path}：{exc.strerror or exc}") from exc


@click.command("dossier")
@click.argument("official_id", type=int)
@click.option("--as-of", type=DATE, help="材料截止日期（默认今天）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="输出文件（默认：<材料编号>.pdf）。")
def dossier_command(official_id: int, as_of: dt.date | None, output: str | None) -> None:
    """Generate the three-year evaluation dossier (考评材料) of OFFICIAL_ID as a PDF."""
    cli_actor.set("cli:dossier")
    try:
        made = services.generate(official_id, as_of)
    except ValidationFailed as exc:
        _fail(exc)
    path = output or f"{made.number}.pdf"
    write_atomically(path, made.pdf)
    db.session.commit()
    pages = page_count(made.pdf)
    click.echo(f"已生成考评材料 {made.number}（{made.snapshot['official']['name']}，"
               f"{pages} 页）：{path}\nSHA-256 {made.sha256}")


def _unit_officials(ref: str) -> tuple[list[int], list[int]]:
    """Officials of unit ``ref`` (id or code) and its sub-units: (usable ids, skipped ids)."""
    cond = [Unit.code == ref] + ([Unit.id == int(ref)] if ref.isdigit() else [])
    unit = db.session.scalar(select(Unit).where(or_(*cond)))
    if unit is None:
        raise click.ClickException(f"单位不存在：{ref}")
    ids = list(db.session.scalars(select(Official.id).where(
        Official.unit_id.in_(descendant_ids(unit.id))).order_by(Official.name, Official.id)))
    first = services.earliest_records(ids)
    return [i for i in ids if i in first], [i for i in ids if i not in first]


@click.command("dossier-batch")
@click.argument("official_ids", nargs=-1, type=int)
@click.option("--all-in-unit", "unit", metavar="UNIT",
              help="单位 ID 或代码：该单位及其下级单位的全部干部。")
@click.option("--as-of", type=DATE, help="材料截止日期（默认今天）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="合并后的 PDF（默认：dossiers-<截止日期>.pdf）。")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="渲染进程数（默认：CPU 核数）。")
def dossier_batch_command(official_ids: tuple[int, ...], unit: str | None,
                          as_of: dt.date | None, output: str | None,
                          workers: int | None) -> None:
    """Generate the dossiers of OFFICIAL_IDS (or of a unit) as ONE merged PDF with bookmarks."""
    from tqdm import tqdm  # loaded on first use: every command and worker imported it (issue 17)

    cli_actor.set("cli:dossier-batch")
    if bool(official_ids) == bool(unit):
        raise click.UsageError("请指定干部编号，或使用 --all-in-unit 指定单位（二者选一）。")
    ids = list(official_ids)
    if unit:
        ids, skipped = _unit_officials(unit)
        if skipped:
            click.echo(f"跳过 {len(skipped)} 名尚无任何记录的干部（编号 "
                       f"{', '.join(map(str, skipped))}）。", err=True)
        if not ids:
            raise click.ClickException("该单位没有可生成考评材料的干部。")
    as_of = as_of or clock.today()
    bar = tqdm(total=len(dict.fromkeys(ids)), desc="生成考评材料", unit="份", file=sys.stderr)
    try:
        merged, made = services.generate_batch(ids, as_of, workers=workers,
                                               on_done=lambda: bar.update(1))
    except ValidationFailed as exc:
        _fail(exc)
    finally:
        bar.close()
    path = output or f"dossiers-{as_of.isoformat()}.pdf"
    write_atomically(path, merged)
    db.session.commit()
    click.echo(f"已生成 {len(made)} 份考评材料（{made[0].number} 至 {made[-1].number}），"
               f"合并为 {path}（每名干部一个书签）。")
