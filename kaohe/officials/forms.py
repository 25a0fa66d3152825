from flask_wtf.file import FileAllowed, FileField
from wtforms import (BooleanField, IntegerField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from kaohe.core.forms import BaseForm, choice_list, ChineseDateField
from kaohe.officials.education import DEGREE_SUGGESTIONS, EDUCATION_SUGGESTIONS
from kaohe.officials.models import DEMOCRATIC_PARTIES, GENDERS, POLITICAL_STATUSES, RANKS
from kaohe.search.forms import ExtraFilterFields
from kaohe.units.forms import UnitSelectField


def _choices(values, blank="（无）"):
    return choice_list(((v, v) for v in values), blank)


class OfficialForm(BaseForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=64)])
    gender = SelectField("性别", choices=choice_list(GENDERS, "请选择"),  # never 男 by default
                         validators=[InputRequired("请选择性别。")])
    birth_date = ChineseDateField("出生年月", validators=[DataRequired("请填写出生日期。")])
    ethnicity = StringField("民族", default="汉族", validators=[Length(max=16)])
    native_place = StringField("籍贯", validators=[Length(max=64)])
    # Optional: "" is an affiliation not recorded yet (the service reads a CCP date as 中共党员).
    political_status = SelectField("政治面貌", choices=_choices(POLITICAL_STATUSES, "（未记录）"),
                                   default="")
    party_date = ChineseDateField("入党时间（中共）", validators=[Optional()])
    democratic_party = SelectField("民主党派", choices=_choices(DEMOCRATIC_PARTIES), default="")
    democratic_party_date = ChineseDateField("加入民主党派时间", validators=[Optional()])
    work_start_date = ChineseDateField("参加工作时间", validators=[Optional()])
    # 学历 keeps its 党校 marker and 学位 its discipline: text, with suggestions.
    edu_fulltime = StringField("全日制教育学历", validators=[Length(max=54)],
                               render_kw={"list": "education-options"})
    degree_fulltime = StringField("全日制教育学位", validators=[Length(max=54)],
                                  render_kw={"list": "degree-options"})
    school_fulltime = StringField("毕业院校系及专业（全日制）", validators=[Length(max=90)])
    edu_inservice = StringField("在职教育学历", validators=[Length(max=54)],
                                render_kw={"list": "education-options"})
    degree_inservice = StringField("在职教育学位", validators=[Length(max=54)],
                                   render_kw={"list": "degree-options"})
    school_inservice = StringField("毕业院校系及专业（在职）", validators=[Length(max=90)])
    unit_id = UnitSelectField("所在单位")
    current_post = StringField("现任职务", validators=[Length(max=324)])
    rank = SelectField("职级", choices=_choices(RANKS, "（请选择）"))
    id_number = StringField("身份证号", validators=[DataRequired("请填写身份证号。"), Length(max=18, message="身份证号应为 18 位。")])
    photo_upload = FileField("照片（可选）", validators=[FileAllowed(["jpg", "jpeg", "png"], "照片须为 JPG 或 PNG 图片。")])
    submit = SubmitField("保存")

    education_suggestions = EDUCATION_SUGGESTIONS
    degree_suggestions = DEGREE_SUGGESTIONS

    def data_for_service(self) -> dict:
        data = super().data_for_service()
        data.pop("photo_upload", None)
        return data


class PostForm(BaseForm):
    unit_id = UnitSelectField("任职单位")
    title = StringField("职务", validators=[DataRequired("请填写职务。"), Length(max=100)])
    rank = SelectField("职级", choices=_choices(RANKS))
    start_date = ChineseDateField("任职时间", validators=[DataRequired("请填写任职时间。")])
    end_date = ChineseDateField("免职时间（在任留空）", validators=[Optional()])
    is_principal = BooleanField("主要负责人")
    probation_months = IntegerField(
        "试用期（月，无试用期留空）",
        validators=[Optional(), NumberRange(1, 24, "试用期应为 1 到 24 个月（一般为 12 个月）。")])
    note = TextAreaField("备注", validators=[Length(max=2000)])
    submit = SubmitField("保存")


class SearchForm(ExtraFilterFields, BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False

    q = StringField("姓名或拼音", validators=[Optional(), Length(max=64)],
                    render_kw={"placeholder": "如 赵刚伟、zgw、zhaogangwei"})
    unit_id = UnitSelectField("单位", blank="（全部单位）")
    # Unknown values in a search are ignored, not reported: see search_form_and_criteria.
    rank = SelectField("职级", choices=_choices(RANKS, "（全部职级）"), validate_choice=False)
    year = SelectField("年度", coerce=str, validate_choice=False)
    grade = SelectField("年度考核等次", choices=[], validate_choice=False)
