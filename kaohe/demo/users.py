"""Demo users, one per role, with passwords derived from the seed (printed by seed-demo)."""
from __future__ import annotations

import random
from typing import Iterator

from sqlalchemy import select

from kaohe.auth import services as auth
from kaohe.auth.models import User
from kaohe.extensions import db

DEMO_USERS = [  # username, role, display name
    ("demo-admin", "admin", "演示·系统管理员"),
    ("demo-org", "organization", "演示·组织部干部科"),
    ("demo-assess", "assessment", "演示·考核办"),
    ("demo-discipline", "discipline", "演示·纪委监委"),
    ("demo-reviewer", "reviewer", "演示·领导小组成员"),
]
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def demo_logins(seed: int) -> list[tuple[str, str, str, str]]:
    """(username, role, display name, password) of the demo users for ``seed``."""
    rng = random.Random(f"kaohe-demo-users-{seed}")  # own stream: the data stays put
    return [(u, r, label, "".join(rng.choice(_ALPHABET) for _ in range(12)))
            for u, r, label in DEMO_USERS]


def login_lines(seed: int, existing: set[str] = frozenset()) -> Iterator[str]:
    for username, _role, label, password in demo_logins(seed):
        note = "（已存在，密码未改动）" if username in existing else ""
        yield f"  用户名 {username:<16} 密码 {password}  {label}{note}"


def ensure_demo_users(seed: int) -> Iterator[str]:
    """Create the missing demo users (roles first); yield the login lines."""
    auth.sync_roles()
    existing = set(db.session.scalars(
        select(User.username).where(User.username.in_([u for u, _r, _l in DEMO_USERS]))))
    for username, role, label, password in demo_logins(seed):
        if username not in existing:
            auth.create_user(username, role, password, display_name=label)
    yield "演示账号（仅供演示，请勿用于生产环境）："
    yield from login_lines(seed, existing)
