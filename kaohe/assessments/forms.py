from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kaohe.assessments.models import GRADES, KINDS
from kaohe.core.forms import BaseForm, choice_list, optional_int, optional_score


class ResultForm(BaseForm):
    year = IntegerField("年度", validators=[InputRequired("请填写年度。")])
    # No kind preselected: a forgotten choice would file a special or quarterly result
    # as an annual grade (the one the three-year rules read).
    kind = SelectField("考核类型", choices=choice_list(KINDS, "（请选择）"),
                       validators=[InputRequired("请选择考核类型。")])
    quarter = SelectField("季度", coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                          choices=choice_list([(1, "第一季度"), (2, "第二季度"), (3, "第三季度"),
                                               (4, "第四季度")], "（非季度考核）"))
    task_name = StringField("专项任务名称", validators=[Length(max=100)])
    grade = SelectField("等次", choices=choice_list(GRADES, "（请选择）"),
                        validators=[InputRequired("请选择等次。")])
    score = optional_score("得分（0–100，可选）")
    unit_rank = optional_int("单位内排名", 1)
    unit_size = optional_int("单位参评人数", 1)
    votes_total = optional_int("民主测评有效票", 1)
    votes_excellent = optional_int("优秀票")
    votes_competent = optional_int("称职票")
    votes_basically_competent = optional_int("基本称职票")
    votes_incompetent = optional_int("不称职票")
    public_rating = optional_score("民评官得分（0–100）")
    comment = TextAreaField("评语", validators=[Length(max=4000)])
    submit = SubmitField("保存")


class QuotaApprovalForm(BaseForm):
    """An approval raising a unit's 优秀 quota of one year (assessments.approvals)."""

    year = IntegerField("年度", validators=[InputRequired("请填写年度。")])
    pct = IntegerField("批准的优秀比例（%）", validators=[InputRequired("请填写批准的优秀比例。"),
                                                   NumberRange(0, 100, "比例应在 0 到 100 之间。")])
    approved_by = StringField("批准单位", validators=[Length(max=100)])
    document_number = StringField("批准文号", validators=[Length(max=100)])
    note = TextAreaField("备注", validators=[Length(max=2000)])
    submit = SubmitField("保存")
