"""Which official of the system a declared family member is (for recusal, 回避).

Used by the family form and the LRMX import alike, so recusal follows the link
whichever way the member was recorded.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.extensions import db
from kaohe.officials.models import Official


def relative_official_id(official_id: int | None, name: str, birth_date: dt.date | None,
                         day_known: bool) -> int | None:
    """The official (other than ``official_id``) this family member is, when exactly one
    has the name and the birth month (and the day, when the day is known)."""
    if birth_date is None:
        return None
    ids = [o.id for o in db.session.scalars(select(Official).where(
        Official.name == name, Official.id != official_id))
        if o.birth_date.replace(day=1) == birth_date.replace(day=1)
        and (not day_known or o.birth_date == birth_date)]
    return ids[0] if len(ids) == 1 else None
