"""The opt-in form of the e-mail digest, and the query of ``GET /api/v1/todos`` (its
OpenAPI parameters; the view reads them with :func:`kaohe.core.limits.query_int`)."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import Length, NumberRange

from kaohe.core.forms import BaseForm


class DigestForm(BaseForm):
    email = StringField("电子邮件地址", validators=[Length(max=254)])
    active = BooleanField("每天早上把我的待办事项发到这个邮箱")
    submit = SubmitField("保存")


class TodosQuery(BaseForm):
    kind = StringField("待办类别（如 retirement）：该类逐人列出，分页")
    unit_id = IntegerField("单位编号（0：未填写单位），与 kind 同用",
                           validators=[NumberRange(min=0)])
    page = IntegerField("页码", validators=[NumberRange(min=1)])
    per_page = IntegerField("每页条数（至多 500）", validators=[NumberRange(min=1, max=500)])
