"""Form of the 「生成考评材料」 action."""
from __future__ import annotations

from wtforms import SubmitField
from wtforms.validators import DataRequired

from kaohe.core import clock
from kaohe.core.forms import BaseForm, ChineseDateField


class DossierForm(BaseForm):
    # Pre-filled with today (Beijing); a request without the field also means today.
    as_of = ChineseDateField("材料截止日期", default=clock.today,
                             validators=[DataRequired("请填写材料截止日期。")],
                             description="考评年度为该日期之前的完整年度")
    submit = SubmitField("生成考评材料")
