"""The registry of job kinds: what a feature declares with :func:`job_kind`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from kaohe.auth.models import User
    from kaohe.jobs.models import Job
    from kaohe.jobs.runner import JobContext


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # Chinese, shown on the progress page
    handler: Callable[["JobContext"], dict | None]
    max_attempts: int = 3
    # Who besides the job's creator may read it (progress page, result).
    can_read: Callable[["Job", "User"], bool] | None = None
    # Template included on the progress page once the job is done (gets ``job``).
    result_template: str | None = None


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, label: str, *, max_attempts: int = 3,
             can_read: Callable[["Job", "User"], bool] | None = None,
             result_template: str | None = None):
    """Decorator declaring the handler of job kind ``name`` (see :mod:`kaohe.jobs`)."""
    def decorator(handler):
        KINDS[name] = JobKind(name, label, handler, max_attempts, can_read, result_template)
        return handler

    return decorator


def kind_of(name: str) -> JobKind | None:
    return KINDS.get(name)
