from flask import Blueprint

from kaohe.reviews.forms import ReviewForm
from kaohe.reviews.models import Review
from kaohe.reviews.services import save_review
from kaohe.auth.permissions import P, guard
from kaohe.core.crud import register_record_views

bp = guard(Blueprint("reviews", __name__, url_prefix="/officials/<int:official_id>/reviews"),
           read=P.OFFICIALS_WRITE)
register_record_views(bp, model=Review, form_cls=ReviewForm, save=save_review, title="研判记录",
                      anchor="reviews")
