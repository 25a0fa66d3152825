# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.core.models import Audited, Versioned
from kaohe.extensions import db


class Setting(Versioned, Audited, db.Model):
    """An admin-edited value overriding a default of :mod:`kaohe.settings.registry`."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
