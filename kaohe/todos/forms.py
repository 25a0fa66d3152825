"""The opt-in form of the e-mail digest."""
from __future__ import annotations

from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length

from kaohe.core.forms import BaseForm


class DigestForm(BaseForm):
    email = StringField("电子邮件地址", validators=[Length(max=254)])
    active = BooleanField("每天早上把我的待办事项发到这个邮箱")
    submit = SubmitField("保存")
