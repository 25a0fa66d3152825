"""Reads of the moves' records (no rules: shared by the state, the writes and the views)."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select

from kaohe.discussions.models import AgendaItem
from kaohe.extensions import db
from kaohe.moves.models import Appointment, MoveAssessment, MoveTalk, MoveTraining

ORDER = {MoveTalk: MoveTalk.talked_on, MoveAssessment: MoveAssessment.done_on,
         MoveTraining: MoveTraining.id}


# Built once, on first use, with a parameter: an agenda bundle reads every item's (issue 17).
@cache
def _records(model):
    return select(model).where(model.item_id == bindparam("item"),
                               model.deleted_at.is_(None)).order_by(ORDER[model], model.id)


def item_records(item: AgendaItem, model) -> list:
    """The live records of ``model`` (talks, assessments, trainings) of ``item``, oldest first."""
    return list(db.session.scalars(_records(model), {"item": item.id}))


def appointment_of(item: AgendaItem) -> Appointment | None:
    return db.session.scalar(select(Appointment).where(Appointment.item_id == item.id))
