"""The printed 干部任免审批表 of an official or of an agenda item (PDF bytes).

Nothing is stored: the form is drawn from the records each time (the same records,
date and size give the same bytes). A character no font of the chain draws is a
:class:`~kaohe.dossier.glyphs.MissingGlyphError` (a :class:`ValidationFailed` with a
Chinese message), as for the dossier.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kaohe.appform.data import collect
from kaohe.core import clock
from kaohe.core.errors import ValidationFailed
from kaohe.dossier.services import font_spec
from kaohe.extensions import db
from kaohe.officials.models import Official

SIZES = ("A4", "B5")  # paper sizes the form is drawn on (render.Geometry)
# 计算年龄时间 may lie ahead (a discussion being prepared), but not further than this.
AHEAD = dt.timedelta(days=366)


def check(official: Official, as_of: dt.date, size: str, today: dt.date) -> None:
    """Raise ValidationFailed (Chinese message, by field) unless the form can be drawn."""
    if size not in SIZES:
        raise ValidationFailed("纸张规格只能是 A4 或 B5。", "size")
    if as_of < official.birth_date:
        raise ValidationFailed(f"计算年龄时间（{as_of.isoformat()}）不能早于该干部的出生日期"
                               f"（{official.birth_date.isoformat()}）。", "as_of")
    if as_of > today + AHEAD:
        raise ValidationFailed(f"计算年龄时间（{as_of.isoformat()}）不能晚于"
                               f"{(today + AHEAD).isoformat()}。", "as_of")


def official_by_id(official_id: int) -> Official:
    """The live official ``official_id``; ValidationFailed when there is none."""
    official = db.session.scalar(select(Official).where(Official.id == official_id))
    if official is None:
        raise ValidationFailed(f"干部不存在（编号 {official_id}）。", "official_id")
    return official


def official_form(official: Official, as_of: dt.date | None = None, size: str = "A4", *,
                  item=None, filled_by: str = "", today: dt.date | None = None) -> bytes:
    """The form of ``official`` with ages on ``as_of`` (default today); ``item`` (an
    agenda item) gives 拟任/拟免 and 任免理由; ``filled_by``: the 填表人 if the sheet
    names none."""
    # The drawing (ReportLab) is loaded with the first form, not by every process that
    # imports these services (issue 17).
    from kaohe.appform.render import render

    today = today or clock.today()
    as_of = as_of or today
    check(official, as_of, size, today)
    return render(collect(official, as_of, today, item, filled_by), size, font_spec())


def item_form(item, size: str = "A4", today: dt.date | None = None) -> bytes:
    """The form of an agenda item: its official, ages on the discussion's date."""
    return official_form(item.official, item.discussion.date, size, item=item, today=today)


def download_name(official: Official, as_of: dt.date, size: str) -> str:
    return f"干部任免审批表_{official.name}_{as_of:%Y%m%d}_{size}.pdf"
