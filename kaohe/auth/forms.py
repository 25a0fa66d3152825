from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from kaohe.core.forms import BaseForm


class LoginForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=256)])
    submit = SubmitField("登录")
