"""Reads of the moves' records (no rules: shared by the state, the writes and the views)."""
from __future__ import annotations

from sqlalchemy import select

from kaohe.core.perkey import PerKey
from kaohe.discussions.models import AgendaItem
from kaohe.extensions import db
from kaohe.moves.models import Appointment, MoveAssessment, MoveTalk, MoveTraining

ORDER = {MoveTalk: MoveTalk.talked_on, MoveAssessment: MoveAssessment.done_on,
         MoveTraining: MoveTraining.id}


def _reads(model) -> PerKey:
    return PerKey(lambda: select(model).where(model.deleted_at.is_(None))
                  .order_by(ORDER[model], model.id), lambda: model.item_id)


# An agenda bundle reads every item's (issue 17; kaohe.core.perkey).
_RECORDS = {model: _reads(model) for model in ORDER}


def item_records(item: AgendaItem, model) -> list:
    """The live records of ``model`` (talks, assessments, trainings) of ``item``, oldest first."""
    return _RECORDS[model](item.id)


def appointment_of(item: AgendaItem) -> Appointment | None:
    return db.session.scalar(select(Appointment).where(Appointment.item_id == item.id))
