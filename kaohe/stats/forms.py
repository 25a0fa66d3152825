import datetime as dt

from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from kaohe.core.forms import BaseForm, ChineseDateField, choice_list
from kaohe.units.forms import UnitSelectField

SCOPES = {"city": "全市", "unit": "单位（含下属单位）", "team": "单位班子"}


class StatsForm(BaseForm):
    """The report's query string (a GET form: no CSRF token)."""

    class Meta(BaseForm.Meta):
        csrf = False

    scope = SelectField("统计范围", choices=choice_list(SCOPES), default="city")
    unit_id = UnitSelectField("单位", blank="（请选择单位）")
    as_of = ChineseDateField("统计日期", validators=[Optional()])

    def validate_unit_id(self, field) -> None:
        if self.scope.data in ("unit", "team") and not field.data:
            raise ValidationError("按单位或班子统计时请选择单位。")

    def validate_as_of(self, field) -> None:
        if field.data is not None:
            try:
                check_day(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None


def check_day(day: dt.date) -> None:
    """Refuse a report date outside the years records can have (ValueError)."""
    if not 1950 <= day.year <= 2100:
        raise ValueError("统计日期应在 1950 年至 2100 年之间。")
