from flask import Blueprint

from kaohe.assessments.forms import ResultForm
from kaohe.assessments.models import AssessmentResult
from kaohe.assessments.services import save_result
from kaohe.auth.permissions import P, guard
from kaohe.core.crud import register_record_views

bp = guard(Blueprint("assessments", __name__, url_prefix="/officials/<int:official_id>/results"),
           read=P.OFFICIALS_WRITE)
register_record_views(bp, model=AssessmentResult, form_cls=ResultForm, save=save_result, title="考核结果",
                      anchor="results")
