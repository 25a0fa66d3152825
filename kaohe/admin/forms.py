from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from kaohe.auth.permissions import DEFAULT_ROLES
from kaohe.core.forms import BaseForm, choice_list

ROLE_CHOICES = choice_list((name, label) for name, (label, _p) in DEFAULT_ROLES.items())


class UserForm(BaseForm):
    username = StringField("用户名", validators=[
        DataRequired("请填写用户名。"), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和连字符。")])
    display_name = StringField("姓名", validators=[Length(max=64)])
    # No role preselected: a forgotten choice would give the account the first role's access.
    role = SelectField("角色", choices=[SelectChoice("", "请选择"), *ROLE_CHOICES],
                       validators=[InputRequired("请选择角色。")])
    submit = SubmitField("创建并生成初始密码")


class UserEditForm(BaseForm):
    display_name = StringField("姓名", validators=[Length(max=64)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    active = BooleanField("启用")
    reset_password = BooleanField("重置密码（新密码只显示一次）")
    submit = SubmitField("保存")
