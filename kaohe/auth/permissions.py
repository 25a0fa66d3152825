"""Roles and permissions: the single place where access is decided.

Roles are rows in the ``role`` table holding a list of permission names; the
defaults below are synchronised into it by ``flask init-db``. Blueprints are
guarded as a whole with :func:`guard`; templates call ``can(...)``.
"""
from __future__ import annotations

from enum import StrEnum

from flask import Blueprint, abort, has_request_context, make_response, request
from flask_login import current_user
from sqlalchemy import or_, select, union_all

from kaohe.audit.kept import Kept, position
from kaohe.auth.models import UserRelative as R
from kaohe.extensions import db, login_manager
from kaohe.interop.models import FamilyMember as F


class Permission(StrEnum):
    OFFICIALS_READ = "officials.read"
    OFFICIALS_WRITE = "officials.write"  # officials, posts, results, reviews, notes
    ID_NUMBER_FULL = "officials.id_number"
    UNITS_READ = "units.read"
    UNITS_WRITE = "units.write"
    DOSSIER_GENERATE = "dossier.generate"
    USERS_MANAGE = "users.manage"
    SETTINGS_MANAGE = "settings.manage"
    AUDIT_READ = "audit.read"
    UNITASSESS_READ = "unitassess.read"  # schemes, unit scores, rankings, publication
    UNITASSESS_WRITE = "unitassess.write"  # schemes, results, bonus/deduction events
    UNITASSESS_INTERVIEW = "unitassess.interview"  # 约谈 of lagging / last-ranked units
    DISCIPLINE_READ = "discipline.read"  # findings (summary only) and integrity opinions
    DISCIPLINE_WRITE = "discipline.write"  # findings, tolerance exemptions, opinion answers
    DISCIPLINE_DETAILS = "discipline.details"  # the details field of findings
    INTEGRITY_REQUEST = "integrity.request"  # ask for an integrity opinion
    DISCUSSIONS_MANAGE = "discussions.manage"  # personnel discussions: agenda, checks, dossiers
    DISCUSSIONS_REVIEW = "discussions.review"  # read the discussions one is assigned to
    STATS_READ = "stats.read"  # team-structure statistics (干部队伍结构分析)


P = Permission

# name → (Chinese label, permissions)
DEFAULT_ROLES: dict[str, tuple[str, frozenset[Permission]]] = {
    "organization": (
        "组织部干部科",
        frozenset({P.OFFICIALS_READ, P.OFFICIALS_WRITE, P.ID_NUMBER_FULL, P.UNITS_READ,
                   P.UNITS_WRITE, P.DOSSIER_GENERATE, P.UNITASSESS_READ,
                   P.UNITASSESS_INTERVIEW, P.DISCIPLINE_READ, P.INTEGRITY_REQUEST,
                   P.DISCUSSIONS_MANAGE, P.STATS_READ}),
    ),
    "assessment": ("考核办", frozenset({P.UNITS_READ, P.UNITASSESS_READ, P.UNITASSESS_WRITE})),
    "discipline": ("纪委监委", frozenset({P.OFFICIALS_READ, P.UNITS_READ, P.DISCIPLINE_READ,
                                      P.DISCIPLINE_WRITE, P.DISCIPLINE_DETAILS})),
    "reviewer": ("干部工作领导小组成员", frozenset({P.DISCUSSIONS_REVIEW})),
    "admin": (
        "系统管理员",
        frozenset({P.USERS_MANAGE, P.SETTINGS_MANAGE, P.AUDIT_READ, P.UNITS_READ, P.UNITS_WRITE}),
    ),
}

ROLE_NAMES = tuple(DEFAULT_ROLES)


def can(permission: Permission | str, user=None) -> bool:
    """Whether ``user`` (default: the current user) holds ``permission``."""
    user = current_user if user is None else user
    return bool(getattr(user, "is_authenticated", False)) and user.has_permission(str(permission))


def _query_recused_ids(user_id: int, own: int | None) -> frozenset[int]:
    """``own``, every official linked to it by a declared relative either way, and the
    relatives the admin declared for the user (one query)."""
    declared = select(R.official_id, R.official_id).where(R.user_id == user_id)
    if own is None:
        return frozenset(a for a, _ in db.session.execute(declared))
    family = select(F.official_id, F.relative_official_id).where(
        F.relative_official_id.is_not(None), F.deleted_at.is_(None),
        or_(F.official_id == own, F.relative_official_id == own))
    rows = db.session.execute(union_all(family, declared)).all()
    return frozenset({own} | {a for a, _ in rows} | {b for _, b in rows})


# What recused_official_ids reads, kept per (user, own official) while unchanged.
_recusals = Kept(frozenset({"user_relative", "family_member"}), 4096)


def recused_official_ids(user=None) -> frozenset[int]:
    """The officials ``user`` must not see (回避): the official they are and, in both
    directions, every official linked to them by a declared relative
    (:class:`~kaohe.interop.models.FamilyMember`: either's declared family names the other),
    and the relatives the admin declared for the user
    (:class:`~kaohe.auth.models.UserRelative`, also for users who are no official).

    Computed with one query, at most once per request and user, and kept between
    requests while no relative is declared or changed (:mod:`kaohe.audit.kept`).
    """
    user = current_user if user is None else user
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    own = getattr(user, "official_id", None)
    if user_id is None:
        return frozenset({own}) if own is not None else frozenset()
    if not has_request_context():
        return _query_recused_ids(user_id, own)
    cache = request.environ.setdefault("kaohe.recused_official_ids", {})
    key = (user_id, own)
    if key not in cache:
        cache[key] = _recusals.get(key, lambda: _query_recused_ids(user_id, own), position())
    return cache[key]


def is_recused(official_id: int, user=None) -> bool:
    """回避: the user is this official or a declared relative of them (either direction)."""
    return official_id in recused_official_ids(user)


def can_view_official(official_id: int, user=None) -> bool:
    """Whether ``user`` may read this official's records: the read permission and no recusal.

    The one place recusal (回避) is decided for pages, APIs, PDFs and exports.
    """
    user = current_user if user is None else user
    return can(P.OFFICIALS_READ, user) and not is_recused(official_id, user)


def require(permission: Permission) -> None:
    """Abort with 401/403 unless the current user holds ``permission``."""
    if not current_user.is_authenticated:
        # The handler returns a redirect, or a (JSON, 401) tuple under /api/.
        abort(make_response(login_manager.unauthorized()))
    if not can(permission):
        abort(403)


def guard(bp: Blueprint, read: Permission, write: Permission | None = None) -> Blueprint:
    """Enforce ``read`` on every request of ``bp`` and ``write`` on its unsafe methods.

    Nested blueprints inherit the parent's guard, so a blueprint of editing views
    registered under a reading one only needs ``guard(edit_bp, write)``.
    """

    @bp.before_request
    def _check_permission():
        require(read)
        if write is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            require(write)

    return bp
