"""Forms of the discipline feature, used by the pages and (without CSRF) by the API."""
from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from kaohe.core import clock
from kaohe.core.forms import BaseForm, ChineseDateField
from kaohe.discipline import rules


class ChoiceField(SelectField):
    """Select whose refusal names the unknown value in Chinese ("未知的处理方式“x”").

    With ``blank`` the first option is that empty prompt (「请选择」), shown selected
    until the user chooses: nothing is asserted by default, and choosing nothing is
    refused ("请选择…").
    """

    def __init__(self, label=None, validators=None, what: str = "选项", blank: str | None = None,
                 **kwargs):
        if blank is not None:
            kwargs["choices"] = [SelectChoice("", blank), *kwargs.get("choices", ())]
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.raw = None

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else None
        try:
            super().process_formdata(valuelist)
        except ValueError:  # could not coerce: reported by pre_validate
            self.data = None

    def pre_validate(self, form):
        if self.raw in (None, ""):
            raise StopValidation(f"请选择{self.what}。")
        if any(choice.selected and choice.value != "" for choice in self.iter_choices()):
            return
        raise StopValidation(f"未知的{self.what}“{str(self.raw)[:40]}”，请从列表中选择。")


def _int_or_none(value):
    """An outcome code; the empty prompt is None (``int("")`` would fail the rendering)."""
    return None if value in (None, "") else int(value)


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


def _kind_choices() -> list[SelectChoice]:
    """Kinds grouped by category (<optgroup>): 党纪 and 政务 both have a 警告."""
    return [SelectChoice(code, label, optgroup=rules.CATEGORIES[category])
            for code, (category, label) in rules.KINDS.items()]


def _date(label: str, required: bool = True, today: bool = False) -> ChineseDateField:
    """A date field; with ``today`` the page offers today's Beijing date (a request that
    leaves the field blank is still refused)."""
    first = InputRequired(f"请填写{label}。") if required else Optional()
    return ChineseDateField(label, validators=[first], default=clock.today if today else None)


class FindingForm(BaseForm):
    found_date = _date("发现日期")
    # Nothing preselected: a default source 自查发现 would spare the unit its deduction.
    source = ChoiceField("问题来源", choices=_choices(rules.SOURCES), what="问题来源",
                         blank="请选择")
    kind = ChoiceField("处理方式", choices=_kind_choices(), what="处理方式", blank="请选择")
    status = ChoiceField("办理状态", choices=_choices(rules.STATUSES), what="办理状态",
                         blank="请选择")
    decision_date = _date("决定日期", required=False)
    period_months = IntegerField(
        "合并确定的政务处分期（月）", validators=[
            Optional(), NumberRange(1, 120, message="处分期应在 1 到 120 个月之间。")],
        description="仅对多个相同政务处分合并确定处分期时填写；留空按规则参数计算。")
    summary = TextAreaField("情况摘要（讨论材料中可见）", validators=[
        DataRequired("请填写情况摘要。"), Length(max=2000, message="情况摘要不超过 2000 字。")])
    details = TextAreaField("详细情况（仅纪委监委可见）", validators=[
        Length(max=20000, message="详细情况不超过 20000 字。")])
    submit = SubmitField("保存")


class ExemptionForm(BaseForm):
    reason = TextAreaField("容错免责理由", validators=[
        DataRequired("请填写容错免责理由。"), Length(max=4000)])
    approver = StringField("批准机关/批准人", validators=[
        DataRequired("请填写批准机关或批准人。"), Length(max=100)])
    approved_on = _date("批准日期")
    submit = SubmitField("认定容错免责")


class RevokeExemptionForm(BaseForm):
    revoke_reason = TextAreaField("撤销理由", validators=[
        DataRequired("请填写撤销容错免责的理由。"), Length(max=4000)])
    submit = SubmitField("撤销容错免责")


class OpinionRequestForm(BaseForm):
    purpose = StringField("征求事由（拟任职务/用途）", validators=[
        DataRequired("请填写征求事由。"), Length(max=200, message="征求事由不超过 200 字。")])
    requested_on = _date("征求日期", today=True)
    submit = SubmitField("发送征求")


class OpinionAnswerForm(BaseForm):
    # No outcome is preselected: a browser would submit the first option, so an officer
    # who forgot to choose would certify 「未收到问题线索」.
    outcome = ChoiceField("回复结论", coerce=_int_or_none, what="回复结论", blank="请选择",
                          choices=[SelectChoice(k, f"{k}. {v}") for k, v in rules.OUTCOMES.items()])
    answered_on = _date("回复日期")
    answer_text = TextAreaField("回复意见", validators=[
        DataRequired("请填写回复意见。"), Length(max=4000, message="回复意见不超过 4000 字。")])
    submit = SubmitField("回复")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built from the unanswered request (for its version), whose empty answer date
        # would override a field default: the page offers today's date instead.
        if not self.is_submitted() and self.answered_on.data is None:
            self.answered_on.data = clock.today()
