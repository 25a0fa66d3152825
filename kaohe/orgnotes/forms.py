from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from kaohe.core.forms import BaseForm, choice_list, ChineseDateField
from kaohe.orgnotes.models import NOTE_KINDS, NOTE_RESULTS


class NoteForm(BaseForm):
    date = ChineseDateField("日期", validators=[DataRequired("请填写日期。")])
    # Nothing preselected: a forgotten choice would record a 个人有关事项报告核查 found
    # 「一致/无问题」.
    kind = SelectField("类别", choices=choice_list(NOTE_KINDS, "请选择"),
                       validators=[InputRequired("请选择类别。")])
    result = SelectField("结果", choices=choice_list(NOTE_RESULTS, "请选择"),
                         validators=[InputRequired("请选择结果。")])
    content = TextAreaField("具体内容", validators=[DataRequired("请填写具体内容。"), Length(max=4000)])
    outcome = TextAreaField("处理结果", validators=[Length(max=4000)])
    submit = SubmitField("保存")
