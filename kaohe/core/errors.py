"""Errors raised by services and understood by views, CLI and API."""
from __future__ import annotations


class ValidationFailed(Exception):
    """A business rule refused the input; ``errors`` maps field name → Chinese message."""

    def __init__(self, errors: dict[str, str] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "_": errors}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
