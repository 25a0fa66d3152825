"""Form base class and fields shared by every feature."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from kaohe.core import signed
from kaohe.core.limits import MAX_INT


class BaseForm(FlaskForm):
    """FlaskForm with WTForms' Simplified Chinese messages.

    A form built for a versioned record (``obj`` with an integer ``version``) keeps
    the hidden ``version`` field for optimistic locking (:mod:`kaohe.core.locking`);
    every other form drops it.
    """

    class Meta:
        locales = ["zh"]

    version = HiddenField()

    def __init__(self, *args, **kwargs):
        if has_request_context() and current_app.config.get("WTF_CSRF_ENABLED", True):
            # The CSRF field then takes the session's token as signed once
            # (kaohe.core.signed), the token every other form of the session carries.
            signed.csrf_token()
        super().__init__(*args, **kwargs)
        obj = kwargs.get("obj")
        if not isinstance(getattr(obj, "version", None), int) or isinstance(obj.version, bool):
            del self.version
        for field in self:
            if hasattr(field, "populate"):  # selects whose choices come from the database
                field.populate()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            # Input that could not be read (a bad date, "abc" as a number): say only that.
            # Otherwise DataRequired replaces it with "please fill in" and range checks
            # add a second, misleading message.
            raw = getattr(field, "raw_data", None)
            if field.process_errors and raw and str(raw[0]).strip():
                field.errors = list(field.process_errors)
        return valid

    def apply_errors(self, errors: dict[str, str]) -> None:
        """Show service-level errors next to their fields (or at the form top)."""
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [message]
            else:
                self.form_errors.append(message)

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.data.items()
                if k not in ("csrf_token", "submit", "version")}


def choice_list(pairs, blank: str | None = None) -> list[SelectChoice]:
    """SelectField choices from ``(value, label)`` pairs or a ``{value: label}`` mapping;
    ``blank`` adds a first option with the empty value."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(value, label) for value, label in items]


class ChineseDateField(DateField):
    """Date field whose parse error says what format is expected."""

    def process_formdata(self, valuelist):
        # The usual input, zero-padded YYYY-MM-DD, without strptime: an Excel import
        # parses four dates a row (issue 17). Anything else goes the general way.
        if len(valuelist) == 1 and self.format == ["%Y-%m-%d"]:
            text = valuelist[0]
            if (isinstance(text, str) and len(text) == 10 and text[4] == text[7] == "-"
                    and text.replace("-", "").isascii() and text.replace("-", "").isdigit()):
                try:
                    self.data = dt.date.fromisoformat(text)
                    return
                except ValueError:
                    pass  # 2021-02-30: the message below
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("日期格式不正确，请按 YYYY-MM-DD 填写，例如 2020-04-10。") from exc


def optional_int(label: str, low: int = 0, high: int = MAX_INT, **kw) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(low, high)], **kw)


class FiniteDecimalField(DecimalField):
    """Decimal field refusing NaN and infinities (sNaN would crash NumberRange)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        # Only parsed input is checked: without it, data is the default (may be a float).
        if valuelist and self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


def optional_score(label: str, **kw) -> DecimalField:
    return FiniteDecimalField(label, places=2, validators=[
        Optional(), NumberRange(0, 100, message="分数应在 0 到 100 之间。")], **kw)
