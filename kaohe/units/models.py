# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

from typing import Optional

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.core.models import SoftDelete, Versioned
from kaohe.extensions import db

UNIT_KINDS = {
    "city": "市",
    "county": "区县",
    "department": "市直部门",
    "zone": "园区",
}


class Unit(Versioned, SoftDelete, db.Model):
    """A unit of the city; units form a tree under the city."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    leader_in_charge: Mapped[str] = mapped_column(String(64), default="")  # 市级分管领导
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Optional["Unit"]] = relationship(remote_side="Unit.id")

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)
