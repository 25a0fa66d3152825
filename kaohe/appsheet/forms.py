"""Forms of the appointment-form facts and of a family member; lengths from the spec."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kaohe.appform.data import is_deceased
from kaohe.appsheet import family, services
from kaohe.core.forms import BaseForm


def _text(label: str, key: str, area: bool = False, **kw):
    limit = services.MAX[key]
    return (TextAreaField if area else StringField)(
        label, validators=[Length(max=limit, message=f"不能超过 {limit} 个字。")], **kw)


class SheetForm(BaseForm):
    birth_place = _text("出生地", "birth_place")
    health = _text("健康状况", "health", render_kw={"placeholder": "如 健康"})
    tech_title = _text("专业技术职务", "tech_title")
    specialty = _text("熟悉专业有何专长", "specialty")
    degree_school_fulltime = _text("毕业院校系及专业（全日制教育学位）",
                                   "degree_school_fulltime")
    degree_school_inservice = _text("毕业院校系及专业（在职教育学位）",
                                    "degree_school_inservice")
    proposed_post = _text("拟任职务", "proposed_post", area=True)
    proposed_removal = _text("拟免职务", "proposed_removal", area=True)
    rewards = _text("奖惩情况", "rewards", area=True,
                    description="无奖惩的留空，打印为“无”")
    reason = _text("任免理由", "reason", area=True)
    reporting_unit = _text("呈报单位", "reporting_unit")
    filled_by = _text("填表人", "filled_by", description="留空时打印或导出者为填表人")
    submit = SubmitField("保存")


def _member_text(label: str, key: str, required: bool = False, **kw) -> StringField:
    limit = family.MAX[key]
    validators = [DataRequired(f"请填写{label}。")] if required else []
    return StringField(label, validators=[
        *validators, Length(max=limit, message=f"不能超过 {limit} 个字。")], **kw)


class FamilyForm(BaseForm):
    relation = _member_text("称谓", "relation", required=True, render_kw={"placeholder": "如 妻子、父亲"})
    name = _member_text("姓名", "name", required=True)
    birth = StringField("出生日期", validators=[Length(max=20)],
                        description="年月（1975.03）或年月日（1975.03.08）；已去世的不填",
                        render_kw={"placeholder": "1975.03"})
    deceased = BooleanField("已去世", description="姓名后注明（已去世）")
    political_status = _member_text("政治面貌", "political_status",
                                    render_kw={"placeholder": "如 中共党员、群众"})
    work = _member_text("工作单位及职务", "work", description="已退休的写明原单位及职务（已退休）")
    sort_order = IntegerField("排序", validators=[Optional(), NumberRange(
        0, 999, "排序应在 0 到 999 之间。")], description="留空排在最后")
    submit = SubmitField("保存")

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None and not self.is_submitted():
            self.name.data = family.bare_name(obj.name)
            self.birth.data = family.birth_text(obj)
            self.deceased.data = is_deceased(obj)
