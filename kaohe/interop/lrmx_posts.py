"""Posts read from an imported 简历: a line becomes a post only when its text starts
with the name of an existing unit; every other line is reported, never invented."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from kaohe.core.errors import ValidationFailed
from kaohe.core.forms import BaseForm
from kaohe.extensions import db
from kaohe.interop.lrmx_parse import ResumeLine
from kaohe.interop.resume import unit_names
from kaohe.officials.forms import PostForm
from kaohe.officials.models import Official, Post
from kaohe.officials.services import save_post
from kaohe.units.models import Unit


class UnitMatcher:
    """Longest unit name (optionally after the city's name) starting a résumé position."""

    def __init__(self):
        self.names: list[tuple[str, Unit]] = []
        for u in db.session.scalars(select(Unit)):
            self.names.extend((name, u) for name in unit_names(u) if name)
        self.names.sort(key=lambda item: -len(item[0]))

    def match(self, text: str) -> Unit | None:
        """The unit whose name starts ``text`` (longest name wins; a tie is no match)."""
        found = [(name, u) for name, u in self.names if text.startswith(name)]
        if not found:
            return None
        best = len(found[0][0])
        units = {u.id: u for name, u in found if len(name) == best}
        return next(iter(units.values())) if len(units) == 1 else None


def form_data(form_cls, values: dict) -> tuple[dict, dict[str, str]]:
    """``values`` through ``form_cls`` as a browser would post them: (data, field → message)."""

    class Bound(form_cls):
        def __init__(self, formdata, meta):
            # No database choices: the services check units.
            super(BaseForm, self).__init__(formdata=formdata, meta=meta)
            self.unit_id.choices = []

    form = Bound(formdata=MultiDict({k: v for k, v in values.items() if v is not None}),
                 meta={"csrf": False})
    if form.validate():
        return form.data_for_service(), {}
    return {}, {k: v[0] for k, v in form.errors.items() if v}


def plan_posts(lines: list[ResumeLine], matcher: UnitMatcher,
               unmatched: list[ResumeLine]) -> list[tuple[Unit, ResumeLine]]:
    """(unit, line) of each résumé line naming a unit; the others go to ``unmatched``."""
    planned = []
    for line in lines:
        if line.start is None:
            line.reason = "不是以起止年月开头的任职经历（如学习经历的补充说明），未导入为任职经历。"
            unmatched.append(line)
            continue
        unit = matcher.match(line.position)
        if unit is None:
            line.reason = "未找到与之对应的系统单位（按单位名称开头匹配），未导入为任职经历。"
            unmatched.append(line)
            continue
        planned.append((unit, line))
    return planned


def save_posts(official: Official, planned, problems: list[tuple[str, str]]) -> tuple[int, int]:
    """Create or update the planned posts (matched by unit and start); (created, updated)."""
    existing = {(p.unit_id, p.start_date): p for p in db.session.scalars(
        select(Post).where(Post.official_id == official.id))}
    created = updated = 0
    for unit, line in planned:
        post = existing.get((unit.id, line.start))
        values = {"unit_id": str(unit.id), "title": line.position,
                  "start_date": line.start.isoformat(),
                  "end_date": line.end.isoformat() if line.end else "",
                  "rank": post.rank if post else ""}  # a select: posted as it stands
        data, errors = form_data(PostForm, values)
        label = f"简历第 {line.number} 行"
        if errors:
            problems.extend((label, m) for m in errors.values())
            continue
        if post is not None:  # what the 简历 does not say (principal, note…) is kept
            data = {k: v if k in values else getattr(post, k) for k, v in data.items()}
        if post is not None and all(getattr(post, k) == v for k, v in data.items()):
            continue
        try:
            save_post(official, post, data)
        except ValidationFailed as exc:
            problems.extend((label, m) for m in exc.errors.values())
            continue
        if post is None:
            created += 1
        else:
            updated += 1
    return created, updated
