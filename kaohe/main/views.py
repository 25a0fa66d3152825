"""Home page fitting the user's role."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from kaohe.assessments.models import AssessmentResult
from kaohe.auth.permissions import P, can
from kaohe.core.estimates import count_label
from kaohe.officials.models import Official
from kaohe.reviews.models import Review
from kaohe.units.models import Unit

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/home")
@login_required
def home():
    stats = {}
    if can(P.OFFICIALS_READ):
        stats["officials"] = count_label(Official)
        stats["results"] = count_label(AssessmentResult)
        stats["reviews"] = count_label(Review)
    if can(P.UNITS_READ):
        stats["units"] = count_label(Unit)
    return render_template("main/home.html", stats=stats, role=current_user.role)
