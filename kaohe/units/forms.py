from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from kaohe.core.forms import BaseForm, choice_list, optional_int
from kaohe.core.limits import MAX_INT, bounded_int
from kaohe.units.models import UNIT_KINDS
from kaohe.units.services import tree


def unit_choices(blank: str | None = "（请选择）") -> list:
    return choice_list(((u.id, "　" * depth + u.name) for u, depth in tree()), blank)


def coerce_id(value):
    """Coerce a select's value to int, keeping '' as None (unknown → None)."""
    if value in (None, "", "None"):
        return None
    number = bounded_int(value)
    return -1 if number is None else number  # -1 is never an id: "does not exist"


class UnitSelectField(SelectField):
    """Select of units; unknown ids are reported by the service, not as 'invalid choice'."""

    def __init__(self, label, blank="（请选择）", **kw):
        super().__init__(label, coerce=coerce_id, validate_choice=False, **kw)
        self.blank = blank

    def populate(self) -> None:
        self.choices = unit_choices(self.blank)


class UnitForm(BaseForm):
    code = StringField("单位代码", validators=[DataRequired("请填写单位代码。"), Length(max=32)])
    name = StringField("单位名称", validators=[DataRequired("请填写单位名称。"), Length(max=100)])
    kind = SelectField("单位类型", choices=choice_list(UNIT_KINDS))
    parent_id = UnitSelectField("上级单位", blank="（无，顶级）")
    leader_in_charge = StringField("市级分管领导", validators=[Length(max=64)])
    sort_order = optional_int("排序", low=-MAX_INT, default=0)
    submit = SubmitField("保存")
