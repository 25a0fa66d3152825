"""Forms of saved member lists, and the discussion form with members chosen from them."""
from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from kaohe.core.forms import BaseForm, choice_list
from kaohe.discussions import member_lists
from kaohe.discussions.forms import DiscussionForm, MultiCheckboxField, coerce_id


def _user_choices():
    return [(u.id, f"{u.name}（{u.username}）") for u in member_lists.active_users()]


class MemberListForm(BaseForm):
    name = StringField("名单名称", validators=[InputRequired("请填写名单名称。"), Length(max=64)],
                       description="如“常委会组成人员”“干部工作领导小组成员”")
    member_names = TextAreaField("成员", description="每行一人，按排序填写（也可用顿号分隔）；"
                                 "成员不必有系统账户")
    user_ids = MultiCheckboxField("从系统用户中选择", coerce=int, validate_choice=False,
                                  description="勾选的用户排在所填成员之后，并与其账户关联")
    submit = SubmitField("保存")

    def populate(self) -> MemberListForm:
        self.user_ids.choices = _user_choices()
        return self


class DiscussionMembersForm(DiscussionForm):
    """The discussion form with a saved list to apply and users to pick as members."""

    member_list_id = SelectField("套用成员名单", coerce=coerce_id, validate_choice=False,
                                 description="所选名单的成员加在所填成员之后（重复的只列一次）")
    member_user_ids = MultiCheckboxField("从系统用户中选择成员", coerce=int,
                                         validate_choice=False)

    def populate(self) -> DiscussionMembersForm:
        self.member_list_id.choices = choice_list(
            [(m.id, f"{m.name}（{len(m.entries)} 人）") for m in member_lists.live_lists()],
            "（不套用）")
        self.member_user_ids.choices = _user_choices()
        return self
