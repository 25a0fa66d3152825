"""A WTForms form generated from the settings registry."""
from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from kaohe.core.forms import BaseForm, FiniteDecimalField
from kaohe.settings.registry import DEFINITIONS, SettingDef


def _field(d: SettingDef):
    label = d.label + (f"（{d.unit}）" if d.unit else "")
    description = f"默认：{d.default}" + (f"；{d.help}" if d.help else "")
    if d.kind == "choice":
        return SelectField(label, choices=[(c, c) for c in d.choices], description=description)
    if d.kind == "text":
        return StringField(label, validators=[Length(max=500)], description=description)
    cls = IntegerField if d.kind == "int" else FiniteDecimalField
    return cls(label, description=description, validators=[
        InputRequired("请输入数字。"),
        NumberRange(d.min, d.max, message=f"取值应在 {d.min} 到 {d.max} 之间。")])


def settings_form(values: dict, formdata=None) -> BaseForm:
    """Build the form with one field per registered setting, keyed by a safe field name."""

    class SettingsForm(BaseForm):
        pass

    for d in DEFINITIONS:
        setattr(SettingsForm, field_name(d.key), _field(d))
    data = {field_name(k): v for k, v in values.items()}
    return SettingsForm(formdata=formdata, data=data) if formdata is not None else SettingsForm(data=data)


def field_name(key: str) -> str:
    return key.replace(".", "__")
