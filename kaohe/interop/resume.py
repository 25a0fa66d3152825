"""The 简历 of the 干部任免审批表: the written one, else lines built from the posts.

A built line is "YYYY.MM--YYYY.MM  <unit and post>", the current post's
"YYYY.MM--" followed by spaces in place of the end month (the layout of the
official editor, so the columns align). The unit's name is not repeated when the
post's title already carries it, in full ("江州市财政局副局长"), qualified by the
city ("江州市发展和改革委员会主任" for the unit 发展和改革委员会), or as the end of the
unit's name ("财政局副局长" for 市财政局 → "市财政局副局长").
"""
from __future__ import annotations

import datetime as dt

from kaohe.interop.lrmx_parse import resume_line
from kaohe.units.models import Unit

_DIVISIONS = "区县市旗"
_ORGANS = ("委", "政府", "人大", "政协", "纪委")


def _city(unit: Unit) -> Unit | None:
    node = unit.parent
    while node is not None and node.kind != "city":
        node = node.parent
    return node


def unit_names(unit: Unit) -> list[str]:
    """The ways a title may already name ``unit``, longest first."""
    names = {unit.name}
    city = _city(unit)
    if city is not None:
        names.add(city.name + unit.name)
        if unit.name.startswith("市"):
            names.add(city.name + unit.name[1:])
    return sorted(names, key=len, reverse=True)


def post_position(unit: Unit | None, title: str) -> str:
    """The résumé text of a post: the unit's name and the title, the name said once."""
    if unit is None:
        return title
    names = unit_names(unit)
    if any(n in title for n in names):
        return title
    city = _city(unit)
    if city is not None and title.startswith(city.name):
        return title  # qualified by the city: already a full name
    for size in range(min(len(unit.name), len(title)) - 1, 1, -1):
        if title.startswith(unit.name[-size:]):
            return unit.name + title[size:]
    if unit.name[-1:] in _DIVISIONS and title[:1] == unit.name[-1] and title[1:].startswith(_ORGANS):
        return unit.name + title[1:]  # 东城区 + 区委副书记 → 东城区委副书记
    return unit.name + title


def resume_text(official, sheet=None, until: dt.date | None = None) -> str:
    """The 简历 of ``official``: ``sheet.resume`` when written, else one line per post;
    ``until`` (a form's 计算年龄时间) leaves out the posts begun after it and shows the
    ones held on it (an end date is the last day held, as everywhere) as current, as the
    form would have read on that day."""
    if sheet is not None and (sheet.resume or "").strip():
        return sheet.resume
    # Deleted posts checked here too: ``official.posts`` hides them only when the
    # official was loaded by a query (the soft-delete criteria), not once created or
    # refreshed in the session.
    posts = sorted((p for p in official.posts if p.deleted_at is None
                    and (until is None or p.start_date <= until)),
                   key=lambda p: (p.start_date, p.id or 0))
    return "\n".join(
        resume_line(p.start_date, None if until and p.end_date and p.end_date >= until
                    else p.end_date, post_position(p.unit, p.title))
        for p in posts)
