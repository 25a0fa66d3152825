"""Forms of a discussion's batch work (the 征求意见函)."""
from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from kaohe.core.forms import BaseForm, ChineseDateField


class LetterForm(BaseForm):
    number = StringField("文号", validators=[InputRequired("请填写文号。"), Length(max=64)],
                         description="如“组干函〔2026〕12号”")
    dated = ChineseDateField("发函日期", validators=[InputRequired("请填写发函日期。")],
                             description="即各干部的征求日期，不能晚于今天")
    submit = SubmitField("一并征求并生成征求意见函")
