"""Saved member lists (e.g. 「常委会组成人员」): applied to a discussion's members in one step.

Entries are ordered names; an entry may link a user account (most committee members
have none), so a list can be built by picking users as well as by typing names.
"""
# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Audited, Recorded
from kaohe.extensions import db


class MemberList(Recorded, db.Model):
    """A named, ordered list of the members who usually attend one kind of meeting."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))

    entries: Mapped[list["MemberListEntry"]] = relationship(
        back_populates="member_list", order_by="MemberListEntry.position",
        cascade="all, delete-orphan")

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]


class MemberListEntry(Audited, db.Model):
    """One member of a saved list: a name, optionally the user account it is."""

    __table_args__ = (UniqueConstraint("list_id", "name", name="uq_member_list_entry_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("member_list.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    member_list: Mapped[MemberList] = relationship(back_populates="entries")
    user: Mapped[User | None] = relationship()
