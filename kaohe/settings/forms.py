"""A WTForms form generated from the settings registry."""
from __future__ import annotations

from types import SimpleNamespace

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from kaohe.core.forms import BaseForm, choice_list, FiniteDecimalField
from kaohe.settings.registry import DEFINITIONS, SettingDef, month_day


def _field(d: SettingDef):
    label = d.label + (f"（{d.unit}）" if d.unit else "")
    description = f"默认：{d.default}" + (f"；{d.help}" if d.help else "")
    if d.kind == "choice":
        return SelectField(label, choices=choice_list((c, c) for c in d.choices), description=description)
    if d.kind == "text":
        return StringField(label, validators=[Length(max=500)], description=description)
    if d.kind == "month_day":
        return StringField(label, validators=[InputRequired("请填写日期（月-日）。"), _month_day],
                           description=description)
    cls = IntegerField if d.kind == "int" else FiniteDecimalField
    return cls(label, description=description, validators=[
        InputRequired("请输入数字。"),
        NumberRange(d.min, d.max, message=f"取值应在 {d.min} 到 {d.max} 之间。")])


def _month_day(_form, field) -> None:
    try:
        month_day(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def settings_form(values: dict, formdata=None, revision: int | None = None) -> BaseForm:
    """Build the form with one field per registered setting, keyed by a safe field name.

    With ``revision`` (:func:`kaohe.settings.services.revision`) the form carries it
    as its hidden ``version``, so a stale settings page is refused like a stale record.
    """

    class SettingsForm(BaseForm):
        pass

    for d in DEFINITIONS:
        setattr(SettingsForm, field_name(d.key), _field(d))
    data = {field_name(k): v for k, v in values.items()}
    kwargs = {"data": data, "obj": settings_record(values, revision)} if revision else {"data": data}
    return SettingsForm(formdata=formdata, **kwargs) if formdata is not None else SettingsForm(**kwargs)


def settings_record(values: dict, revision: int) -> SimpleNamespace:
    """The stored settings as one record (field name → value) at ``revision``."""
    return SimpleNamespace(version=revision, **{field_name(k): v for k, v in values.items()})


def field_name(key: str) -> str:
    return key.replace(".", "__")
