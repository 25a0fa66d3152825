"""Attach or refresh every dossier of a discussion in one step, as a background job.

Each item goes through :func:`.services.agenda.attach` (the per-item service): an item
without a dossier gets its first version, one whose dossier is out of date
(:func:`.services.readiness.stale_reasons`) the next version with those reasons, one
up to date is left alone. Items the submitting user is recused from (回避) are skipped
and listed. The job's session commits once at the end, so a failure attaches nothing.
"""
from __future__ import annotations

from flask_login import current_user

from kaohe import jobs
from kaohe.core.errors import ValidationFailed
from kaohe.discussions.models import Discussion
from kaohe.discussions.services import access, agenda, readiness
from kaohe.extensions import db

KIND = "discussions.attach_all"
MAX_REASON = 500


def submit(discussion: Discussion):
    """Queue the job (at the caller's commit); refuses a held meeting or an empty agenda."""
    agenda.ensure_open(discussion)
    if not discussion.items:
        raise ValidationFailed("议程中还没有议题。")
    return jobs.submit(KIND, {"discussion_id": discussion.id},
                       ref=f"discussion_attach:{discussion.id}", total=len(discussion.items))


def refresh_reason(item) -> str | None:
    """None: the current dossier is up to date; else the reason of a new version
    ("" for the first one)."""
    current = item.current_dossier
    if current is None:
        return ""
    stale = readiness.stale_reasons(current, readiness.dossier_context(item.discussion, item))
    return ("批量更新：" + "；".join(stale))[:MAX_REASON] if stale else None


def attach_all(discussion: Discussion, user, progress=lambda done, total, name: None) -> dict:
    """Attach or refresh each item's dossier as ``user`` (None: a job submitted without a
    signed-in user, e.g. from the command line); flush only. Returns the names
    per outcome: attached, refreshed, current (left alone), recused (skipped)."""
    out = {"attached": [], "refreshed": [], "current": [], "recused": []}
    items = discussion.items
    for n, item in enumerate(items, 1):
        name = item.official.name
        progress(n - 1, len(items), name)  # before the item's writes (SQLite: see kaohe.jobs)
        if user is not None and access.recused(item.official_id, user):
            out["recused"].append(name)
        else:
            reason = refresh_reason(item)
            if reason is None:
                out["current"].append(name)
            else:
                agenda.attach(discussion, item.official_id, reason,
                              user.id if user is not None else None)
                out["attached" if reason == "" else "refreshed"].append(name)
    return out


def may_read(job, user) -> bool:
    """Besides its submitter, the discussion's managers see the job's progress."""
    return access.manages(user)


@jobs.job_kind(KIND, "批量附考评材料", can_read=may_read,
               result_template="discussions/_attach_all_result.html")
def attach_all_job(ctx: jobs.JobContext) -> dict:
    """The job, run as its submitter (the runner logs them in: recusal is theirs)."""
    discussion = db.session.get(Discussion, ctx.payload["discussion_id"])
    user = current_user if current_user.is_authenticated else None
    return {"discussion_id": discussion.id, **attach_all(
        discussion, user, lambda d, t, name: ctx.progress(d, t, f"正在处理：{name}"))}
