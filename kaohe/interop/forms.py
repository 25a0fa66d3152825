"""Upload forms of the import pages."""
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SubmitField
from wtforms.validators import Optional

from kaohe.core.forms import BaseForm, ChineseDateField


class XlsxImportForm(BaseForm):
    file = FileField("Excel 文件（.xlsx）", validators=[
        FileRequired("请选择要导入的文件。"),
        FileAllowed(["xlsx"], "请上传 .xlsx 格式的 Excel 文件（可先下载模板填写）。")])
    dry_run = BooleanField("只校验，不导入")
    submit = SubmitField("校验并导入")


class LrmxImportForm(BaseForm):
    file = FileField("任免审批表文件（.lrmx）", validators=[
        FileRequired("请选择要导入的文件。"),
        FileAllowed(["lrmx", "xml"], "请上传 .lrmx 格式的干部任免审批表文件。")])
    dry_run = BooleanField("只校验，不导入")
    submit = SubmitField("校验并导入")


class LrmxExportForm(BaseForm):
    """The export page's choice of 计算年龄时间 (a GET form: nothing is written)."""

    class Meta(BaseForm.Meta):
        csrf = False

    as_of = ChineseDateField("计算年龄时间（默认今天）", validators=[Optional()])
