"""Create / edit / soft-delete views for records that belong to one official.

Results, reviews, notes and posts share the same flow; each feature registers
it on its own guarded blueprint with its model, form and service.
"""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kaohe.auth.permissions import can_view_official
from kaohe.core import locking
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db
from kaohe.officials.models import Official

CONFLICT_MESSAGE = "保存失败：与已有记录冲突（可能他人刚刚录入了相同记录），请核对后重试。"


def official_or_404(official_id: int):
    if not can_view_official(official_id):
        abort(403)
    return db.get_or_404(Official, official_id, description="干部不存在。")


def run_form(form, save: Callable[[], object], record=None,
             current: dict | None = None) -> object | None:
    """Validate ``form``, call ``save``, commit once; on refusal show errors and save nothing.

    With ``record`` (the versioned record being edited, which ``form`` was built
    from), a stale edit is refused and the form shows the newer values; ``current``
    gives the stored value of fields that are not plain attributes of ``record``.
    """
    if not form.validate_on_submit():
        return None
    if record is not None and _stale(form, record, current):
        return None
    try:
        result = save()
        db.session.commit()
        return result
    except ValidationFailed as exc:
        db.session.rollback()
        form.apply_errors(exc.errors)
    except IntegrityError:
        db.session.rollback()
        form.form_errors.append(CONFLICT_MESSAGE)
    except StaleDataError:  # another request committed between our read and our write
        db.session.rollback()
        if not _stale(form, record, current):
            form.form_errors.append(locking.RACE_MESSAGE)
    return None


def _stale(form, record, current: dict | None = None) -> bool:
    """Attach the conflict (if any) to ``form``: message, newer values, current version."""
    if getattr(form, "version", None) is None:
        raise TypeError("a versioned edit needs its form built with obj=record")
    fields = [f for f in form if f.name not in ("csrf_token", "submit", "version")]
    # Not form.version.data: a missing field would silently fall back to obj's version.
    submitted = form.version.raw_data[0] if form.version.raw_data else None
    conflict = locking.find_conflict(
        record, submitted, {f.name: f.data for f in fields},
        labels={f.name: str(f.label.text) for f in fields}, current=current,
        choices={f.name: f.choices for f in fields if isinstance(getattr(f, "choices", None), list)})
    if conflict is None:
        return False
    form.conflict = conflict
    form.form_errors.append(conflict.message)
    for change in conflict.changes:
        form[change.field].newer_value = change.current
    # Re-submitting the page now means "mine wins", knowingly.
    form.version.data = str(conflict.version)
    return True


def register_record_views(bp: Blueprint, *, model, form_cls, save, title: str,
                          anchor: str, template: str = "records/form.html",
                          back: str = "officials.profile") -> None:
    """Add ``new``, ``edit`` and ``delete`` endpoints for ``model`` to ``bp``.

    ``bp`` must have a url_prefix containing ``<int:official_id>``;
    ``save(official, item_or_None, data)`` is the feature's service; after a save or
    a delete the user returns to ``back`` (an endpoint taking ``official_id``) at ``anchor``.
    """

    def item_or_404(official, item_id):
        item = db.session.get(model, item_id)
        if item is None or item.official_id != official.id:
            abort(404)
        return item

    def back_to(official):
        return redirect(url_for(back, official_id=official.id, _anchor=anchor))

    def edit_view(official_id: int, item_id: int | None = None):
        official = official_or_404(official_id)
        item = item_or_404(official, item_id) if item_id else None
        form = form_cls(obj=item)
        if hasattr(form, "prepare"):
            form.prepare(official)
        if run_form(form, lambda: save(official, item, form.data_for_service()),
                    record=item) is not None:
            flash(f"{title}已保存。", "success")
            return back_to(official)
        return render_template(template, form=form, official=official, item=item,
                               title=("修改" if item else "新增") + title)

    def delete_view(official_id: int, item_id: int):
        official = official_or_404(official_id)
        item_or_404(official, item_id).soft_delete()
        db.session.commit()
        flash(f"{title}已删除（删除记录保留在审计日志中）。", "info")
        return back_to(official)

    bp.add_url_rule("/new", "new", edit_view, methods=["GET", "POST"])
    bp.add_url_rule("/<int:item_id>/edit", "edit", edit_view, methods=["GET", "POST"])
    bp.add_url_rule("/<int:item_id>/delete", "delete", delete_view, methods=["POST"])
