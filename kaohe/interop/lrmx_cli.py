"""``flask --app app interop import-lrmx FILE...`` and ``interop export-lrmx OFFICIAL_ID``."""
from __future__ import annotations

import sys

import click

from kaohe.audit.services import cli_actor
from kaohe.dossier.cli import DATE, write_atomically
from kaohe.extensions import db
from kaohe.interop import lrmx_export
from kaohe.interop.lrmx import LrmxReport, import_lrmx
from kaohe.interop.lrmx_check import check_fields
from kaohe.interop.lrmx_parse import LrmxRefused, write
from kaohe.interop.views import bp
from kaohe.officials.models import Official


def _echo_report(path: str, report: LrmxReport) -> None:
    if not report.ok:
        click.echo(f"{path}：{report.name or '（未填姓名）'} 发现 {len(report.problems)} 个问题，"
                   "未导入任何内容。")
        for label, message in report.problems:
            click.echo(f"  {label}\t{message}")
        return
    verb = ("校验通过（未导入）" if report.dry_run else "内容与系统记录相同，未作改动"
            if not report.changed else "已新增" if report.created else "已更新")
    click.echo(f"{path}：{verb} {report.name}（编号 {report.official_id}）；任职经历新增 "
               f"{report.posts_created} 条、更新 {report.posts_updated} 条；家庭成员 {report.members} 人。")
    for line in report.unmatched:
        click.echo(f"  简历第 {line.number} 行未导入为任职经历：{line.text}（{line.reason}）")
    for notice in report.notices:
        click.echo(f"  {notice}")
    for difference in report.annual_differences:
        click.echo(f"  年度考核结果不一致：{difference}")


@bp.cli.command("import-lrmx")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只校验，不导入")
def import_lrmx_command(paths: tuple[str, ...], dry_run: bool) -> None:
    """Import LRMX files, each all or nothing, with a report per file; exit 1 if any failed."""
    cli_actor.set("cli:import-lrmx")
    failed = 0
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            report = import_lrmx(data, dry_run=dry_run)
        except OSError as exc:
            click.echo(f"{path}：无法读取文件（{exc.strerror or exc}）。")
            failed += 1
            continue
        except LrmxRefused as exc:
            db.session.rollback()
            click.echo(f"{path}：{exc}")
            failed += 1
            continue
        _echo_report(path, report)
        failed += not report.ok
    if failed:
        raise click.ClickException(f"{len(paths)} 个文件中有 {failed} 个未能导入。")


@bp.cli.command("export-lrmx")
@click.argument("official_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入文件（默认标准输出）")
@click.option("--as-of", type=DATE, help="计算年龄时间（默认：任免审批表记录的时间，否则今天）。")
@click.option("--check", is_flag=True, help="只做报送前校验，不导出")
@click.option("--force", is_flag=True, help="校验有问题时仍然导出（退出码仍为 1）")
def export_lrmx_command(official_id: int, output: str | None, as_of, check: bool,
                        force: bool) -> None:
    """Export an official's 干部任免审批表 (full ID number) after the 报送前校验.

    Problems are printed and the exit code is 1; the file is then not written unless
    ``--force`` is given (so a script never sends a form that fails the check by mistake).
    ``--check`` only checks.
    """
    official = db.session.get(Official, official_id)
    if official is None:
        raise click.ClickException(f"没有编号为 {official_id} 的干部。")
    fields, members = lrmx_export.export_fields(official, full_id=True, as_of=as_of)
    problems = check_fields(fields, members)
    for p in problems:
        click.echo(f"{p.label}\t{p.message}", err=True)
    if not problems:
        click.echo("报送前校验通过。", err=True)
    if not check and (force or not problems):
        data = write(fields, members)
        if output:
            write_atomically(output, data)
            click.echo(f"已写入 {output}。", err=True)
        else:
            sys.stdout.buffer.write(data)
    if problems:
        unwritten = "" if check or force else "，未导出（确需导出请加 --force）"
        raise click.ClickException(f"报送前校验发现 {len(problems)} 个问题{unwritten}。")
