from wtforms import IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

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


class TokenForm(BaseForm):
    """A new API token of the signed-in user (its lifetime is bounded by a setting)."""
    name = StringField("名称（用途）", validators=[
        DataRequired("请填写令牌名称（用途），例如“人事系统对接”。"), Length(max=64)])
    days = IntegerField("有效期（天）", validators=[Optional()],
                        description="留空则取最长有效期")
    submit = SubmitField("创建令牌")
