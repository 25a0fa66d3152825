"""The progress page of a job, its JSON status (polled) and its result file."""
from __future__ import annotations

import mimetypes

from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user, login_required

from kaohe.extensions import db
from kaohe.interop.excel_export import download_response
from kaohe.jobs import cleanup, services  # noqa: F401 (cleanup: its periodic task)
from kaohe.jobs.kinds import kind_of
from kaohe.jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.before_request
@login_required
def _signed_in():
    """Any signed-in user; each job is then shown only to whom :func:`readable` allows."""


def job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    # Someone else's job is not found: its existence is not disclosed either.
    if job is None or not services.readable(job, current_user):
        abort(404)
    return job


@bp.get("/<int:job_id>")
def show(job_id: int):
    job = job_or_404(job_id)
    return render_template("jobs/show.html", job=job, kind=kind_of(job.kind),
                           state=services.state(job))


@bp.get("/<int:job_id>/status")
def status(job_id: int):
    return jsonify(services.state(job_or_404(job_id)))


@bp.get("/<int:job_id>/file")
def file(job_id: int):
    job = job_or_404(job_id)
    if job.status != "done" or job.result_blob is None:
        abort(404)
    mimetype = mimetypes.guess_type(job.result_name)[0] or "application/octet-stream"
    return download_response(job.result_blob, job.result_name, mimetype)
