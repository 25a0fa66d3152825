"""Forms of the admin pages: users, and their recusal links (回避)."""
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from kaohe.auth.permissions import DEFAULT_ROLES
from kaohe.core.forms import BaseForm, choice_list
from kaohe.core.limits import MAX_INT

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


def _official_number() -> IntegerField:
    return IntegerField("干部编号", validators=[
        InputRequired("请填写干部编号（可先按姓名或身份证号查找）。"),
        NumberRange(1, MAX_INT, message="干部编号不正确。")])


class LinkOfficialForm(BaseForm):
    """The official the user is (回避); used with prefix ``own``."""
    official_id = _official_number()
    submit = SubmitField("关联为本人")


class RelativeForm(BaseForm):
    """A relative declared for the user (回避); used with prefix ``relative``."""
    official_id = _official_number()
    relation = StringField("称谓", validators=[
        DataRequired("请填写称谓，例如配偶、子女、父亲。"), Length(max=16)])
    submit = SubmitField("添加亲属")
