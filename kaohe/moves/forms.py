"""Forms of 凡动必谈/考/训, 任前公示, its outcome, the appointment and the holiday calendar.
Forms only read input; the rules live in the services."""
from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kaohe.core.forms import BaseForm, ChineseDateField, choice_list
from kaohe.core.limits import MAX_INT
from kaohe.moves import rules


def _select(label: str, mapping: dict, required: bool = True) -> SelectField:
    validators = [InputRequired(f"请选择{label}。")] if required else [Optional()]
    return SelectField(label, choices=choice_list(mapping, "请选择"), validate_choice=False,
                       validators=validators)


def _date(label: str, required: bool = True) -> ChineseDateField:
    return ChineseDateField(label, validators=[InputRequired(f"请填写{label}。")] if required
                            else [Optional()])


class TalkForm(BaseForm):
    kind = _select("谈话类别", rules.TALK_KINDS)
    talked_on = _date("谈话日期")
    talker = StringField("谈话人", validators=[InputRequired("请填写谈话人。"), Length(max=64)],
                         description="如：市委组织部部长 王某某")
    summary = TextAreaField("谈话要点", validators=[InputRequired("请填写谈话要点。")],
                            description="本人对任免的态度、提出的要求和提醒事项")
    submit = SubmitField("保存")

    def offer(self, held: bool, new: bool) -> None:
        """Offer the kind that may be recorded now: 动议谈话 before the meeting is held,
        任前谈话 after it (the service refuses the other); a new talk has it chosen, as
        it is the only one."""
        kind = "pre_appointment" if held else "motion"
        self.kind.choices = choice_list({kind: rules.TALK_KINDS[kind]}, None if new else "请选择")


class AssessmentForm(BaseForm):
    kind = _select("考察（考核）类别", rules.ASSESS_KINDS)
    year = IntegerField("考核年度", validators=[Optional(), NumberRange(1950, 9999)],
                        description="仅年度考核填写：引用已录入的该年度考核结果")
    done_on = _date("考察（考核）日期", required=False)
    assessor = StringField("考察组（考核人）", validators=[Length(max=120)])
    conclusion = StringField("结论", validators=[Length(max=200)],
                             description="年度考核取自已录入的等次，不必填写")
    summary = TextAreaField("考察（考核）情况")
    submit = SubmitField("保存")


class TrainingForm(BaseForm):
    status = _select("培训情况", rules.TRAINING_STATUSES)
    course = StringField("培训班次（课程）", validators=[InputRequired("请填写培训班次（课程）。"),
                                                  Length(max=200)])
    provider = StringField("举办单位", validators=[Length(max=120)])
    attended_on = _date("参加培训日期", required=False)
    planned_on = _date("计划参加日期", required=False)
    note = TextAreaField("备注")
    submit = SubmitField("保存")


class PublicityForm(BaseForm):
    start_on = _date("公示开始日期")
    work_days = IntegerField("公示期（工作日）", validators=[
        InputRequired("请填写公示期。"), NumberRange(1, MAX_INT)])
    phone = StringField("监督电话", validators=[InputRequired("请填写监督电话。"), Length(max=64)])
    contact = StringField("通信地址（电子邮箱）", validators=[Length(max=200)])
    submit = SubmitField("发布公示")


class OutcomeForm(BaseForm):
    outcome = _select("公示结果", rules.OUTCOMES)
    objection = TextAreaField("反映的问题", description="有异议时填写")
    objection_state = _select("核查结论", rules.OBJECTION_STATES, required=False)
    handling = TextAreaField("核查及处理情况")
    submit = SubmitField("保存")


class AppointmentForm(BaseForm):
    appointed_on = _date("任职日期")
    doc_number = StringField("任免文号", validators=[InputRequired("请填写任免文号。"),
                                                 Length(max=64)],
                             description="如：X组任〔2026〕12号")
    note = TextAreaField("备注")
    submit = SubmitField("登记任职")


class HolidayForm(BaseForm):
    day = _date("日期")
    kind = _select("类别", rules.HOLIDAY_KINDS)
    name = StringField("名称", validators=[Length(max=32)], description="如：国庆节、春节调休")
    submit = SubmitField("添加")
