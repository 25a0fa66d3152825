"""Forms of personnel discussions. Business rules live in the services; forms only read."""
from __future__ import annotations

from sqlalchemy import select
from wtforms import (IntegerField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kaohe.auth.models import Role, User
from kaohe.core.forms import BaseForm, ChineseDateField
from kaohe.core.limits import MAX_INT, bounded_int
from kaohe.discussions import rules
from kaohe.extensions import db


def coerce_id(value):
    if value in (None, "", "None"):
        return None
    number = bounded_int(value)
    return -1 if number is None else number  # never an id: the service says "not found"


def _select(label, mapping, blank="（请选择）"):
    """Select of ``mapping``; unknown codes are refused by the service, blank here."""
    return SelectField(label, choices=[SelectChoice("", blank)] + [
        SelectChoice(k, v) for k, v in mapping.items()], validate_choice=False,
        validators=[InputRequired(f"请选择{label}。")])


class DiscussionForm(BaseForm):
    kind = _select("会议类型", rules.KINDS)
    date = ChineseDateField("会议日期", validators=[InputRequired("请填写会议日期。")])
    title = StringField("会议名称", validators=[InputRequired("请填写会议名称。"), Length(max=200)])
    member_names = TextAreaField("应到会成员", description="每行一人（也可用顿号分隔）；"
                            "成员不必有系统账户。到会情况在会议召开时登记。")
    submit = SubmitField("保存")


class ItemForm(BaseForm):
    official_id = StringField("干部", validators=[InputRequired("请填写干部编号或姓名。")],
                              description="填写干部编号或姓名（重名时请填编号）")
    action = _select("任免事项", rules.ACTIONS)
    proposed_post = StringField("拟任职务", validators=[Length(max=324)],
                                description="免职、退休可不填")
    proposed_removal = StringField("拟免职务", validators=[Length(max=324)],
                                   description="不免去职务的留空；任免审批表按此填写")
    reason = TextAreaField("任免理由", validators=[InputRequired("请填写任免理由。")])
    submit = SubmitField("保存")


class CheckForm(BaseForm):
    result = _select("核查结果", rules.CHECK_RESULTS)
    checked_by = StringField("核查人", validators=[InputRequired("请填写核查人。"), Length(max=64)])
    checked_on = ChineseDateField("核查日期", validators=[InputRequired("请填写核查日期。")])
    note = TextAreaField("核查情况", description="发现问题的须写明问题及核查结论")
    submit = SubmitField("保存核查结果")


class AttachForm(BaseForm):
    official_id = IntegerField("干部编号", validators=[Optional()])
    reason = TextAreaField("更新原因", validators=[Length(max=500)],
                           description="首次附材料不填；重新生成时必填，原版本保留")
    submit = SubmitField("生成并附材料")


class ReviewerForm(BaseForm):
    user_id = SelectField("审阅人", coerce=coerce_id, validate_choice=False)
    submit = SubmitField("分配")

    def populate_reviewers(self) -> None:
        users = db.session.scalars(select(User).join(Role).where(
            Role.name == "reviewer", User.active.is_(True)).order_by(User.username))
        self.user_id.choices = [SelectChoice("", "（请选择）")] + [
            SelectChoice(u.id, f"{u.name}（{u.username}）") for u in users]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes of ids; values that are not ids are ignored (the service counts members)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        self.data = [n for n in (bounded_int(v) for v in valuelist) if n is not None]


class HoldForm(BaseForm):
    present = MultiCheckboxField("实到会成员", coerce=int, validate_choice=False)
    submit = SubmitField("确认会议已召开")


class DecisionForm(BaseForm):
    decision = _select("决定", rules.DECISIONS)
    votes_for = IntegerField("赞成", validators=[Optional(), NumberRange(0, MAX_INT)])
    votes_against = IntegerField("反对", validators=[Optional(), NumberRange(0, MAX_INT)])
    votes_abstain = IntegerField("弃权", validators=[Optional(), NumberRange(0, MAX_INT)])
    submit = SubmitField("记录决定")
