"""Forms of the 考察材料. Business rules live in the services; forms only read."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from kaohe.core.forms import BaseForm, ChineseDateField, choice_list
from kaohe.kaocha.models import RECOMMENDATION_KINDS
from kaohe.kaocha.services import MAX_PARTICIPANTS


class DraftForm(BaseForm):
    """The signature block of the draft; read from the query string (a download)."""

    class Meta:
        csrf = False

    group = StringField("考察组", validators=[Length(max=100)],
                        description="例如：市委组织部考察组；可留空，在 Word 中填写")
    inspectors = StringField("考察人", validators=[Length(max=200)],
                             description="考察组成员姓名，用顿号分隔")
    date = ChineseDateField("落款日期", validators=[InputRequired("请填写落款日期。")])
    submit = SubmitField("生成考察材料初稿（Word）")


class RecommendationForm(BaseForm):
    kind = SelectField("推荐方式", choices=choice_list(RECOMMENDATION_KINDS, "请选择"),
                       validators=[InputRequired("请选择推荐方式。")])
    held_on = ChineseDateField("推荐日期", validators=[InputRequired("请填写推荐日期。")])
    scope = StringField("推荐范围", validators=[Length(max=200)],
                        description="例如：区委全委会成员、区直单位主要负责人")
    participants = IntegerField("参加人数", validators=[
        InputRequired("请填写参加人数。"),
        NumberRange(1, MAX_PARTICIPANTS, f"参加人数应为 1 到 {MAX_PARTICIPANTS} 之间的整数。")])
    votes = IntegerField("得票数", validators=[
        InputRequired("请填写得票数。"),
        NumberRange(0, MAX_PARTICIPANTS, "得票数应为不小于 0、不超过参加人数的整数。")])
    note = TextAreaField("说明", validators=[Length(max=2000)])
    submit = SubmitField("保存")


class ReportForm(BaseForm):
    file = FileField("考察材料定稿", description="PDF 或 Word（.docx）文件，不超过 5 MB；"
                                            "上传后冻结保存，不能修改，只能上传新版本")
    reason = TextAreaField("更换原因", validators=[Length(max=2000)],
                           description="上传新版本时必填；原版本保留")
    submit = SubmitField("上传并冻结")
