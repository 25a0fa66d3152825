"""Batch dossiers of a unit as a background job (:mod:`kaohe.jobs`): the page checks what
it can at once and queues the job; any server's worker renders the dossiers
(:func:`~kaohe.dossier.services.generate_batch`), stores them, and keeps the merged PDF
in the job's row for the submitter's download."""
from __future__ import annotations

import datetime as dt
import itertools

from flask import current_app
from sqlalchemy import select

from kaohe import jobs
from kaohe.auth.permissions import recused_official_ids
from kaohe.core.errors import ValidationFailed
from kaohe.dossier import services
from kaohe.extensions import db
from kaohe.jobs.models import Job
from kaohe.officials.models import Official
from kaohe.units.services import descendant_ids, get_unit

KIND = "dossier.batch"


def unit_officials(unit_id: int) -> tuple[list[int], list[int]]:
    """Officials of the unit and its sub-units by name: (ids with records to make a
    dossier from, ids without any record)."""
    ids = list(db.session.scalars(select(Official.id).where(
        Official.unit_id.in_(descendant_ids(unit_id))).order_by(Official.name, Official.id)))
    first = services.earliest_records(ids)
    return [i for i in ids if i in first], [i for i in ids if i not in first]


def submit_batch(unit_id: int | None, as_of: dt.date) -> Job:
    """Check the unit's officials (the current user's 回避 left out) and queue their
    dossiers as one job; raises ValidationFailed. Flush only."""
    unit = get_unit(unit_id)
    ids, skipped = unit_officials(unit.id)
    hidden = recused_official_ids()
    ids = [i for i in ids if i not in hidden]
    if not ids:
        raise ValidationFailed("该单位及其下级单位没有可生成考评材料的干部。", "unit_id")
    services.check_many(ids, as_of)
    return jobs.submit(KIND, {"official_ids": ids, "as_of": as_of.isoformat(),
                              "unit": unit.name, "skipped": len(skipped)},
                       ref=f"unit:{unit.id}", total=len(ids))


@jobs.job_kind(KIND, "批量生成考评材料", result_template="dossier/_batch_result.html")
def run(ctx: jobs.JobContext) -> dict:
    """Render and store the dossiers; the merged PDF (a bookmark per official) is the
    job's file. A run again after a dead worker starts over (nothing was committed)."""
    hidden = recused_official_ids()  # 回避 declared since the job was queued
    ids = [i for i in ctx.payload["official_ids"] if i not in hidden]
    as_of = dt.date.fromisoformat(ctx.payload["as_of"])
    counter = itertools.count(1)
    # Rendering processes fork; one (the default) keeps a threaded worker process safe.
    workers = int(current_app.config.get("KAOHE_DOSSIER_JOB_WORKERS", 1))
    merged, made = services.generate_batch(
        ids, as_of, ctx.created_by_id, workers=workers,
        on_done=lambda: ctx.progress(next(counter), len(ids), "正在生成考评材料"))
    ctx.result_file(merged, f"考评材料汇编_{ctx.payload['unit']}_{as_of.isoformat()}.pdf")
    return {"count": len(made), "first": made[0].number, "last": made[-1].number,
            "unit": ctx.payload["unit"], "as_of": as_of.isoformat(),
            "skipped": ctx.payload["skipped"],
            "recused": len(ctx.payload["official_ids"]) - len(ids)}
