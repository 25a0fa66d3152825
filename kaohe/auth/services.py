"""Account services shared by the login view, admin pages, CLI and API."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from kaohe.auth import tokens
from kaohe.auth.models import Role, User
from kaohe.auth.permissions import DEFAULT_ROLES
from kaohe.auth.tokens import user_for_token  # noqa: F401 - the API's token check
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~35 ms of CPU per
# login instead of the library default's ~270 ms (64 MiB × 3 × 4 lanes), which let a burst
# of logins occupy a 2-core app server for seconds. Hashes made with other parameters are
# upgraded at the next login (check_password).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Hash of a random password, verified on unknown usernames so timing does not reveal
    which accounts exist; made on first use, not when the module is imported."""
    return _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The vendored list of common passwords (kaohe/auth/data/common-passwords.txt)."""
    text = (Path(__file__).parent / "data" / "common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password_rules(password: str, username: str = "") -> None:
    """ASVS: at least 8 characters, up to 128 allowed (64 and more accepted), any
    characters, no composition rules, no common or account-derived passwords."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"密码至少 {MIN_PASSWORD_LENGTH} 位。", "password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(f"密码不能超过 {MAX_PASSWORD_LENGTH} 位。", "password")
    folded = password.strip().casefold()
    if folded in common_passwords() or len(set(folded)) <= 2:
        raise ValidationFailed("该密码过于常见或简单，容易被猜中，请换一个。", "password")
    if username and folded == username.strip().casefold():
        raise ValidationFailed("密码不能与用户名相同。", "password")


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def sync_roles() -> list[Role]:
    """Create missing default roles and bring their permissions up to date."""
    existing = {r.name: r for r in db.session.scalars(select(Role))}
    for name, (label, perms) in DEFAULT_ROLES.items():
        role = existing.get(name) or Role(name=name)
        role.label = label
        wanted = sorted(str(p) for p in perms)
        if role.permissions != wanted:
            role.permissions = wanted
        db.session.add(role)
    db.session.flush()
    return list(db.session.scalars(select(Role).order_by(Role.id)))


def get_role(name: str) -> Role:
    role = db.session.scalar(select(Role).where(Role.name == name))
    if role is None:
        raise ValidationFailed(f"角色“{name}”不存在。", "role")
    return role


def create_user(username: str, role: str, password: str, display_name: str = "",
                official_id: int | None = None) -> User:
    """Create a user; raises :class:`ValidationFailed` on a taken name or weak password."""
    username = username.strip()
    if not username:
        raise ValidationFailed("请输入用户名。", "username")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ValidationFailed("该用户名已被使用。", "username")
    check_password_rules(password, username)
    user = User(username=username, role=get_role(role), password_hash=hash_password(password),
                display_name=display_name or username, official_id=official_id)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password; every existing session and API token of the user ends."""
    check_password_rules(password, user.username)
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    tokens.revoke_all(user, "password")


@dataclass(frozen=True)
class LoginCandidate:
    """What a login needs of an account, read before its password is hashed: plain
    values, so that nothing is loaded while the hash runs outside any transaction."""

    user_id: int | None  # None: no such username
    password_hash: str


def login_candidate(username: str) -> LoginCandidate:
    """The account named ``username``, or a stand-in holding the dummy hash."""
    row = db.session.execute(select(User.id, User.password_hash)
                             .where(User.username == username.strip())).first()
    return LoginCandidate(*row) if row else LoginCandidate(None, dummy_hash())


def check_password(candidate: LoginCandidate, password: str) -> str | None:
    """argon2 verification, with no database access (run it outside any transaction).

    Returns None when ``password`` does not match, else the hash to keep: a new one when
    the hasher's parameters have changed. An unknown username is checked against a
    dummy hash, at the same cost, so timing does not reveal which accounts exist.
    """
    try:
        _hasher.verify(candidate.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if candidate.user_id is not None and _hasher.check_needs_rehash(candidate.password_hash):
        return hash_password(password)
    return candidate.password_hash


def finish_login(candidate: LoginCandidate, kept_hash: str | None) -> User | None:
    """The active user of a candidate whose password matched (``kept_hash`` from
    :func:`check_password`), else None; refused too when the account changed meanwhile
    (a new password, disabled). Stores an upgraded hash; flushes nothing itself."""
    if kept_hash is None or candidate.user_id is None:
        return None
    user = db.session.get(User, candidate.user_id)
    if user is None or not user.active or user.password_hash != candidate.password_hash:
        return None
    if kept_hash != user.password_hash:
        user.password_hash = kept_hash
    return user


def create_token(user: User, name: str = "API", days: int | None = None) -> str:
    """Create an API token for ``user`` (see :mod:`kaohe.auth.tokens`); returns it, once."""
    return tokens.create(user, name, days)[1]
