from flask import Blueprint

from kaohe.orgnotes.forms import NoteForm
from kaohe.orgnotes.models import OrgNote
from kaohe.orgnotes.services import save_note
from kaohe.auth.permissions import P, guard
from kaohe.core.crud import register_record_views

bp = guard(Blueprint("orgnotes", __name__, url_prefix="/officials/<int:official_id>/notes"),
           read=P.OFFICIALS_WRITE)
register_record_views(bp, model=OrgNote, form_cls=NoteForm, save=save_note, title="组织掌握情况",
                      anchor="notes")
