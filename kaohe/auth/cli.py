"""``flask --app app link-user`` (recusal links, 回避) and ``revoke-token``."""
from __future__ import annotations

import click
from sqlalchemy import select

from kaohe.audit.services import cli_actor
from kaohe.auth import links, tokens
from kaohe.auth.models import User
from kaohe.core.clock import to_local
from kaohe.core.errors import ValidationFailed
from kaohe.core.limits import MAX_INT
from kaohe.extensions import db

ID = click.IntRange(1, MAX_INT)


def user_or_fail(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在。")
    return user


def _fail(exc: ValidationFailed):
    db.session.rollback()
    raise click.ClickException("；".join(exc.errors.values()))


def _describe(official) -> str:
    return f"{official.name}（编号 {official.id}，身份证号 {official.id_number_masked}）"


@click.command("link-user")
@click.argument("username")
@click.option("--official", "official_id", type=ID, help="The official this user is (干部编号).")
@click.option("--relative", "relative_ids", type=ID, multiple=True,
              help="An official who is a relative of the user (repeatable).")
@click.option("--relation", default="亲属", show_default=True,
              help="称谓 of the relatives added with --relative, e.g. 配偶.")
@click.option("--unlink-official", is_flag=True, help="Remove the link to the user's official.")
@click.option("--remove-relative", "removed_ids", type=ID, multiple=True,
              help="Official id of a declared relative to remove (repeatable).")
def link_user(username: str, official_id: int | None, relative_ids: tuple[int, ...],
              relation: str, unlink_official: bool, removed_ids: tuple[int, ...]) -> None:
    """Link USERNAME to their own official record and declare relatives (回避), or remove
    them; without options, print the user's links. All or nothing; audited."""
    cli_actor.set("cli:link-user")
    user = user_or_fail(username)
    if official_id is not None and unlink_official:
        raise click.ClickException("--official 与 --unlink-official 不能同时使用。")
    try:
        if unlink_official:
            links.unlink_official(user)
        for removed in removed_ids:
            row = links.relative_by_official(user, removed)
            if row is None:
                raise ValidationFailed(f"用户 {username} 没有登记编号为 {removed} 的亲属。")
            links.remove_relative(row)
        if official_id is not None:
            links.link_official(user, official_id)
        for relative in relative_ids:
            links.add_relative(user, relative, relation)
    except ValidationFailed as exc:
        _fail(exc)
    db.session.commit()
    found = links.links_of(user)
    click.echo(f"用户 {username}：本人 " + (_describe(found.official) if found.official else "未关联"))
    for row in found.relatives:
        click.echo(f"  亲属（{row.relation}）：{_describe(row.official)}")


@click.command("revoke-token")
@click.argument("username")
@click.argument("token_id", type=ID, required=False)
@click.option("--all", "revoke_all", is_flag=True, help="Revoke every token of the user.")
def revoke_token(username: str, token_id: int | None, revoke_all: bool) -> None:
    """Revoke TOKEN_ID of USERNAME, or --all of the user's tokens; without either, list
    the user's tokens with their numbers."""
    cli_actor.set("cli:revoke-token")
    user = user_or_fail(username)
    if token_id is not None and revoke_all:
        raise click.ClickException("请只指定令牌编号或 --all 之一。")
    if token_id is None and not revoke_all:
        rows = tokens.tokens_of(user.id)
        for row in rows:
            click.echo(f"{row.id}\t{row.name}\t到期 {to_local(row.expires_at):%Y-%m-%d %H:%M}\t"
                       f"{tokens.STATUS_LABELS[tokens.status(row)]}")
        raise click.ClickException(f"用户 {username} 共有 {len(rows)} 个令牌：请指定令牌编号或 --all。")
    if revoke_all:
        count = tokens.revoke_all(user, "cli")
        db.session.commit()
        click.echo(f"已撤销用户 {username} 的 {count} 个令牌。")
        return
    row = tokens.token_of(user.id, token_id)
    if row is None:
        raise click.ClickException(f"用户 {username} 没有编号为 {token_id} 的令牌。")
    if not tokens.revoke(row, "cli"):
        click.echo(f"令牌 {token_id} 此前已撤销。")
        return
    db.session.commit()
    click.echo(f"已撤销用户 {username} 的令牌 {token_id}（{row.name}）。")
