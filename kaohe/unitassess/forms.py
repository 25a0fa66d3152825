"""Forms of the unit assessment; the services hold the rules, forms only parse input."""
from __future__ import annotations

from decimal import Decimal

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kaohe.core.forms import BaseForm, choice_list, ChineseDateField, FiniteDecimalField
from kaohe.core.limits import MAX_INT
from kaohe.unitassess import ROUNDS
from kaohe.unitassess.models import EVENT_KINDS, GROUPS, METHODS


def _int_or_none(value):
    """A record id from a select, or None (no choice, not a number, or beyond the
    database's integer range: such an id can name no record, and would make the
    driver fail instead of giving the message next to the field)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_INT else None


def _select(label, choices=(), **kw):
    return SelectField(label, choices=choice_list(choices), coerce=_int_or_none, validate_choice=False,
                       **kw)


# The largest magnitude each NUMERIC column takes (models: Points = Numeric(8, 2),
# ratios Numeric(6, 3), target/actual Numeric(16, 4)); PostgreSQL refuses more (a 500).
_LIMITS = {2: Decimal("999999.99"), 3: Decimal("999.999"), 4: Decimal("999999999999.9999")}


def _num(label, places=2, required=False, **kw):
    """A finite number (NaN and infinities refused) that fits its column."""
    validators = [InputRequired(message="请填写此项。")] if required else [Optional()]
    limit = _LIMITS[places]
    validators.append(NumberRange(-limit, limit, message=f"数值超出允许范围（绝对值不超过 {limit}）。"))
    return FiniteDecimalField(label, places=places, validators=validators, **kw)


def _sort_order():
    return IntegerField("排序", validators=[Optional(), NumberRange(
        -MAX_INT - 1, MAX_INT, message="排序应为 -2147483648 到 2147483647 之间的整数。")],
        default=0)


class SchemeForm(BaseForm):
    year = IntegerField("年度", validators=[InputRequired(message="请填写年度。")])
    group = SelectField("考核组（单位类型）", choices=choice_list(GROUPS), validate_choice=False)
    name = StringField("方案名称", validators=[Length(max=200)])
    public_weight = _num("民评官权重（分）", description="计入总分的群众评议分值")
    total_points = _num("满分", description="各项指标分值 + 民评官权重应等于满分")
    note = TextAreaField("说明")


class CopyForm(BaseForm):
    year = IntegerField("新方案年度", validators=[InputRequired(message="请填写年度。")])


class CategoryForm(BaseForm):
    name = StringField("类别名称", validators=[Length(max=64)])
    sort_order = _sort_order()


class IndicatorForm(BaseForm):
    category_id = _select("类别")
    code = StringField("指标编号", validators=[Length(max=32)])
    name = StringField("指标名称", validators=[Length(max=200)])
    max_points = _num("分值")
    method = SelectField("计分方法", choices=choice_list(METHODS), validate_choice=False)
    higher_is_better = BooleanField("数值越大越好", default=True)
    floor_ratio = _num("下限（比例）", places=3, default=0.5,
                       description="完成率低于下限得 0 分；排名法末位得分比例")
    cap_ratio = _num("封顶系数", places=3, default=1, description="完成率法最高按此比例计分")
    grade_map = StringField("等次折算（定性）", validators=[Length(max=200)],
                            description="例如 好=1;较好=0.85;一般=0.7;差=0.4")
    unit_label = StringField("计量单位", validators=[Length(max=32)])
    sort_order = _sort_order()


class ResultForm(BaseForm):
    unit_id = _select("单位")
    indicator_id = _select("指标")
    round = SelectField("考核轮次", choices=choice_list(ROUNDS, "请选择"), validate_choice=False)
    target = _num("全年目标值", places=4)
    actual = _num("累计实际完成值", places=4)
    grade = StringField("定性等次", validators=[Length(max=16)])
    note = TextAreaField("备注")


class RatingForm(BaseForm):
    unit_id = _select("单位")
    round = SelectField("考核轮次", choices=choice_list(ROUNDS, "请选择"), validate_choice=False)
    score = _num("民评官成绩（百分制）")
    source = StringField("来源", validators=[Length(max=200)],
                         description="如 群众满意度调查、电视问政")


class EventForm(BaseForm):
    unit_id = _select("单位")
    # No kind preselected: the first is 省级表彰加分, which counts double.
    kind = SelectField("类型", choices=choice_list(((k, v[0]) for k, v in EVENT_KINDS.items()),
                                                 "请选择"), validate_choice=False)
    date = ChineseDateField("日期", validators=[Optional()])
    points = _num("分值（正数）", description="省级加减分按设置倍数计入")
    reason = TextAreaField("事由")
    evidence = TextAreaField("依据（文件文号、通报等）")


class InterviewForm(BaseForm):
    # default "": a POST without the field still gives a text (the view compares it).
    leader_name = StringField("被约谈的主要负责人", validators=[Length(max=64)], default="")
    date = ChineseDateField("约谈日期", validators=[Optional()])
    reason = StringField("约谈事由", validators=[Length(max=200)])
    notes = TextAreaField("约谈情况记录")
