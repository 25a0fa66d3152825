"""Account services shared by the login view, admin pages, CLI and API."""
from __future__ import annotations

import secrets
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

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
# Hash of a random password, verified on unknown usernames so timing does not
# reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


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


def authenticate(username: str, password: str) -> User | None:
    """Return the active user whose password matches, else None."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    try:
        if user is None:
            _hasher.verify(_DUMMY_HASH, password)
            return None
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_token(user: User, name: str = "API", days: int | None = None) -> str:
    """Create an API token for ``user`` (see :mod:`kaohe.auth.tokens`); returns it, once."""
    return tokens.create(user, name, days)[1]
