"""Saved searches: a user keeps named officials searches (their query strings)."""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.core import records
from kaohe.core.models import Audited, utcnow
from kaohe.extensions import db

MAX_PER_USER = 50


class SavedSearch(Audited, db.Model):
    """One named search of one user."""

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_search_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def clean_query(query: str) -> str:
    """The query string without paging and empty values (what the search reads)."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False)
             if k not in ("page", "csrf_token") and v]
    return urlencode(pairs)


def of_user(user_id: int) -> list[SavedSearch]:
    return db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id)
                              .order_by(SavedSearch.name)).all()


def save(user_id: int, name: str, query: str) -> SavedSearch:
    """Save (or replace, under the same name) a search of ``user_id``; ValidationFailed
    when the name is empty or the user already keeps the maximum."""
    name, query = (name or "").strip(), clean_query(query)
    errors = {}
    if not name:
        errors["name"] = "请填写查询名称。"
    elif len(name) > 64:
        errors["name"] = "名称不能超过 64 个字。"
    if len(query) > 2000:
        errors["query"] = "查询条件过长。"
    records.raise_if(errors)
    found = db.session.scalar(select(SavedSearch).where(SavedSearch.user_id == user_id,
                                                        SavedSearch.name == name))
    if found is None:
        kept = db.session.scalar(select(func.count()).select_from(SavedSearch)
                                 .where(SavedSearch.user_id == user_id))
        if kept >= MAX_PER_USER:
            records.raise_if({"name": f"最多保存 {MAX_PER_USER} 个查询，请先删除不用的。"})
        found = SavedSearch(user_id=user_id, name=name, query=query)
        db.session.add(found)
    else:
        found.query = query
    db.session.flush()
    return found


def delete(user_id: int, search_id: int) -> bool:
    """Delete the user's own saved search; False when it is not theirs or not found."""
    found = db.session.get(SavedSearch, search_id)
    if found is None or found.user_id != user_id:
        return False
    db.session.delete(found)
    db.session.flush()
    return True
