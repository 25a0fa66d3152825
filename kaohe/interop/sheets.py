"""The Excel sheets Kaohe reads and writes: columns, Chinese headers, cell parsing.

Each :class:`Sheet` names the form class whose rules a row must pass (the very
form of the page, CSRF off) and the columns mapping Chinese headers to the
form's fields. Cells are turned into the strings a browser would have posted;
labels (男, 优秀, 是) become the codes the forms expect.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kaohe.assessments.forms import ResultForm
from kaohe.assessments.models import GRADES
from kaohe.officials.forms import OfficialForm, PostForm
from kaohe.officials.models import DEGREES, EDUCATION, GENDERS, RANKS

DATE_HINT = "日期，如 2020-04-10（也可写 2020.04.10、20200410；入党/工作时间可只写年月 2020.04）"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "text"  # text | date | month_date | int | decimal | choice | bool | unit | person
    required: bool = False
    choices: dict[str, str] | None = None  # label → form value
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    kind: str
    title: str  # sheet / template name
    form_cls: type
    columns: tuple[Column, ...]
    fixed: dict = field(default_factory=dict)  # form values every row gets (e.g. kind=annual)
    example: tuple = ()

    def column(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


def _same(values) -> dict[str, str]:
    return {v: v for v in values}


PERSON = Column("身份证号", "id_number", "person", True, note="18 位公民身份号码，用于匹配干部")
PERSON_NAME = Column("姓名", "person_name", note="可选；填写时须与身份证号对应的干部姓名一致")
GRADE = {label: code for code, label in GRADES.items()}
QUARTERS = {"1": "1", "2": "2", "3": "3", "4": "4", "第一季度": "1", "第二季度": "2",
            "第三季度": "3", "第四季度": "4", "一季度": "1", "二季度": "2", "三季度": "3",
            "四季度": "4"}
YES_NO = {"是": "y", "否": "", "Y": "y", "N": "", "": ""}

_RESULT_TAIL = (
    Column("等次", "grade", "choice", True, GRADE, "优秀、称职、基本称职或不称职"),
    Column("得分", "score", "decimal", note="0–100，可选"),
    Column("单位内排名", "unit_rank", "int", note="与参评人数同时填写"),
    Column("单位参评人数", "unit_size", "int"),
    Column("民主测评有效票", "votes_total", "int", note="填写各等次票数时必填，须等于各等次票数之和"),
    Column("优秀票", "votes_excellent", "int"),
    Column("称职票", "votes_competent", "int"),
    Column("基本称职票", "votes_basically_competent", "int"),
    Column("不称职票", "votes_incompetent", "int"),
    Column("民评官得分", "public_rating", "decimal", note="0–100，可选"),
    Column("评语", "comment"),
)

SHEETS: dict[str, Sheet] = {s.kind: s for s in (
    Sheet("officials", "干部基本信息", OfficialForm, (
        Column("姓名", "name", required=True),
        Column("身份证号", "id_number", required=True, note="18 位；已有干部按身份证号更新"),
        Column("性别", "gender", "choice", True, {v: k for k, v in GENDERS.items()}, "男或女"),
        Column("出生日期", "birth_date", "month_date", True, note="须与身份证号一致"),
        Column("民族", "ethnicity", note="如 汉族"),
        Column("籍贯", "native_place"),
        Column("入党时间", "party_date", "month_date"),
        Column("参加工作时间", "work_start_date", "month_date"),
        Column("全日制学历", "edu_fulltime", "choice", choices=_same(EDUCATION)),
        Column("全日制学位", "degree_fulltime", "choice", choices=_same(DEGREES)),
        Column("全日制毕业院校及专业", "school_fulltime"),
        Column("在职学历", "edu_inservice", "choice", choices=_same(EDUCATION)),
        Column("在职学位", "degree_inservice", "choice", choices=_same(DEGREES)),
        Column("在职毕业院校及专业", "school_inservice"),
        Column("所在单位", "unit_id", "unit", note="单位名称或单位代码，须为系统中已有单位"),
        Column("现任职务", "current_post"),
        Column("职级", "rank", "choice", choices=_same(RANKS)),
    ), example=("王建国", "330102197503080015", "男", "1975-03-08", "汉族", "浙江杭州",
                "1998.07", "1996.08", "大学", "学士", "浙江大学经济学专业", "研究生", "硕士",
                "中央党校经济管理专业", "东城区", "东城区委副书记、区长", "正处级")),
    Sheet("posts", "任职经历", PostForm, (
        PERSON, PERSON_NAME,
        Column("任职单位", "unit_id", "unit", True, note="单位名称或单位代码"),
        Column("职务", "title", required=True),
        Column("职级", "rank", "choice", choices=_same(RANKS)),
        Column("任职时间", "start_date", "date", True),
        Column("免职时间", "end_date", "date", note="在任留空"),
        Column("是否主要负责人", "is_principal", "bool", choices=YES_NO, note="是或否"),
        Column("备注", "note"),
    ), example=("330102197503080015", "王建国", "东城区", "东城区区长", "正处级", "2016-01-01",
                "", "是", "")),
    Sheet("annual", "年度考核结果", ResultForm, (
        PERSON, PERSON_NAME, Column("年度", "year", "int", True, note="如 2019"), *_RESULT_TAIL,
    ), fixed={"kind": "annual"},
        example=("330102197503080015", "王建国", "2019", "优秀", "92", "1", "20", "", "", "", "",
                 "", "", "年度表现突出")),
    Sheet("quarterly", "季度考核结果", ResultForm, (
        PERSON, PERSON_NAME, Column("年度", "year", "int", True, note="如 2019"),
        Column("季度", "quarter", "choice", True, QUARTERS, "1–4 或 第一季度…第四季度"),
        *_RESULT_TAIL,
    ), fixed={"kind": "quarterly"},
        example=("330102197503080015", "王建国", "2019", "第二季度", "称职", "", "", "", "", "", "",
                 "", "", "", "")),
)}


def normalise_header(text) -> str:
    return re.sub(r"[\s*＊]|（必填）|\(必填\)", "", str(text or ""))


class CellError(ValueError):
    """A cell that cannot be read; the message is shown in the report."""


_DATE_RE = re.compile(r"^(\d{4})\s*[-./年]?\s*(\d{1,2})\s*[-./月]?\s*(?:(\d{1,2})\s*日?)?$")


def parse_date(value, month_ok: bool = False) -> tuple[dt.date, bool]:
    """(date, whether only year and month were given); raises CellError."""
    if isinstance(value, dt.datetime):
        return value.date(), False
    if isinstance(value, dt.date):
        return value, False
    text = str(value).strip()
    m = _DATE_RE.match(text)
    if m and (m.group(3) or month_ok) and not (len(text) == 6 and text.isdigit() and not month_ok):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)), not m.group(3)
        except ValueError:
            pass
    if month_ok:
        raise CellError(f"日期“{text}”无法识别，请按 YYYY-MM-DD 或 YYYY.MM 填写。")
    raise CellError(f"日期“{text}”无法识别，请按 YYYY-MM-DD 填写，例如 2020-04-10。")


def cell_text(value) -> str:
    """A cell as the text a user would have typed into the form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    return str(value).strip()
