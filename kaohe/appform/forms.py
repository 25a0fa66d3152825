"""Form of 「打印任免审批表」: paper size and 计算年龄时间 (a GET form: nothing is saved)."""
from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import DataRequired, InputRequired

from kaohe.appform.services import SIZES
from kaohe.core import clock
from kaohe.core.forms import BaseForm, ChineseDateField, choice_list


class PrintForm(BaseForm):
    class Meta:
        csrf = False  # read-only: the PDF is drawn, nothing is stored

    # The paper size asserts no fact about the official: A4, the standard, is preset.
    size = RadioField("纸张", choices=choice_list((s, s) for s in SIZES), default="A4",
                      validators=[InputRequired("请选择纸张规格。")])
    as_of = ChineseDateField("计算年龄时间", default=clock.today,
                             validators=[DataRequired("请填写计算年龄时间。")],
                             description="表中年龄按该日期计算（默认今天）")
