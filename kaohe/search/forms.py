from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kaohe.core.forms import BaseForm, choice_list
from kaohe.officials.models import EDUCATION
from kaohe.search.filters import POLITICS, Extra

EXCELLENT = {"1": "至少 1 次", "2": "至少 2 次", "3": "3 次"}


class ExtraFilterFields:
    """The search filters of :class:`~kaohe.search.filters.Extra`, mixed into the
    officials search form. Bad values are ignored with a message on the field, as the
    other search fields are."""

    age_min = IntegerField("年龄自", validators=[Optional(), NumberRange(18, 80, "年龄应在 18 到 80 之间。")])
    age_max = IntegerField("年龄至", validators=[Optional(), NumberRange(18, 80, "年龄应在 18 到 80 之间。")])
    education = SelectField("学历", choices=choice_list(((e, e) for e in EDUCATION), "（任意学历）"),
                            validate_choice=False)
    politics = SelectField("政治面貌", choices=choice_list(POLITICS, "（任意）"),
                           validate_choice=False)
    tenure_min = IntegerField("任现职满（年）",
                              validators=[Optional(), NumberRange(0, 60, "年限应在 0 到 60 之间。")])
    principal = BooleanField("只看正职")
    excellent_min = SelectField("考核窗口内优秀", choices=choice_list(EXCELLENT, "（不限）"),
                                validate_choice=False)

    def extra(self) -> Extra:
        """The valid filters (a field with an error is left out)."""
        def ok(field):
            return field.data if not field.errors else None

        age_min, age_max = ok(self.age_min), ok(self.age_max)
        if age_min is not None and age_max is not None and age_min > age_max:
            self.age_max.errors = list(self.age_max.errors) + ["年龄上限不能小于下限。"]
            age_max = None
        return Extra(age_min=age_min, age_max=age_max,
                     education=self.education.data if self.education.data in EDUCATION else "",
                     politics=self.politics.data if self.politics.data in POLITICS else "",
                     tenure_min=ok(self.tenure_min), principal=bool(self.principal.data),
                     excellent_min=int(self.excellent_min.data)
                     if self.excellent_min.data in EXCELLENT else None)


class SavedSearchForm(BaseForm):
    name = StringField("名称", validators=[DataRequired("请填写查询名称。"), Length(max=64)])
    query = StringField("查询条件", validators=[Length(max=2000, message="查询条件过长。")])
