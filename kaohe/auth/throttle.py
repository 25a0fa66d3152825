"""Login throttling shared by every worker and server: counters in the database.

A counter is one row of ``login_limit``: (scope, key) → the start of its window and
the attempts counted in it. It is bumped by one atomic statement that returns the new
count (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on SQLite and PostgreSQL alike),
and every attempt is counted *before* its password is hashed: the n-th attempt of a
window sees n whichever worker runs it, so concurrent attempts never pass a limit
together, and an attempt over any limit costs no hashing at all.

* ``rate``: every attempt from one address (IPv6: its /64) within a minute, whatever
  the username: bounds the hashing any client can cause, unknown usernames included;
* ``address``: failed attempts from one address within the lockout period;
* ``account``: failed attempts at one username (existing or not, so that a lockout
  tells nothing) since its last success, within the lockout period.

A success gives its ``address`` count back and clears the ``account`` counter.
"""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, case, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.core.models import utcnow
from kaohe.extensions import db
from kaohe.settings import registry, services as settings
from kaohe.settings.registry import SettingDef

RATE_WINDOW = timedelta(minutes=1)
registry.register(
    SettingDef("security.login_rate_per_minute", "同一地址每分钟登录尝试上限", 30, unit="次",
               min=1, max=10000, help="含成功的登录；超过后该地址须等到下一分钟，且不再校验密码"),
)


class LoginLimit(db.Model):
    """A login counter: ``hits`` attempts of ``scope`` for ``key`` since ``window_start``."""

    __tablename__ = "login_limit"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, index=True)
    hits: Mapped[int] = mapped_column(Integer)


@dataclass
class Gate:
    """The outcome of :func:`admit`: a refusal (message, seconds to wait) or a pass."""

    username: str
    address: str
    refusal: str = ""
    retry_after: int = 0
    event: str = ""  # the audit action of a refusal ("" when not audited again)
    new_window: bool = False  # the address's first attempt of its rate window


def client_address(remote_addr: str | None) -> str:
    """The key of a client: its IPv4 address, or the /64 network of its IPv6 address
    (one subscriber's whole allocation)."""
    try:
        ip = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return (remote_addr or "unknown")[:64]
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _limit(key: str) -> int:
    return int(settings.get(key))


def _bump(scope: str, key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Count one attempt of (scope, key) in one atomic statement: (count, window start).

    A window that has run out starts again at ``now`` with this attempt.
    """
    table = LoginLimit.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    expired = table.c.window_start <= now - window
    statement = insert.values(scope=scope, key=key, window_start=now, hits=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.key],
        set_={"hits": case((expired, 1), else_=table.c.hits + 1),
              "window_start": case((expired, now), else_=table.c.window_start)},
    ).returning(table.c.hits, table.c.window_start)
    hits, start = db.session.execute(statement).one()
    return hits, start


def _wait(start: datetime, window: timedelta, now: datetime) -> int:
    return max(1, int((start + window - now).total_seconds()) + 1)


def rate_message(seconds: int) -> str:
    return f"本机地址登录尝试过于频繁，请 {seconds} 秒后再试。"


def lockout_message() -> str:
    return (f"登录失败次数过多，该账户或本机地址已被暂时锁定，请 {_limit('security.lockout_minutes')} "
            "分钟后再试；如需立即解除，请联系系统管理员。")


def admit(username: str, remote_addr: str | None) -> Gate:
    """Count this attempt against every limit before any password is hashed, always in
    the same order (rate, address, account: two logins never wait on each other in a
    cycle). Does not commit; the caller commits at once, before hashing."""
    now = utcnow()
    gate = Gate(username.strip()[:64], client_address(remote_addr))
    rate = _limit("security.login_rate_per_minute")
    hits, start = _bump("rate", gate.address, now, RATE_WINDOW)
    gate.new_window = hits == 1
    if hits > rate:
        gate.retry_after = _wait(start, RATE_WINDOW, now)
        gate.refusal = rate_message(gate.retry_after)
        gate.event = "login_rate_limited" if hits == rate + 1 else ""  # once per window
        return gate
    lockout = timedelta(minutes=_limit("security.lockout_minutes"))
    for scope, key, setting in (("address", gate.address, "security.lockout_address_failures"),
                                ("account", gate.username, "security.lockout_account_failures")):
        hits, start = _bump(scope, key, now, lockout)
        if hits > _limit(setting):
            if scope == "account":  # this attempt was never made: give the address it back
                _give_back(gate.address)
            gate.refusal, gate.event = lockout_message(), "login_locked"
            gate.retry_after = _wait(start, lockout, now)
            return gate
    return gate


def _give_back(address: str) -> None:
    db.session.execute(update(LoginLimit).where(
        LoginLimit.scope == "address", LoginLimit.key == address, LoginLimit.hits > 0)
        .values(hits=LoginLimit.hits - 1))


def settle(gate: Gate, success: bool) -> None:
    """After the password was checked: a success gives the address its count back and
    clears the account's failures; a failure stays counted. Does not commit."""
    if success:
        _give_back(gate.address)
        db.session.execute(delete(LoginLimit).where(
            LoginLimit.scope == "account", LoginLimit.key == gate.username))
    if gate.new_window:  # about once a minute per address: forget long-expired counters
        purge_expired()


def purge_expired(now: datetime | None = None) -> int:
    """Forget up to 1 000 counters whose window ended over a day ago; how many.
    Does not commit (the periodic cleanup job calls it until none is left)."""
    lockout = timedelta(minutes=_limit("security.lockout_minutes"))
    return _purge((now or utcnow()) - lockout - timedelta(days=1))


def _purge(before: datetime) -> int:
    # SKIP LOCKED (PostgreSQL; SQLite locks the whole file): the purge never waits for a
    # counter another login holds, so it can never be part of a deadlock.
    stale = (select(LoginLimit.scope, LoginLimit.key)
             .where(LoginLimit.window_start < before).limit(1000)
             .with_for_update(skip_locked=True))
    return db.session.execute(delete(LoginLimit).where(
        tuple_(LoginLimit.scope, LoginLimit.key).in_(stale))).rowcount
