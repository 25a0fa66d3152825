from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from kaohe.core.forms import BaseForm


class LoginForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=256)])
    submit = SubmitField("登录")


class PasswordChangeForm(BaseForm):
    current_password = PasswordField("当前密码", validators=[
        DataRequired("请输入当前密码。"), Length(max=256)])
    new_password = PasswordField("新密码", validators=[
        DataRequired("请输入新密码。"), Length(max=256)],
        description="至少 8 位，最长 128 位；可用任意字符（含空格、汉字），建议使用较长的短语。")
    confirm = PasswordField("再次输入新密码", validators=[
        DataRequired("请再次输入新密码。"), Length(max=256)])
    submit = SubmitField("修改密码")
