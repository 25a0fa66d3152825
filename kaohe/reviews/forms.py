from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from kaohe.core.forms import BaseForm, choice_list, ChineseDateField
from kaohe.reviews.models import CONCLUSIONS, REVIEW_KINDS


class ReviewForm(BaseForm):
    date = ChineseDateField("研判日期", validators=[DataRequired("请填写研判日期。")])
    kind = SelectField("研判类型", choices=choice_list(REVIEW_KINDS))
    author = StringField("研判人", validators=[DataRequired("请填写研判人。"), Length(max=64)])
    # No conclusion preselected: a forgotten choice would record 「好」.
    conclusion = SelectField("研判结论", choices=choice_list(CONCLUSIONS, "请选择"),
                             validators=[InputRequired("请选择研判结论。")])
    strengths = TextAreaField("主要优点", validators=[Length(max=4000)])
    weaknesses = TextAreaField("主要不足", validators=[Length(max=4000)])
    summary = TextAreaField("综合意见", validators=[Length(max=4000)])
    submit = SubmitField("保存")
