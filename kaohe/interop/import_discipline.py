"""Import of discipline findings (纪检监察问题线索) through the discipline service.

Rows are matched on (official, 发现日期, 问题来源): the same file imported again
changes nothing, and a later file with the same key updates the finding (e.g.
its status once the case is closed). When the system holds several findings of
one official with the same date and source, the row must repeat the summary of
one of them. Every row goes through the finding form and
:func:`kaohe.discipline.services.save_finding` (which also records a change of
the details without their text); the importer is never shown a finding of their
own or of a declared relative (recusal, in ``official_for_row``).
"""
from __future__ import annotations

from sqlalchemy import select

from kaohe.discipline.models import DisciplineFinding
from kaohe.discipline.services import save_finding
from kaohe.extensions import db
from kaohe.interop.row_check import RowProblems, changed, official_for_row

CHUNK = 500


def _existing(run) -> dict:
    """Findings of the file's officials by (official, found date, source)."""
    if "findings" not in run.cache:
        by_key: dict = {}
        ids = sorted(o.id for o in run.lookup.officials.values())
        for i in range(0, len(ids), CHUNK):
            for f in db.session.scalars(select(DisciplineFinding).where(
                    DisciplineFinding.official_id.in_(ids[i:i + CHUNK]))
                    .order_by(DisciplineFinding.id)):
                by_key.setdefault((f.official_id, f.found_date, f.source), []).append(f)
        run.cache["findings"] = by_key
    return run.cache["findings"]


def import_finding(raw, run):
    official = official_for_row(raw, run.lookup)  # refuses the user's own and relatives' (回避)
    data = run.validated(raw)
    key = (official.id, data["found_date"], data["source"])
    run.once(key, "found_date", "干部、发现日期和问题来源")
    candidates = _existing(run).get(key, [])
    if len(candidates) > 1:
        same = [f for f in candidates if f.summary == data["summary"]]
        if len(same) != 1:
            raise RowProblems({"summary": "系统中该干部同一发现日期、同一来源的问题线索有多条，"
                                          "请使情况摘要与其中一条一致，或在页面上修改。"})
        candidates = same
    finding = candidates[0] if candidates else None
    data = run.with_current(raw, data, finding)
    if finding is not None and not changed(finding, data):
        return "unchanged"
    saved = save_finding(official, finding, data)
    if finding is None:
        _existing(run)[key] = [saved]
    return "updated" if finding is not None else "created"
