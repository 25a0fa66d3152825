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
from kaohe.officials.models import GENDERS, POLITICAL_STATUSES, RANKS
from kaohe.officials.politics import NON_PARTY, PARTY_ALIASES

DATE_HINT = "日期，如 2020-04-10（也可写 2020.04.10、20200410；入党/工作时间可只写年月 2020.04）"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    # text | date | month_date | int | decimal | choice | bool | unit | person
    # | lookup (read by the importer to find a record, not a field of the form)
    kind: str = "text"
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
    area: str = "officials"  # who imports it: officials | unitassess | discipline (see views)
    match: str = "按身份证号匹配"  # the natural key, said on the page

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
POLITICS = {**_same(POLITICAL_STATUSES), "无党派": NON_PARTY, "预备党员": "中共预备党员"}
PARTIES = {alias: name for name, aliases in PARTY_ALIASES.items() for alias in aliases}

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
        # Not a required column: a file without it keeps the recorded affiliation; a new
        # official's row without it is refused by the form (请选择政治面貌).
        Column("政治面貌", "political_status", "choice", choices=POLITICS,
               note="中共党员、中共预备党员、民主党派、无党派人士或群众；新增干部时必填"),
        Column("入党时间", "party_date", "month_date", note="中共党员（含预备党员）必填"),
        Column("民主党派", "democratic_party", "choice", choices=PARTIES,
               note="民革、民盟、民建、民进、农工党、致公党、九三学社或台盟；民主党派成员必填"),
        Column("加入民主党派时间", "democratic_party_date", "month_date"),
        Column("参加工作时间", "work_start_date", "month_date"),
        Column("全日制学历", "edu_fulltime", note="按原文，如 大学本科、省委党校研究生"),
        Column("全日制学位", "degree_fulltime", note="写明学科，如 经济学学士；没有学位填“无”"),
        Column("全日制毕业院校及专业", "school_fulltime"),
        Column("在职学历", "edu_inservice"),
        Column("在职学位", "degree_inservice"),
        Column("在职毕业院校及专业", "school_inservice"),
        Column("所在单位", "unit_id", "unit", note="单位名称或单位代码，须为系统中已有单位"),
        Column("现任职务", "current_post"),
        Column("职级", "rank", "choice", choices=_same(RANKS)),
    ), example=("王建国", "330102197503080015", "男", "1975-03-08", "汉族", "浙江杭州", "中共党员",
                "1998.07", "", "", "1996.08", "大学本科", "经济学学士", "浙江大学经济学专业",
                "省委党校研究生", "管理学硕士", "中央党校经济管理专业", "东城区", "东城区委副书记、区长",
                "正处级")),
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


def _discipline_kinds() -> dict[str, str]:
    """处理方式 labels: 警告 exists as 党纪 and 政务, so those are qualified (党纪警告)."""
    from kaohe.discipline import rules

    labels = [label for _c, label in rules.KINDS.values()]
    out: dict[str, str] = {}
    for code, (category, label) in rules.KINDS.items():
        if labels.count(label) == 1:
            out[label] = code
        else:
            out[rules.CATEGORIES[category].removesuffix("处分") + label] = code
    out.update({code: code for code in rules.KINDS})
    return out


def _late_sheets() -> tuple[Sheet, ...]:
    """Sheets of the unit assessment and discipline features (imported lazily)."""
    from kaohe.discipline import rules
    from kaohe.discipline.forms import FindingForm
    from kaohe.unitassess import ROUNDS
    from kaohe.unitassess.forms import ResultForm as IndicatorResultForm

    rounds = {**{v: k for k, v in ROUNDS.items()}, "上半年": "half", **_same(ROUNDS)}
    return (
        Sheet("indicators", "单位指标完成情况", IndicatorResultForm, (
            Column("年度", "year", "lookup", True, note="考核方案年度，如 2024"),
            Column("单位", "unit_id", "unit", True,
                   note="单位名称或单位代码；按单位类型对应该年度已发布的考核方案"),
            Column("指标编号", "indicator_code", "lookup", note="方案中的指标编号；未填写时按指标名称匹配"),
            Column("指标名称", "indicator_name", "lookup", note="填写了指标编号时须与之一致"),
            Column("考核轮次", "round", "choice", True, rounds, "半年、前三季度或全年"),
            Column("全年目标值", "target", "decimal", note="完成率指标必填，大于 0"),
            Column("累计实际完成值", "actual", "decimal", note="定量指标必填，不小于 0"),
            Column("定性等次", "grade", note="定性指标填写方案中的等次，如 好、较好"),
            Column("备注", "note"),
        ), example=("2024", "东城区", "A01", "地区生产总值增速", "全年", "6.5", "6.8", "", ""),
            area="unitassess", match="按年度、单位、指标和考核轮次匹配"),
        Sheet("findings", "纪检监察问题线索", FindingForm, (
            PERSON, PERSON_NAME,
            Column("发现日期", "found_date", "date", True),
            Column("问题来源", "source", "choice", True,
                   {**{v: k for k, v in rules.SOURCES.items()}, **_same(rules.SOURCES)},
                   "、".join(rules.SOURCES.values())),
            Column("处理方式", "kind", "choice", True, _discipline_kinds(),
                   "如 谈话函询、诫勉、党纪警告、政务记过；尚未定性填“尚未定性/未作处理”"),
            Column("办理状态", "status", "choice", True,
                   {**{v: k for k, v in rules.STATUSES.items()}, **_same(rules.STATUSES)},
                   "、".join(rules.STATUSES.values())),
            Column("决定日期", "decision_date", "date", note="已结案必填；处置中留空"),
            Column("合并处分期（月）", "period_months", "int",
                   note="仅多个政务处分合并确定处分期时填写"),
            Column("情况摘要", "summary", required=True, note="讨论材料中可见"),
            Column("详细情况", "details", note="仅纪委监委可见"),
        ), example=("330102197503080015", "王建国", "2023-05-10", "信访举报", "谈话函询",
                    "了结澄清", "", "", "反映收受礼金问题，经核查不属实", ""),
            area="discipline", match="按身份证号、发现日期和问题来源匹配"),
    )


SHEETS.update({s.kind: s for s in _late_sheets()})


def sheets_of(area: str) -> dict[str, Sheet]:
    return {k: s for k, s in SHEETS.items() if s.area == area}


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
